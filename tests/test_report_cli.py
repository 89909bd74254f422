"""`ftwizard plan --answers FILE --pdf OUT.pdf [--json-out OUT.json]`, end to end, from the
answers files shipped in examples/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from ftwizard.base.units import mem
from ftwizard.catalog.store import load_catalog
from ftwizard.cli.main import main
from ftwizard.recommend.plan import load_plan

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HOSPITAL = str(EXAMPLES / "answers-hospital-legal-qa.json")


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(str(path)).pages))


@pytest.mark.slow
def test_the_cli_pdf_prints_the_saved_plans_numbers_and_reopens_identically(qapp, tmp_path, capsys):
    pdf, js = tmp_path / "plan.pdf", tmp_path / "plan.json"
    assert main(["plan", "--answers", HOSPITAL, "--pdf", str(pdf), "--json-out", str(js)]) == 0
    assert f"PDF written to {pdf}" in capsys.readouterr().out
    plan = load_plan(js)
    text = _text(pdf)
    chosen = plan.chosen
    assert chosen is not None
    assert f"Fine-tune {chosen.model_name}" in text
    assert f"about {mem(chosen.peak_vram_gb)} of GPU memory per card" in text
    for rec in plan.recommendations:
        assert rec.model_name in text and f"{rec.score:.3f}" in text
    catalog = load_catalog()
    for exc in plan.excluded[:5]:
        assert catalog.model(exc.model_id).name in text  # names, as the rest of the report

    # The saved plan opens back exactly as it was: its PDF says the same, word for word.
    from ftwizard.report.pdf import write_plan_pdf

    again = tmp_path / "again.pdf"
    write_plan_pdf(plan, again, load_catalog())
    assert _text(again) == text


def test_an_unwritable_pdf_path_exits_2_naming_it_and_leaves_no_file(qapp, tmp_path, capsys):
    target = tmp_path / "missing" / "plan.pdf"
    assert main(["plan", "--answers", HOSPITAL, "--pdf", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftwizard: error: ") and str(target) in err
    assert len(err.strip().splitlines()) == 1
    assert not target.parent.exists()


def test_a_pdf_path_that_is_a_folder_exits_2_and_the_folder_is_untouched(qapp, tmp_path, capsys):
    assert main(["plan", "--answers", HOSPITAL, "--pdf", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_folder_nobody_may_write_exits_2_and_leaves_nothing(qapp, capsys):
    target = Path("/proc/ftwizard-plan.pdf")
    assert main(["plan", "--answers", HOSPITAL, "--pdf", str(target)]) == 2
    assert str(target) in capsys.readouterr().err
    assert not target.exists()


@pytest.mark.slow
def test_a_dataset_report_puts_the_inspected_file_and_its_hash_in_the_checklist(qapp, tmp_path, capsys):
    import json

    data = tmp_path / "qa.jsonl"
    data.write_text("".join(json.dumps({"messages": [{"role": "user", "content": f"Question {i}?"},
                                                     {"role": "assistant", "content": "An answer."}]}) + "\n"
                            for i in range(12)))
    report = tmp_path / "qa-report.json"
    assert main(["data", "inspect", str(data), "--report", str(report)]) == 0
    pdf = tmp_path / "plan.pdf"
    assert main(["plan", "--answers", HOSPITAL, "--pdf", str(pdf), "--dataset-report", str(report)]) == 0
    out = capsys.readouterr().out
    assert "GPU GB" in out and "train USD" in out  # the CLI table: nameplate GB, the currency named
    text = _text(pdf)
    sha = json.loads(report.read_text())["file_sha256"]
    assert "qa.jsonl" in text and sha in text.replace(" ", "")
    assert "no likely personal data found in 12 rows" in text


def test_a_broken_dataset_report_exits_2_naming_the_file(qapp, tmp_path, capsys):
    bad = tmp_path / "r.json"
    bad.write_text('{"schema_version": 1}')
    assert main(["plan", "--answers", HOSPITAL, "--dataset-report", str(bad)]) == 2
    assert "r.json" in capsys.readouterr().err
