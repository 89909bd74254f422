"""`ftwizard data inspect` and `ftwizard data split` from a shell, as an engineer would run them."""

from __future__ import annotations

import json

from data_helpers import chat, make_model_dir, write_jsonl
from ftwizard.cli.main import main
from ftwizard.data.report import DatasetReport


def test_inspect_prints_a_summary_and_exits_0_despite_bad_rows(tmp_path, capsys):
    f = write_jsonl(tmp_path / "support.jsonl", [chat("q1", "a1"), "{oops", chat("q2", "")])
    assert main(["data", "inspect", str(f)]) == 0
    out = capsys.readouterr().out
    assert "3 rows (jsonl, format messages, detected)" in out
    assert "good rows: 1   rows with problems: 2" in out
    assert "line 2: $: bad_json" in out
    assert "line 3: $.messages[1].content: empty_turn: assistant turn is empty" in out
    assert "tokens per example (estimate" in out


def test_inspect_json_is_a_dataset_report(tmp_path, capsys):
    model = make_model_dir(tmp_path / "m", ["hello", "world"], 2048)
    f = write_jsonl(tmp_path / "d.jsonl", [chat("hello", "world"), chat("hello world", "world")])
    report_file = tmp_path / "report.json"
    code = main(["data", "inspect", str(f), "--model-dir", str(model), "--seq-len", "13",
                 "--json", "--report", str(report_file)])
    assert code == 0
    printed = DatasetReport.model_validate_json(capsys.readouterr().out)
    saved = DatasetReport.model_validate_json(report_file.read_text())
    assert printed.tokens.method == "tokenizer" and printed.tokens.max_tokens == 13
    assert printed.examples_over_seq_len == 0 and printed.context_tokens == 2048
    assert saved.file_sha256 == printed.file_sha256 and len(saved.file_sha256) == 64


def test_csv_with_columns_and_an_explicit_format(tmp_path, capsys):
    f = tmp_path / "faq.csv"
    f.write_text("question,answer\nq1,a1\nq2,a2\n", encoding="utf-8")
    code = main(["data", "inspect", str(f), "--format", "prompt_completion",
                 "--columns", "prompt=question,completion=answer", "--json"])
    assert code == 0
    r = json.loads(capsys.readouterr().out)
    assert (r["format"], r["format_detected"], r["rows_good"]) == ("prompt_completion", False, 2)
    assert r["columns"] == {"prompt": "question", "completion": "answer"}


def test_unreadable_or_unknown_files_exit_2_naming_file_and_line(tmp_path, capsys):
    assert main(["data", "inspect", str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: file not found" in capsys.readouterr().err
    odd = write_jsonl(tmp_path / "odd.jsonl", [{"question": "q", "answer": "a"}])
    assert main(["data", "inspect", str(odd)]) == 2
    assert "odd.jsonl: line 1: no known row format" in capsys.readouterr().err
    assert main(["data", "inspect", str(odd), "--columns", "prompt"]) == 2
    assert "--columns: 'prompt' is not FIELD=COLUMN" in capsys.readouterr().err
    assert main(["data", "inspect", str(odd), "--columns", "question=prompt"]) == 2
    assert "unknown field 'question'" in capsys.readouterr().err
    # The mapping makes the same file readable.
    assert main(["data", "inspect", str(odd), "--columns", "prompt=question,completion=answer"]) == 0


def test_split_from_the_command_line(tmp_path, capsys):
    f = write_jsonl(tmp_path / "d.jsonl", [chat(f"q{i}", f"a{i}") for i in range(50)] + ["{bad"])
    out = tmp_path / "split"
    assert main(["data", "split", str(f), "--holdout", "0.2", "--seed", "5", "--out", str(out), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["rows_train"], s["rows_holdout"], s["rows_skipped"], s["seed"]) == (40, 10, 1, 5)
    assert len((out / "holdout.jsonl").read_bytes().splitlines()) == 10
    assert main(["data", "split", str(f), "--holdout", "2", "--out", str(out)]) == 2
    assert "between 0 and 1" in capsys.readouterr().err


def test_help_states_the_exit_codes_and_schema_is_exported(capsys):
    try:
        main(["data", "inspect", "--help"])
    except SystemExit:
        pass
    help_text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 when the file was read (even if some rows have problems" in help_text
    assert main(["schema", "dataset-report"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "problems_by_kind" in schema["properties"] and schema["title"] == "DatasetReport"
