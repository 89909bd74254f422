"""Malformed rows are found before training, each with its line, field and reason, and the good
rows stay usable."""

from __future__ import annotations

from data_helpers import chat, make_model_dir, write_jsonl
from ftwizard.data.inspection import inspect
from ftwizard.data.report import MAX_PROBLEMS_LISTED, DatasetReport


def problems(report: DatasetReport) -> list[tuple[int, str, str]]:
    return [(p.line, p.field, p.kind) for p in report.problems]


def test_every_kind_of_bad_chat_row_is_reported_with_its_line(tmp_path):
    f = tmp_path / "support.jsonl"
    rows = [
        chat("Where is my parcel?", "It left the depot today."),  # 1 good
        '{"messages": [{"role": "user", "content": "unfinished"}',  # 2 bad JSON
        {"messages": [{"content": "no role"}, {"role": "assistant", "content": "ok"}]},  # 3
        {"messages": [{"role": "customer", "content": "hi"}, {"role": "assistant", "content": "ok"}]},  # 4
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "  "}]},  # 5
        {"messages": [{"role": "user", "content": "hi"}]},  # 6 nobody answers
        {"messages": "hi"},  # 7 wrong type
        {"text": "a row in the wrong format"},  # 8 no messages
        ["not", "an", "object"],  # 9
        chat("Where is my parcel?", "It left the depot today."),  # 10 duplicate of 1
        {"messages": [{"role": "user", "content": 42}, {"role": "assistant", "content": "ok"}]},  # 11
        chat("Can I change the address?", "Yes, until it ships."),  # 12 good
    ]
    write_jsonl(f, rows)
    with open(f, "ab") as fh:
        fh.write(b'{"messages": [{"role": "user", "content": "caf\xe9"}]}\n')  # 13 Latin-1, not UTF-8

    r = inspect(f)

    assert problems(r) == [
        (2, "$", "bad_json"),
        (3, "$.messages[0].role", "missing_role"),
        (4, "$.messages[0].role", "unknown_role"),
        (5, "$.messages[1].content", "empty_turn"),
        (6, "$.messages", "no_assistant_turn"),
        (7, "$.messages", "wrong_type"),
        (8, "$.messages", "missing_field"),
        (9, "$", "wrong_type"),
        (10, "$", "duplicate"),
        (11, "$.messages[0].content", "wrong_type"),
        (13, "$", "bad_encoding"),
    ]
    assert (r.rows_read, r.rows_good, r.rows_bad) == (13, 2, 11)
    assert r.problems_by_kind == {
        "bad_json": 1, "missing_role": 1, "unknown_role": 1, "empty_turn": 1, "no_assistant_turn": 1,
        "wrong_type": 3, "missing_field": 1, "duplicate": 1, "bad_encoding": 1,
    }
    assert r.tokens is not None and r.tokens.examples == 2
    assert r.turns_total == 4
    assert r.problems_listed_all


def test_reasons_say_what_is_wrong_in_plain_words(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [
        chat("q", "a"),
        {"messages": [{"role": "user", "content": ["x"]}, {"role": "assistant", "content": "a"}]},
        '{"messages": [}',
    ])
    by_line = {p.line: p.reason for p in inspect(f).problems}
    assert by_line[2] == "only text content parts are supported"
    assert by_line[3].startswith("invalid JSON at column 15:")


def test_empty_and_missing_fields_in_instruction_formats(tmp_path):
    f = write_jsonl(tmp_path / "alpaca.jsonl", [
        {"instruction": "Summarise.", "input": "", "output": "Short."},
        {"instruction": "Summarise.", "output": ""},
        {"instruction": "", "output": "Short."},
        {"instruction": "Translate.", "input": 3, "output": "x"},
        {"instruction": "Translate."},
    ])
    r = inspect(f, fmt="alpaca")
    assert problems(r) == [
        (2, "$.output", "empty_field"),
        (3, "$.instruction", "empty_field"),
        (4, "$.input", "wrong_type"),
        (5, "$.output", "missing_field"),
    ]
    assert r.rows_good == 1


