"""The plan PDF a team takes to a manager, a budget holder and a compliance officer.

The tests read the PDF back with pypdf, as a reader's PDF viewer would: every section is
there, the numbers printed are the plan's own, the text is selectable, fonts are embedded,
and a bad destination leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from ftwizard.base.errors import ExportError
from ftwizard.catalog.store import load_catalog
from ftwizard.report.plan_text import SECTIONS
from report_sample_plan import PROJECT, sample_plan


def _write(plan, path: Path, **kw) -> Path:
    from ftwizard.report.pdf import write_plan_pdf

    write_plan_pdf(plan, path, load_catalog(), **kw)
    return path


def _text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def sample_pdf(qapp, tmp_path_factory):
    """The sample plan's PDF, written once for the module (a PDF takes about a second)."""
    folder = tmp_path_factory.mktemp("pdf")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTWIZARD_HOME", str(folder / "home"))
        path = _write(sample_plan(folder), folder / "plan.pdf", page_size="a4")
    pages = _text(path)
    return path, pages, _squash("\n".join(pages))


def _starts(text: str) -> list[int]:
    """Where each section heading is, found in order after the title page's contents list
    (a title like "Hardware" also appears as a row name earlier in the text)."""
    pos = text.index("Every figure in this report")
    starts = []
    for title in SECTIONS:
        pos = text.index(title, pos)
        starts.append(pos)
    return starts


def _section(text: str, title: str) -> str:
    """The text from a section's heading to the next section's heading."""
    starts = _starts(text) + [len(text)]
    i = SECTIONS.index(title)
    return text[starts[i]:starts[i + 1]]


def test_every_section_is_in_the_pdf_in_order(sample_pdf):
    _, pages, text = sample_pdf
    assert len(_starts(text)) == len(SECTIONS)  # each found, each after the one before
    # The first page reads alone: the plan at a glance and the contents, then the recommendation.
    first = _squash(pages[0])
    assert "Recommended Qwen2.5 7B, QLoRA" in first and "Contents" in first
    assert first.index("Contents") < first.index("Recommendation Fine-tune")


def test_title_page_names_project_date_versions_and_catalog(sample_pdf):
    _, pages, _ = sample_pdf
    first = _squash(pages[0])
    plan = sample_plan()
    assert "Fine-tuning plan" in first and PROJECT in first
    assert "2026-11-28 09:30 UTC" in first
    assert f"ftwizard {plan.ftwizard_version}" in first
    assert "version 2026.11.0, as of 2026-11-28" in first


def test_ranked_table_prints_the_plans_own_numbers(sample_pdf):
    _, _, text = sample_pdf
    table = _section(text, "Ranked alternatives")
    # Sample: rank 1 Qwen2.5 7B QLoRA, 13.37 decimal GB (12.5 GB as vendors count), 6.25 h, $0.84 ...
    expected = [
        ("Qwen2.5 7B", "12.5", "6.2", "$0.84", "$188", "0.812"),
        ("Llama 3.1 8B", "20.4", "3.4", "$6.09", "$312", "0.774"),
        ("Gemma 2 9B", "16.6", "8.1", "$1.09", "—", "0.700"),
    ]
    for row in expected:
        start = table.index(row[0])
        chunk = table[start:start + 200]
        for value in row[1:]:
            assert value in chunk, (value, chunk)


def test_recommendation_paragraph_and_cost_section_agree_with_the_chosen_plan(sample_pdf):
    _, _, text = sample_pdf
    para = _section(text, "Recommendation")
    assert "Fine-tune Qwen2.5 7B (7.62 B parameters, Qwen/Qwen2.5-7B) with QLoRA" in para
    assert "12.5 GB of GPU memory per card of 24 GB usable" in para
    assert "about 6.2 hours for about $0.84 of electricity" in para
    cost = _section(text, "Memory, time and cost")
    assert "$0.84 = 6.2 h x 1 GPU x $0.14" in cost  # 0.135 USD/GPU-hour rounds to $0.14
    assert "Assumptions behind the figures" in cost
    assert "Achievable throughput is 40% of the GPU's dense BF16 peak." in cost
    # One memory convention and one currency, each stated once in the assumptions.
    assert "1 GB = 2^30 bytes" in cost and "Money is in US dollars" in cost
    assert "decimal GB (1e9 bytes)" not in cost.replace("The estimator works in decimal GB (1e9 bytes)", "")


