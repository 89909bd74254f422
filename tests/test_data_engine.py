"""The fast reading engine (issue 28) gives the same verdicts as the row-by-row path, whatever
the split into byte ranges and worker processes; its shortcuts (msgspec, the chat fast path,
the batch PII filter, the vectorised estimate) each equal the plain code they stand in for."""

from __future__ import annotations

import io
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_helpers import chat, make_model_dir, write_jsonl
from ftwizard.base.errors import DatasetError
from ftwizard.base.jsonio import MAX_INT_DIGITS
from ftwizard.data import batches, engine
from ftwizard.data.formats import fast_chat, normalise
from ftwizard.data.inspection import inspect
from ftwizard.data.pii import scan_many, scan_text
from ftwizard.data.readers import open_dataset, parse_line
from ftwizard.data.rows import Example, Turn, chat_fingerprint, chat_run_key
from ftwizard.data.split import split
from ftwizard.data.stats import EstimateCounter, estimate_text_tokens, row_tokens
from ftwizard.data.validate import iter_checked

WORDS = ["alpha", "beta", "gamma", "delta", "refund", "card", "branch"]


def messy_rows(n: int = 300) -> list:
    """Good chats, exact duplicates far apart, broken lines, bad rows, personal data, long rows."""
    rows: list = []
    for i in range(n):
        if i % 37 == 5:
            rows.append('{"messages": [{"role": "user", "content": "cut off')
        elif i % 41 == 7:
            rows.append({"messages": [{"role": "user", "content": f"no answer {i}"}]})
        elif i % 29 == 3:
            rows.append(chat("duplicate question", "duplicate answer"))  # repeats across ranges
        elif i % 31 == 11:
            rows.append(chat(f"mail me at p{i}@example.org", "ok"))
        elif i % 43 == 13:
            rows.append(chat("card 4111 1111 1111 1111 please", " ".join(WORDS * 20)))  # long
        elif i % 47 == 17:
            rows.append({"conversations": []})  # wrong format for the file
        else:
            rows.append(chat(f"question {i} " + " ".join(WORDS[: i % 7]), f"answer {i}", system="be kind"))
    return rows


def write_messy(path, n=300, cr=True):
    write_jsonl(path, messy_rows(n))
    raw = path.read_bytes()
    # A BOM, a CRLF line and blank lines: line numbers must still be the file's.
    lines = raw.split(b"\n")
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    if cr:  # (without: the reader's path for ranges with no CR)
        lines[10] = lines[10] + b"\r"
    lines.insert(20, b"")
    lines.insert(21, b"   ")
    path.write_bytes(b"\n".join(lines))
    return path


def verdicts(report) -> list[tuple[int, str]]:
    return [(p.line, p.kind) for p in report.problems]


def report_dict(report) -> dict:
    d = report.model_dump()
    d.pop("seconds")
    return d


@pytest.mark.parametrize(("workers", "cr"), [(1, True), (2, True), (1, False), (2, False)])
def test_ranges_and_workers_give_the_row_by_row_verdicts(tmp_path, monkeypatch, workers, cr):
    f = write_messy(tmp_path / "d.jsonl", cr=cr)
    model = make_model_dir(tmp_path / "m", WORDS + ["question", "answer"], context_tokens=60)
    whole = inspect(f, model_dir=model, seq_len=32)
    monkeypatch.setattr(engine, "CHUNK_BYTES", 700)  # many ranges, cut mid-file
    ranged = inspect(f, model_dir=model, seq_len=32, workers=workers)
    assert report_dict(ranged) == report_dict(whole)

    # The reference: the row-by-row validator the training runner uses.
    from ftwizard.data.stats import make_counter

    source = open_dataset(f)
    ref = [(r.line, r.problem.kind.value) for r in iter_checked(source, make_counter(model), 60) if r.problem]
    assert verdicts(ranged) == ref
    kinds = {k for _, k in ref}
    assert {"bad_json", "duplicate", "too_long", "no_assistant_turn", "missing_field"} <= kinds
    assert ranged.rows_read == len(messy_rows()) and not ranged.cancelled
    pii = {x.kind: x.lines for x in ranged.pii.findings}
    assert pii["email"] and pii["card_number"]
    assert ranged.file_sha256 and ranged.duplicates_exact


def test_the_worker_pool_keeps_line_numbers_and_order(tmp_path, monkeypatch):
    rows = [chat(f"q {i}", f"a {i}") for i in range(400)]
    rows[150] = "{broken"
    rows[399] = rows[3]  # a duplicate in the last range of a row in the first
    f = write_jsonl(tmp_path / "d.jsonl", rows)
    monkeypatch.setattr(engine, "CHUNK_BYTES", 1000)
    r = inspect(f, workers=2)
    assert verdicts(r) == [(151, "bad_json"), (400, "duplicate")]
    assert r.rows_good == 398 and r.rows_read == 400