def test_preference_rows_need_both_answers(tmp_path):
    f = write_jsonl(tmp_path / "dpo.jsonl", [
        {"prompt": "p", "chosen": "good", "rejected": "bad"},
        {"prompt": "p", "chosen": "good", "rejected": ""},
        {"chosen": "good", "rejected": "bad"},
        {"prompt": "p", "chosen": [{"role": "assistant", "content": ""}], "rejected": "bad"},
    ])
    r = inspect(f)
    assert r.format == "preference"
    assert problems(r) == [
        (2, "$.rejected", "empty_field"),
        (3, "$.prompt", "missing_field"),
        (4, "$.chosen[0].content", "empty_turn"),
    ]


def test_csv_rows_with_the_wrong_number_of_cells(tmp_path):
    f = tmp_path / "faq.csv"
    f.write_text("prompt,completion\nq1,a1\nq2\nq3,a3,extra\nq4,a4\n", encoding="utf-8")
    r = inspect(f)
    assert problems(r) == [(3, "$", "bad_csv"), (4, "$", "bad_csv")]
    assert r.rows_good == 2


def test_rows_longer_than_the_model_context_are_too_long(tmp_path):
    model = make_model_dir(tmp_path / "tiny-model", ["reset", "password", "link"], context_tokens=16)
    long_answer = " ".join(["link"] * 20)
    f = write_jsonl(tmp_path / "d.jsonl", [
        chat("reset password", "link"),  # 2 + 1 + 2 turns x 5 = 13 tokens
        chat("reset password", long_answer),  # 2 + 20 + 10 = 32 tokens
    ])
    r = inspect(f, model_dir=model)
    assert r.context_tokens == 16
    assert problems(r) == [(2, "$", "too_long")]
    assert r.problems[0].reason == "32 tokens, longer than the model's context of 16"
    assert r.rows_good == 1 and r.tokens.max_tokens == 13
    # An explicit limit overrides the model's own.
    assert inspect(f, model_dir=model, context_tokens=64).rows_bad == 0


def test_duplicates_are_found_however_the_json_is_spelled(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_text(
        '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}\n'
        '{ "messages":[ {"content":"hi","role":"user"},{"content":"hello","role":"assistant"} ] }\n'
        '{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello!"}]}\n',
        encoding="utf-8",
    )
    r = inspect(f)
    assert problems(r) == [(2, "$", "duplicate")]


def test_problem_list_is_capped_but_totals_count_everything(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [chat("q", "a")] + ["{bad"] * (MAX_PROBLEMS_LISTED + 3))
    r = inspect(f)
    assert r.rows_bad == MAX_PROBLEMS_LISTED + 3
    assert r.problems_by_kind == {"bad_json": MAX_PROBLEMS_LISTED + 3}
    assert len(r.problems) == MAX_PROBLEMS_LISTED
    assert r.problems[0].line == 2 and r.problems[-1].line == MAX_PROBLEMS_LISTED + 1
    assert not r.problems_listed_all


def test_blank_lines_and_a_byte_order_mark_are_not_problems(tmp_path):
    f = tmp_path / "d.jsonl"
    f.write_bytes(b'\xef\xbb\xbf{"text": "one"}\n\n   \n{"text": "two"}\r\n')
    r = inspect(f)
    assert (r.rows_read, r.rows_good, r.rows_bad) == (2, 2, 0)


def test_a_training_run_reads_only_the_usable_rows(tmp_path):
    from ftwizard.data import iter_usable

    f = write_jsonl(tmp_path / "d.jsonl", [chat("q1", "a1"), "{bad", chat("q1", "a1"), chat("q2", "a2")])
    assert [(line, ex.turns[0].content) for line, ex in iter_usable(f)] == [(1, "q1"), (4, "q2")]