def test_one_currency_everywhere_with_the_rate_and_its_date(qapp, tmp_path):
    from ftwizard.base.units import Money

    eur = Money(code="EUR", rate=0.9, as_of="2026-12-01")
    path = tmp_path / "eur.pdf"
    plan = sample_plan(tmp_path)
    first = plan.recommendations[0]  # the ranker's sentences quote US dollars
    first.reasons.append("Training takes about 6 hours and costs about $0.84 of electricity.")
    _write(plan, path, money=eur)
    text = _squash("\n".join(_text(path)))
    assert "€0.76" in text  # 0.84 USD x 0.9, in the recommendation and the tables
    assert "costs about €0.76 of electricity" in text  # and inside the ranker's own sentences
    assert "0.9 EUR per USD" in text and "as of 2026-12-01" in text
    assert "$" not in text.replace("US$", "")
    assert "training cost (EUR)" in text and "cost (EUR)" in text  # the chart axes too


def test_licence_obligations_come_from_the_catalog_for_the_chosen_model(qapp, tmp_path):
    """A commercial bot on Llama 3.1 must show Meta's user threshold, attribution and naming rule."""
    plan = sample_plan(tmp_path).model_copy(update={"chosen_index": 1})
    text = _squash("\n".join(_text(_write(plan, tmp_path / "llama.pdf", charts=False))))
    lic = load_catalog().licence("llama-3.1")
    section = _section(text, "Licence obligations")
    assert lic.name in section
    assert f"above {lic.user_threshold_mau:,} monthly active users" in section
    assert lic.attribution in section
    assert lic.naming in section
    assert _squash(lic.output_use_restrictions or "none stated")[:40] in section


def test_compliance_checklist_covers_data_airgap_holdout_and_logging(sample_pdf):
    _, _, text = sample_pdf
    section = _section(text, "Compliance checklist")
    for item in ("Where data and weights go", "Training", "Evaluation (holdout)", "Serving the tuned model",
                 "Backups", "Model weights (in)", "Air gap", "Holdout evaluation plan",
                 "Logging of dataset contents", "Licence duties", "Personal-data scan", "Dataset SHA-256"):
        assert item in section, item
    assert "your own workstation" in section and "within EU" in section
    assert "240 examples kept aside" in section
    assert "None. Logs hold steps" in section
    assert "Qwen/Qwen2.5-7B (Hugging Face)" in section
    for role in ("ML lead", "Manager", "Data-protection officer"):  # one sign-off each
        assert role in section
    assert "not inspected for this plan" in section  # no dataset given: said, not invented


def test_an_inspected_dataset_puts_its_file_hash_and_personal_data_scan_in_the_checklist(qapp, tmp_path):
    import json

    from ftwizard.data.inspection import inspect

    data = tmp_path / "letters.jsonl"
    rows = [{"messages": [{"role": "user", "content": f"Summarise letter {i}"},
                          {"role": "assistant", "content": "Discharged in good health."}]} for i in range(20)]
    rows[3]["messages"][0]["content"] = "Write to jane.roe@example.org about letter 3"
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = inspect(data)
    path = tmp_path / "with-data.pdf"
    _write(sample_plan(tmp_path), path, charts=False, dataset=report)
    section = _section(_squash("\n".join(_text(path))), "Compliance checklist")
    assert "letters.jsonl" in section
    assert report.file_sha256 in section.replace(" ", "")
    assert "1 of 20 rows look like they hold personal data" in section
    assert "jane.roe" not in section  # where, never what