def test_a_duplicate_spelled_otherwise_is_found_by_both_keys(tmp_path):
    system_first = {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"},
                                 {"role": "assistant", "content": "a"}]}
    developer_first = json.loads(json.dumps(system_first))
    developer_first["messages"][0]["role"] = "developer"  # normalise's path; the other takes the fast one
    f = write_jsonl(tmp_path / "d.jsonl", [system_first, {"text": 1, **developer_first}, developer_first])
    assert verdicts(inspect(f)) == [(2, "duplicate"), (3, "duplicate")]
    assert split(f, out_dir=tmp_path / "out").rows_skipped == 2


def test_past_the_duplicate_cap_the_report_says_the_check_was_partial(tmp_path, monkeypatch):
    rows = [chat(f"q {i}", "a") for i in range(10)] + [chat("q 1", "a"), chat("q 7", "a")]
    f = write_jsonl(tmp_path / "d.jsonl", rows)
    assert inspect(f).duplicates_exact
    monkeypatch.setattr(engine, "DEDUP_CAP", 5)
    monkeypatch.setattr(batches, "BATCH_ROWS", 4)  # (rows of one batch are always compared)
    r = inspect(f)
    assert not r.duplicates_exact
    assert verdicts(r) == [(11, "duplicate")]  # q 1 is among the first 5 kept, q 7 is not


def test_msgspec_parse_gives_the_standard_library_verdicts():
    cases = [
        b'{"a": 1}', b'{"a": 1.5e2, "b": [true, null]}', b'{"a": NaN}', b'{"a": 1e400}',
        b'{"a": "\\ud800"}', b'{"a": ' + b"9" * MAX_INT_DIGITS + b"}",
        b'{"a": ' + b"9" * (MAX_INT_DIGITS + 1) + b"}", b'{"a": 1,}', b"\xff\xfe", b"[" * 5000,
        b'{"a": "x"} trailing', b'{"a": 1, "a": 2}',
    ]
    from ftwizard.data import readers

    for body in cases:
        fast = parse_line(body, 7)
        plain_decode, readers._fast_decode = readers._fast_decode, None
        try:
            plain = parse_line(body, 7)
        finally:
            readers._fast_decode = plain_decode
        assert fast == plain, body[:40]
    assert parse_line(b'{"a": 1,}', 3).reason.startswith("invalid JSON at column 9")


def test_a_long_integer_anywhere_in_a_range_is_found(tmp_path):
    long_int = "1" * (MAX_INT_DIGITS + 1)
    rows = [chat(f"q {i}", "a") for i in range(30)]
    rows[17] = json.dumps(chat("q", "a"))[:-1] + f', "n": {long_int}}}'
    f = write_jsonl(tmp_path / "d.jsonl", rows)
    r = inspect(f)
    assert verdicts(r) == [(18, "bad_json")]
    assert "out of range" in r.problems[0].reason


turn_st = st.fixed_dictionaries({
    "role": st.sampled_from(["user", "assistant", "system", "tool", "developer", "User", "bot", "", None, 3]),
    "content": st.one_of(st.sampled_from(["hi", "", "  ", "\n", "answer"]), st.none(), st.just([{"type": "text", "text": "x"}])),
})


@settings(max_examples=300, deadline=None)
@given(st.lists(turn_st, max_size=5), st.booleans())
def test_the_chat_fast_path_equals_normalise(turns, sharegpt):
    if sharegpt:
        row = {"conversations": [{"from": t["role"], "value": t["content"]} for t in turns]}
        fmt = "sharegpt"
    else:
        row, fmt = {"messages": turns}, "messages"
    fast = fast_chat(row, fmt)
    slow = normalise(row, fmt)
    if fast is not None:  # accepted only what normalise accepts, with the same turns and hash
        assert isinstance(slow, Example)
        roles, contents, joined = fast
        assert [(t.role, t.content) for t in slow.turns] == list(zip(roles, contents, strict=True))
        assert chat_fingerprint(roles, contents) == slow.fingerprint() and joined == "\n".join(contents)
        assert chat_run_key(roles, contents) == slow.run_key()


text_st = st.text(
    alphabet=st.sampled_from(list("0123456789 ().-+@ABCGNZ abcxyz\n") + ["٣", "²", "é", "中", "\u2028"]),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(text_st, max_size=12))
def test_the_batch_pii_filter_misses_nothing_scan_text_finds(texts):
    texts += ["card 4111 1111 1111 1111", "NI AB 12 34 56 C", "GB82 WEST 1234 5698 7654 32", "٠١٢٣٤٥٦٧٨٩٠١٢"]
    assert scan_many(texts) == {i: f for i, t in enumerate(texts) if (f := scan_text(t))}


