"""No row text ever leaves the dataset: a unique canary planted in good and bad rows never shows
up on stdout, stderr, in a log (at DEBUG) or in a saved report, whatever the command does."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from data_helpers import write_jsonl
from ftwizard.base.logs import setup_logging
from ftwizard.base.paths import log_dir
from ftwizard.cli.main import main
from ftwizard.data.inspection import inspect
from ftwizard.data.split import split

CANARY = "CANARY-7f3a9c1e-patient-Jones"


def canary_rows() -> list:
    c = CANARY
    return [
        {"messages": [{"role": "user", "content": f"{c} asks"}, {"role": "assistant", "content": f"{c} answered"}]},
        {"messages": [{"role": "user", "content": f"{c} asks"}, {"role": "assistant", "content": f"{c} answered"}]},
        '{"messages": [{"role": "user", "content": "' + c + '"',  # broken JSON around it
        {"messages": [{"role": c, "content": "x"}, {"role": "assistant", "content": "y"}]},  # as a role
        {"messages": [{"role": "user", "content": c}, {"role": "assistant", "content": ""}]},
        {"messages": [{"role": "user", "content": c}]},
        {"messages": [{"role": "user", "content": [c]}, {"role": "assistant", "content": "y"}]},
        {"messages": c},
        {"messages": [{"role": "user", "content": f"mail {c}@example.com, card 4111 1111 1111 1111"},
                      {"role": "assistant", "content": f"{c} " * 50}]},
        {c: "a key no format knows", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
    ]


@pytest.fixture()
def debug_logs(caplog):
    """Every ftwizard logger at DEBUG into caplog and into the real log file."""
    caplog.set_level(logging.DEBUG)
    handler = setup_logging(logging.DEBUG)
    yield caplog
    logging.getLogger("ftwizard").removeHandler(handler)
    handler.close()


def assert_no_canary(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text
        assert CANARY.lower() not in text.lower()


def test_canary_never_appears_in_any_output(tmp_path, capsys, debug_logs):
    data = write_jsonl(tmp_path / "ward.jsonl", canary_rows())
    csv_file = tmp_path / "ward.csv"
    csv_file.write_text(f"prompt,completion\n{CANARY} q,{CANARY} a\n{CANARY},\nx,y,z\n", encoding="utf-8")
    unknown = write_jsonl(tmp_path / "unknown.jsonl", [{CANARY: CANARY}])
    report_file = tmp_path / "report.json"
    model = tmp_path / "model"

    from data_helpers import make_model_dir

    make_model_dir(model, ["asks", "answered"], context_tokens=20)

    # The library, directly.
    reports = [inspect(data), inspect(data, model_dir=model, seq_len=8), inspect(csv_file)]
    summary = split(data, holdout=0.5, seed=1, out_dir=tmp_path / "split")
    # The command line: text, --json, --report, split, and the error path.
    codes = [
        main(["data", "inspect", str(data)]),
        main(["data", "inspect", str(data), "--json", "--report", str(report_file)]),
        main(["data", "inspect", str(data), "--model-dir", str(model), "--context-tokens", "20"]),
        main(["data", "inspect", str(csv_file), "--json"]),
        main(["data", "split", str(data), "--out", str(tmp_path / "split2")]),
        main(["data", "split", str(data), "--out", str(tmp_path / "split3"), "--json"]),
        main(["data", "inspect", str(unknown)]),
        main(["data", "inspect", str(unknown), "--format", "messages", "--json"]),
    ]
    assert codes == [0, 0, 0, 0, 0, 0, 2, 0]
    captured = capsys.readouterr()

    # The canary really was in every kind of row that matters: problems of each kind were found.
    r = reports[0]
    assert {"bad_json", "unknown_role", "empty_turn", "no_assistant_turn", "wrong_type", "duplicate"} <= set(r.problems_by_kind)
    assert {f.kind for f in r.pii.findings if f.rows} == {"email", "card_number"}
    assert reports[1].problems_by_kind.get("too_long", 0) >= 1
    # ... and it still is in the user's own split files, where it belongs.
    assert CANARY in (tmp_path / "split" / "train.jsonl").read_text() + (tmp_path / "split" / "holdout.jsonl").read_text()

    log_text = "".join(p.read_text(encoding="utf-8") for p in log_dir().glob("*.log*"))
    assert "inspected ward.jsonl" in log_text  # the log is real and was written to
    assert_no_canary(
        captured.out,
        captured.err,
        debug_logs.text,
        log_text,
        report_file.read_text(),
        *(x.model_dump_json() for x in reports),
        summary.model_dump_json(),
        json.dumps([repr(x) for x in debug_logs.records]),
    )


def test_canary_never_appears_from_a_real_process(tmp_path):
    data = write_jsonl(tmp_path / "ward.jsonl", canary_rows())
    proc = subprocess.run(
        [sys.executable, "-m", "ftwizard", "data", "inspect", str(data), "--json"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows_bad"] > 0
    assert_no_canary(proc.stdout, proc.stderr)