def test_hardware_run_configuration_exclusions_and_sources(sample_pdf):
    _, _, text = sample_pdf
    assert "NVIDIA GeForce RTX 4090" in _section(text, "Hardware")
    run = _section(text, "Appendix: run configuration")
    for field, value in (("learning_rate", "0.0002"), ("seq_len", "2048"), ("grad_accum", "16"),
                         ("optimizer", "paged_adamw_8bit")):
        assert field in run and value in run
    assert "dpo_beta" not in run  # an SFT run does not list preference-tuning settings
    excluded = _section(text, "Excluded models")
    assert "Llama 3.1 70B" in excluded and "llama-3.1-70b" not in excluded  # names, as elsewhere
    assert "more than the 24 GB card" in excluded
    assert "German is not a supported language" in excluded
    sources = _section(text, "Sources")
    assert "lambda.ai/pricing" in sources


def test_every_page_has_the_footer_and_its_number(sample_pdf):
    _, pages, _ = sample_pdf
    n = len(pages)
    assert n >= 5
    for i, page in enumerate(pages, 1):
        flat = _squash(page)
        assert f"Page {i} of {n}" in flat
        assert PROJECT in flat and "catalog 2026.11.0" in flat


def test_fonts_are_embedded_and_charts_are_vectors_with_selectable_text(sample_pdf):
    path, _, text = sample_pdf
    reader = PdfReader(str(path))
    fonts, images = {}, {}
    for page in reader.pages:
        res = page["/Resources"]
        for font in res.get("/Font", {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            desc = desc.get_object()
            fonts[str(font["/BaseFont"])] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        for ref in res.get("/XObject", {}).values():
            xobj = ref.get_object()
            if xobj.get("/Subtype") == "/Image":
                images[ref.idnum] = (int(xobj["/Width"]), int(xobj["/Height"]))
    assert fonts and all(fonts.values()), fonts
    # Charts are drawn as vectors: no raster bigger than the 1x1 layout placeholders...
    assert all(size == (1, 1) for size in images.values()), images
    # ...and their words are text a reader can select and search.
    for words in ("Peak GPU memory per GPU", "Expected quality vs training cost",
                  "Training time and cost by GPU option", "24 GB", "Pareto front", "recommended"):
        assert words in text, words


def test_letter_paper_when_asked(qapp, tmp_path):
    path = _write(sample_plan(tmp_path), tmp_path / "letter.pdf", page_size="letter", charts=False)
    box = PdfReader(str(path)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_a_bad_page_size_is_an_export_error_and_writes_nothing(qapp, tmp_path):
    with pytest.raises(ExportError, match="legal"):
        _write(sample_plan(tmp_path), tmp_path / "x.pdf", page_size="legal")
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported_from_start_to_finish(qapp, tmp_path):
    seen: list[float] = []
    _write(sample_plan(tmp_path), tmp_path / "p.pdf", charts=False, progress=lambda f, _m: seen.append(f))
    assert seen == sorted(seen) and seen[0] < 0.2 and seen[-1] == 1.0


def test_a_plan_with_no_recommendation_still_gives_a_readable_pdf(qapp, tmp_path):
    plan = sample_plan(tmp_path).model_copy(
        update={"recommendations": [], "chosen_index": None, "run_config": None}
    )
    text = _squash("\n".join(_text(_write(plan, tmp_path / "none.pdf"))))
    assert "No plan meets every constraint" in text
    for title in SECTIONS:
        assert title in text


def test_missing_folder_is_an_export_error_naming_it(qapp, tmp_path):
    target = tmp_path / "no-such-folder" / "plan.pdf"
    with pytest.raises(ExportError, match="no-such-folder"):
        _write(sample_plan(tmp_path), target)
    assert not target.parent.exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_unwritable_folder_is_an_export_error_even_for_root(qapp, tmp_path):
    with pytest.raises(ExportError, match="/proc"):
        _write(sample_plan(tmp_path), Path("/proc/ftwizard-plan.pdf"), charts=False)
    assert not Path("/proc/ftwizard-plan.pdf").exists()


def test_a_full_disk_leaves_neither_the_pdf_nor_a_temp_file(qapp, tmp_path, monkeypatch):
    """ENOSPC surfaces at fsync on many file systems: simulate it there."""
    import errno

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ExportError, match="No space left on device"):
        _write(sample_plan(tmp_path), tmp_path / "full.pdf", charts=False)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_pdf_is_replaced_whole(qapp, tmp_path):
    target = tmp_path / "plan.pdf"
    target.write_bytes(b"old")
    _write(sample_plan(tmp_path), target, charts=False)
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.pdf"]


def test_business_case_gives_the_whole_cost_alternatives_with_figures_risks_and_the_scores_meaning(sample_pdf):
    _, _, text = sample_pdf
    case = _section(text, "Business case")
    # Cost beyond electricity: the run, rent or amortisation, repeat runs and people time as inputs.
    for item in ("Training run: electricity", "$0.84", "Repeat runs", "People time", "Serving, per month", "$188"):
        assert item in case, item
    assert "GPU time at rental price" in case or "GPU amortisation" in case
    # Real alternatives with their figures: prompting, retrieval, a smaller and a larger model.
    for item in ("Prompting the instruct model", "Retrieval (RAG)", "Larger: Gemma 2 9B QLoRA (#3)", "$1.09"):
        assert item in case, item
    assert "Quality is not known until measured" in case
    assert "for a summarization task it is 67% general knowledge (MMLU) + 33% multilingual" in case
    assert "Totals within 0.02 of each other are a tie" in case


def test_scores_within_the_tie_margin_are_called_a_tie_not_a_ranking(qapp, tmp_path):
    plan = sample_plan(tmp_path)
    plan.recommendations[1].score = 0.805  # 0.812 vs 0.805: within noise
    path = _write(plan, tmp_path / "tie.pdf", charts=False)
    text = _squash("\n".join(_text(path)))
    assert "score of 0.812 (a tie with #2: totals within 0.02 are not a ranking" in text
    assert "Tied with the recommendation: #2 Llama 3.1 8B LoRA (0.805)" in _section(text, "Business case")


def test_a_card_with_a_purchase_price_is_amortised_over_the_training_hours(qapp, tmp_path):
    """Where the catalog records what a card cost, the business case writes it off: price /
    (36 months x 730 h) x hours x cards (estimator_cost.AMORTISATION_MONTHS)."""
    from ftwizard.report.document import Html
    from ftwizard.report.plan_business import business_case

    catalog = load_catalog()
    card = catalog.gpu("rtx-4090").model_copy(update={"purchase_usd": 1752.0})

    class WithPrice:  # the shipped catalog, one card with a purchase price
        def gpu(self, gpu_id):
            return card if gpu_id == "rtx-4090" else catalog.gpu(gpu_id)

    h = Html()
    business_case(h, sample_plan(tmp_path), catalog=WithPrice())
    body = h.body()
    assert "GPU amortisation" in body
    assert "$0.42" in body  # 1752 / (36 x 730) x 6.25 h = 0.4167
    assert "written off over 36 months of 730 h, for 6.2 h" in body


def test_no_page_ends_with_a_section_heading(qapp, tmp_path):
    """Headings keep their text on every page of the shipped example's plan (a guard: the
    layout is redone after each moved heading, so one move cannot strand another)."""
    from ftwizard.cli.main import main

    pdf = tmp_path / "plan.pdf"
    assert main(["plan", "--answers", str(Path(__file__).parents[1] / "examples" / "answers-hospital-legal-qa.json"),
                 "--pdf", str(pdf)]) == 0
    for i, page in enumerate(PdfReader(str(pdf)).pages, 1):
        lines = [ln.strip() for ln in page.extract_text().splitlines() if ln.strip()]
        body = [ln for ln in lines if "Page " not in ln and "ftwizard" not in ln]
        assert body and body[-1] not in SECTIONS, (i, body[-1])
