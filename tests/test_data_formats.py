"""Every row format a team brings is recognised and becomes the same canonical example."""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data_helpers import chat, write_jsonl
from ftwizard.base.errors import DatasetError
from ftwizard.data import Example, RowProblem, Turn, iter_examples
from ftwizard.data.formats import FORMAT_FIELDS, FORMATS, normalise
from ftwizard.data.readers import open_dataset

HELLO = (Turn("user", "How do I reset my password?"), Turn("assistant", "Use the link on the login page."))


def only_examples(path, **kw) -> list[tuple[int, Example]]:
    out = list(iter_examples(path, **kw))
    assert all(isinstance(x, Example) for _, x in out), out
    return out


def test_openai_messages_jsonl_becomes_turns(tmp_path):
    f = write_jsonl(tmp_path / "support.jsonl", [
        chat("How do I reset my password?", "Use the link on the login page.", system="Be brief."),
        chat("How do I reset my password?", "Use the link on the login page."),
    ])
    rows = only_examples(f)
    assert open_dataset(f).format == "messages"
    assert rows[0] == (1, Example("chat", turns=(Turn("system", "Be brief."),) + HELLO))
    assert rows[1] == (2, Example("chat", turns=HELLO))


def test_openai_content_parts_and_developer_role_are_read(tmp_path):
    f = write_jsonl(tmp_path / "parts.jsonl", [{"messages": [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "How do I reset "}, {"type": "text", "text": "my password?"}]},
        {"role": "assistant", "content": "Use the link on the login page."},
    ]}])
    [(_, ex)] = only_examples(f)
    assert ex.turns == (Turn("system", "Be brief."),) + HELLO


def test_sharegpt_conversations_map_speakers_to_roles(tmp_path):
    f = write_jsonl(tmp_path / "sharegpt.jsonl", [{"conversations": [
        {"from": "human", "value": "How do I reset my password?"},
        {"from": "gpt", "value": "Use the link on the login page."},
    ], "system": "Be brief."}])
    assert open_dataset(f).format == "sharegpt"
    [(_, ex)] = only_examples(f)
    assert ex.turns == (Turn("system", "Be brief."),) + HELLO


def test_alpaca_instruction_input_output(tmp_path):
    f = write_jsonl(tmp_path / "alpaca.jsonl", [
        {"instruction": "Summarise.", "input": "A long memo.", "output": "A memo."},
        {"instruction": "Say hi.", "input": "", "output": "Hi."},
    ])
    assert open_dataset(f).format == "alpaca"
    rows = only_examples(f)
    assert rows[0][1].turns == (Turn("user", "Summarise.\n\nA long memo."), Turn("assistant", "A memo."))
    assert rows[1][1].turns == (Turn("user", "Say hi."), Turn("assistant", "Hi."))


def test_prompt_completion(tmp_path):
    f = write_jsonl(tmp_path / "pc.jsonl", [{"prompt": "How do I reset my password?", "completion": "Use the link on the login page."}])
    assert open_dataset(f).format == "prompt_completion"
    assert only_examples(f) == [(1, Example("chat", turns=HELLO))]


def test_plain_text(tmp_path):
    f = write_jsonl(tmp_path / "corpus.jsonl", [{"text": "Clause 4 applies."}, {"text": "Clause 5 too."}])
    assert open_dataset(f).format == "text"
    assert [ex.text for _, ex in only_examples(f)] == ["Clause 4 applies.", "Clause 5 too."]


def test_preference_pairs_plain_and_conversational(tmp_path):
    f = write_jsonl(tmp_path / "dpo.jsonl", [
        {"prompt": "Reset?", "chosen": "Use the link.", "rejected": "No idea."},
        {"prompt": [{"role": "user", "content": "Reset?"}],
         "chosen": [{"role": "assistant", "content": "Use the link."}],
         "rejected": [{"role": "assistant", "content": "No idea."}]},
    ])
    assert open_dataset(f).format == "preference"
    rows = only_examples(f)
    expected = Example("preference", turns=(Turn("user", "Reset?"),), chosen="Use the link.", rejected="No idea.")
    assert rows == [(1, expected), (2, expected)]
    assert rows[0][1].to_dict() == {
        "prompt": [{"role": "user", "content": "Reset?"}], "chosen": "Use the link.", "rejected": "No idea.",
    }


def test_json_array_rows_keep_their_line_numbers(tmp_path):
    f = tmp_path / "rows.json"
    f.write_text(
        '[\n  {"prompt": "a", "completion": "b"},\n  {"prompt": "c",\n   "completion": ""},\n'
        '  {"prompt": "e", "completion": "f"}\n]\n',
        encoding="utf-8",
    )
    assert open_dataset(f).container == "json"
    rows = list(iter_examples(f))
    assert [line for line, _ in rows] == [2, 3, 5]
    assert isinstance(rows[1][1], RowProblem) and rows[1][1].field == "$.completion"


def test_json_suffix_holding_one_object_per_line_is_read_as_jsonl(tmp_path):
    f = write_jsonl(tmp_path / "rows.json", [{"text": "one"}, {"text": "two"}])
    assert open_dataset(f).container == "jsonl"
    assert len(only_examples(f)) == 2