def test_the_vectorised_estimate_equals_the_per_text_rule():
    rows = [
        Example("chat", turns=(Turn("system", "x" * 7), Turn("user", "hello there"), Turn("assistant", "y" * 13))),
        Example("chat", turns=(Turn("user", "naïve café"), Turn("assistant", "中文字"))),
        Example("text", text="z" * 10),
        Example("preference", turns=(Turn("user", "q" * 9),), chosen="c" * 21, rejected="r" * 5),
    ]
    expect = [row_tokens(e.kind, len(e.turns), [estimate_text_tokens(t) for t in e.texts()]) for e in rows]
    assert EstimateCounter().count(rows) == expect == [23, 16, 3, 18]
    chats = [rows[0], Example("chat", turns=(Turn("user", "abc"), Turn("assistant", "d" * 8)))]  # the whole-batch path
    assert EstimateCounter().count(chats) == [23, 13]  # 11 chars / 4 + 2 x 5 = 12.75


def test_a_cancelled_split_writes_nothing(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [chat(f"q {i}", f"a {i}") for i in range(5000)])
    out = tmp_path / "out"
    stop = threading.Event()
    with pytest.raises(DatasetError, match="split cancelled; nothing was written"):
        split(f, out_dir=out, progress=lambda done, total: stop.set(), cancel=stop)
    assert not out.exists() or list(out.iterdir()) == []


def test_split_of_a_ranged_file_is_the_same_as_whole(tmp_path, monkeypatch):
    f = write_messy(tmp_path / "d.jsonl")
    a = split(f, seed=4, out_dir=tmp_path / "a")
    monkeypatch.setattr(engine, "CHUNK_BYTES", 500)
    b = split(f, seed=4, out_dir=tmp_path / "b", workers=2)
    for name in ("train.jsonl", "holdout.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (a.rows_train, a.rows_holdout, a.rows_skipped) == (b.rows_train, b.rows_holdout, b.rows_skipped)
    # Rows are copied byte for byte: no BOM, no CR.
    kept = (tmp_path / "a" / "train.jsonl").read_bytes().split(b"\n")[:-1]
    assert all(json.loads(x) and not x.endswith(b"\r") and not x.startswith(b"\xef") for x in kept)


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_cli_progress_bar_on_a_terminal_and_plain_lines_when_piped():
    from ftwizard.cli.data_cmd import PLAIN_PROGRESS_EVERY_S, ProgressPrinter

    clock = FakeClock()
    out = io.StringIO()
    bar = ProgressPrinter("inspecting", out, bar=True, clock=clock)
    clock.t = 2.0
    bar(50_000_000, 200_000_000)  # 25 MB/s, 150 MB left: 6 s
    bar.close()
    text = out.getvalue()
    assert "\r" in text and "[#######" in text and " 25.0%" in text and "25.0 MB/s" in text and "ETA 0:06" in text

    clock = FakeClock()
    out = io.StringIO()
    plain = ProgressPrinter("inspecting", out, bar=False, clock=clock)
    clock.t = 1.0
    plain(10, 100)  # too soon: nothing
    assert out.getvalue() == ""
    clock.t = PLAIN_PROGRESS_EVERY_S + 1
    plain(60, 100)
    plain.close()
    assert out.getvalue().count("\n") == 1 and "\r" not in out.getvalue() and "60.0%" in out.getvalue()


def test_cli_json_output_is_clean_with_progress_on(tmp_path):
    import subprocess
    import sys

    f = write_jsonl(tmp_path / "d.jsonl", [chat(f"q {i}", "a") for i in range(50)])
    proc = subprocess.run([sys.executable, "-m", "ftwizard", "data", "inspect", str(f), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows_good"] == 50
    assert "\r" not in proc.stderr


def test_cli_workers_flag_gives_the_same_report_and_refuses_zero(tmp_path, capsys, monkeypatch):
    from ftwizard.cli.main import main

    f = write_messy(tmp_path / "d.jsonl")
    monkeypatch.setattr(engine, "CHUNK_BYTES", 900)
    reports = []
    for n in ("1", "2"):
        assert main(["data", "inspect", str(f), "--workers", n, "--json"]) == 0
        reports.append({k: v for k, v in json.loads(capsys.readouterr().out).items() if k != "seconds"})
    assert reports[0] == reports[1]
    assert main(["data", "split", str(f), "--out", str(tmp_path / "o"), "--workers", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows_train"] > 0
    assert main(["data", "inspect", str(f), "--workers", "0"]) == 2
    assert "--workers must be 1 or more, got 0" in capsys.readouterr().err


def test_renamed_columns_go_through_the_range_reader(tmp_path, monkeypatch):
    rows = [{"conv": chat(f"q {i}", "a")["messages"]} for i in range(20)] + ["{bad", "", {"conv": []}]
    f = write_jsonl(tmp_path / "d.jsonl", rows)
    monkeypatch.setattr(engine, "CHUNK_BYTES", 300)
    r = inspect(f, fmt="messages", columns={"messages": "conv"})
    source = open_dataset(f, fmt="messages", columns={"messages": "conv"})
    assert verdicts(r) == [(r.line, r.problem.kind.value) for r in iter_checked(source) if r.problem]
    assert r.rows_good == 20 and r.rows_read == 22