def test_csv_with_a_column_mapping(tmp_path):
    f = tmp_path / "faq.csv"
    f.write_text('question,answer,id\nHow do I reset my password?,"Use the link on\nthe login page.",1\nSay hi.,Hi.,2\n', encoding="utf-8")
    rows = only_examples(f, columns={"prompt": "question", "completion": "answer"})
    assert open_dataset(f, columns={"prompt": "question", "completion": "answer"}).format == "prompt_completion"
    # A quoted cell spanning two lines: the next row starts on line 4.
    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1].turns[1].content == "Use the link on\nthe login page."


def test_tsv_and_messages_as_json_text_in_a_cell(tmp_path):
    f = tmp_path / "chats.tsv"
    cell = json.dumps(chat("How do I reset my password?", "Use the link on the login page.")["messages"])
    f.write_text(f"messages\n{cell}\n", encoding="utf-8")
    assert only_examples(f) == [(2, Example("chat", turns=HELLO))]


def test_format_override_wins_over_detection(tmp_path):
    # Rows that carry both 'text' and prompt/completion: detection says prompt_completion.
    f = write_jsonl(tmp_path / "both.jsonl", [{"prompt": "p", "completion": "c", "text": "t"}])
    assert open_dataset(f).format == "prompt_completion"
    src = open_dataset(f, fmt="text")
    assert src.format == "text" and not src.format_detected
    assert only_examples(f, fmt="text") == [(1, Example("text", text="t"))]


def test_detection_follows_the_majority_of_rows(tmp_path):
    f = write_jsonl(tmp_path / "mixed.jsonl", [{"text": "a"}] + [chat("q", "a")] * 3)
    assert open_dataset(f).format == "messages"


def test_unknown_format_names_file_and_line(tmp_path):
    f = write_jsonl(tmp_path / "odd.jsonl", [{"question": "q", "answer": "a"}])
    with pytest.raises(DatasetError, match=r"odd\.jsonl: line 1: no known row format"):
        open_dataset(f)
    with pytest.raises(DatasetError, match="unknown format 'chatml'"):
        open_dataset(f, fmt="chatml")


def test_a_file_with_no_readable_row_names_the_first_bad_line(tmp_path):
    f = tmp_path / "broken.jsonl"
    f.write_text("\n\n{not json\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"broken\.jsonl: line 3: no row could be read \(invalid JSON"):
        open_dataset(f)


def test_unreadable_files_are_refused_clearly(tmp_path):
    with pytest.raises(DatasetError, match="missing.jsonl: file not found"):
        open_dataset(tmp_path / "missing.jsonl")
    with pytest.raises(DatasetError, match="is a folder"):
        open_dataset(tmp_path)
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(DatasetError, match="empty.jsonl: the file has no rows"):
        open_dataset(empty)
    bad_array = tmp_path / "bad.json"
    bad_array.write_text('[\n {"text": "a"}\n {"text": "b"}\n]', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.json: line 3: invalid JSON"):
        list(iter_examples(bad_array))
    odd = tmp_path / "notes.txt"
    odd.write_text("hello", encoding="utf-8")
    with pytest.raises(DatasetError, match="cannot tell the file type"):
        open_dataset(odd)


def test_parquet_without_pyarrow_says_what_to_install(tmp_path, monkeypatch):
    # A None entry in sys.modules makes `import pyarrow` fail, installed or not.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    f = tmp_path / "rows.parquet"
    f.write_bytes(b"PAR1")
    with pytest.raises(DatasetError, match=r"Parquet files need the pyarrow package.*ftwizard\[parquet\]"):
        open_dataset(f)


def test_parquet_rows(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    f = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"prompt": ["q1", "q2", ""], "completion": ["a1", "a2", "a3"]}), f)
    rows = list(iter_examples(f))
    assert [line for line, _ in rows] == [1, 2, 3]
    assert rows[0][1] == Example("chat", turns=(Turn("user", "q1"), Turn("assistant", "a1")))
    assert isinstance(rows[2][1], RowProblem) and rows[2][1].field == "$.prompt"


def test_a_corrupt_parquet_file_is_refused_with_its_name(tmp_path):
    pytest.importorskip("pyarrow")
    f = tmp_path / "rows.parquet"
    f.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(DatasetError, match=r"rows\.parquet: unreadable Parquet"):
        list(iter_examples(f, fmt="text"))


# Any JSON a user's file may hold: never a crash, and a reason never repeats a value.
_SECRET = "QZXSECRETQZX"
_keys = st.sampled_from(sorted({k for f in FORMAT_FIELDS.values() for k in f} | {
    "messages", "conversations", "role", "content", "from", "value", "type", "text", _SECRET}))
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.sampled_from(["", " ", _SECRET, "user", "assistant", "human", "gpt", "system"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(record=_json, fmt=st.sampled_from(FORMATS))
def test_any_json_row_gives_an_example_or_a_problem_that_quotes_nothing(record, fmt):
    result = normalise(record, fmt, line=7)
    assert isinstance(result, Example | RowProblem)
    if isinstance(result, RowProblem):
        assert result.line == 7
        assert _SECRET not in result.reason
        assert result.field.startswith("$")
