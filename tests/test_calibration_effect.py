"""Runs recorded on the user's own workstation correct later estimates and plans: in the
right direction, by a bounded amount, saying so wherever the figure is shown."""

from __future__ import annotations

import json
import re

import pytest

from ftwizard.base.paths import data_dir
from ftwizard.catalog.store import load_catalog
from ftwizard.cli.main import main
from ftwizard.estimate.calibrated import CalibrationLookup, estimate_calibrated
from ftwizard.estimate.calibration import MAX_FACTOR, CalibrationRecord, CalibrationStore
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import EstimateRequest
from ftwizard.recommend.plan import load_plan, save_plan
from ftwizard.recommend.ranking import recommend
from recommend_helpers import answers_file

GPU_NAME = "NVIDIA GeForce RTX 4090"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def llama_8b_qlora(**kw) -> EstimateRequest:
    base = dict(model_id="llama-3.1-8b", method="qlora", optimizer="paged_adamw_8bit", seq_len=1024,
                gpu_id="rtx-4090", examples=2000, avg_tokens=600, epochs=2)
    return EstimateRequest(**(base | kw))


def run_record(catalog, model_id: str, method: str, memory_ratio: float, speed_ratio: float = 1.0,
               gpu_id: str = "rtx-4090") -> CalibrationRecord:
    """A finished run: the estimator said 10 GB and 2000 tokens/s, the GPU measured ratio x that."""
    m = catalog.model(model_id)
    a = m.architecture
    return CalibrationRecord(
        gpu_name=catalog.gpu(gpu_id).name, gpu_id=gpu_id, driver_version="550.107.02", torch_version="2.13.0",
        model_type=a.model_type, params_b=m.params_b, hidden_size=a.hidden_size,
        num_hidden_layers=a.num_hidden_layers, method=method, seq_len=1024, micro_batch=1, grad_ckpt=True,
        optimizer="paged_adamw_8bit", estimated_peak_gb=10.0, measured_peak_gb=10.0 * memory_ratio,
        estimated_tokens_per_s=2000.0, measured_tokens_per_s=2000.0 * speed_ratio,
    )


def test_runs_that_needed_more_memory_and_ran_slower_raise_the_estimate_by_a_bounded_amount(catalog):
    store = CalibrationStore()
    for _ in range(3):
        store.add(run_record(catalog, "llama-3.1-8b", "qlora", memory_ratio=1.2, speed_ratio=0.8))
    plain = estimate(llama_8b_qlora(), catalog)
    cal = estimate_calibrated(llama_8b_qlora(), catalog, store)

    factor = cal.peak_vram_gb / plain.peak_vram_gb
    assert 1.0 < factor < 1.2  # toward the measurements, never past them (shrunk with 3 runs)
    assert cal.calibrated_runs == 3 and cal.calibration.startswith("calibrated from 3 runs on this GPU")
    # The breakdown stays the physics; the correction is its own line and the parts add up.
    assert cal.breakdown_gb["calibration"] == pytest.approx(cal.peak_vram_gb - plain.peak_vram_gb, abs=0.002)
    assert {k: v for k, v in cal.breakdown_gb.items() if k != "calibration"} == plain.breakdown_gb
    assert sum(cal.breakdown_gb.values()) == pytest.approx(cal.peak_vram_gb, abs=0.01)
    # Few runs: the range is wider than the scaled physics range.
    low, high = cal.range_gb
    assert low < plain.range_gb[0] * factor and high > plain.range_gb[1] * factor
    assert cal.margin_gb == pytest.approx(plain.margin_gb - (cal.peak_vram_gb - plain.peak_vram_gb), abs=0.002)
    # Slower on this GPU: fewer tokens/s, more hours, more electricity; other GPUs keep the physics speed.
    slow = cal.tokens_per_s / plain.tokens_per_s
    assert 0.8 < slow < 1.0
    assert cal.train_hours == pytest.approx(plain.train_hours / slow, rel=1e-3)
    local = {c.gpu_id: c for c in cal.costs if c.pricing == "electricity"}["rtx-4090"]
    assert local.hours == pytest.approx(cal.train_hours, rel=1e-3)
    h100 = [(a.hours, b.hours) for a, b in zip(plain.costs, cal.costs, strict=True) if a.gpu_id == "h100-sxm-80gb"]
    assert h100 and all(a == b for a, b in h100)
    assert any(line.startswith("Calibrated from 3 runs") for line in cal.assumptions)


def test_runs_that_needed_less_memory_lower_the_estimate(catalog):
    recs = [run_record(catalog, "llama-3.1-8b", "qlora", memory_ratio=0.8)] * 4
    plain = estimate(llama_8b_qlora(), catalog)
    cal = estimate_calibrated(llama_8b_qlora(), catalog, recs)
    assert 0.8 < cal.peak_vram_gb / plain.peak_vram_gb < 1.0
    assert cal.breakdown_gb["calibration"] < 0
    assert cal.tokens_per_s == plain.tokens_per_s  # same speed recorded: speed x1.00


def test_an_absurd_run_cannot_move_an_estimate_beyond_the_clamp(catalog):
    recs = [run_record(catalog, "llama-3.1-8b", "qlora", memory_ratio=10.0)] * 50
    plain = estimate(llama_8b_qlora(seq_len=4096), catalog)
    cal = estimate_calibrated(llama_8b_qlora(seq_len=4096), catalog, recs)
    assert cal.peak_vram_gb == pytest.approx(plain.peak_vram_gb * MAX_FACTOR, abs=0.002)
    assert plain.fits and cal.fits is False  # twice the peak no longer fits 24 GB: the verdict follows


def test_without_matching_records_the_estimate_is_the_physics(catalog):
    plain = estimate(llama_8b_qlora(), catalog)
    assert estimate_calibrated(llama_8b_qlora(), catalog, CalibrationStore()) == plain  # empty store
    elsewhere = [
        run_record(catalog, "llama-3.1-8b", "qlora", 1.5, gpu_id="a100-80gb-sxm"),  # another GPU
        run_record(catalog, "llama-3.1-8b", "full", 1.5),  # another method
    ]
    assert estimate_calibrated(llama_8b_qlora(), catalog, elsewhere) == plain
    no_gpu = llama_8b_qlora(gpu_id=None)
    assert estimate_calibrated(no_gpu, catalog, [run_record(catalog, "llama-3.1-8b", "qlora", 1.5)]).calibration is None


def test_corrections_are_looked_up_once_per_gpu_architecture_and_method(catalog):
    lookup = CalibrationLookup([run_record(catalog, "llama-3.1-8b", "qlora", 1.2)])
    arch = catalog.model("llama-3.1-8b").architecture
    first = lookup.correction(catalog.gpu("rtx-4090"), arch, "qlora")
    assert first is not None and first.runs == 1
    assert lookup.correction(catalog.gpu("rtx-4090"), arch, "qlora") is first  # cached
    assert lookup.correction(catalog.gpu("h100-sxm-80gb"), arch, "qlora") is None  # no record there
    assert CalibrationLookup.of([]) is None and CalibrationLookup.of(CalibrationStore()) is None


def _recorded_4090(catalog, ratio: float = 1.15, speed: float = 0.85) -> CalibrationStore:
    """The team's workstation after three runs of each method (any model: same GPU and method)."""
    store = CalibrationStore()
    for method in ("qlora", "lora", "full"):
        for _ in range(3):
            store.add(run_record(catalog, "llama-3.1-8b", method, ratio, speed))
    return store


def test_a_plan_on_the_recorded_gpu_says_its_figures_are_calibrated(tmp_path, catalog):
    answers = answers_file(tmp_path, languages=["en"])  # one local RTX 4090
    plain = recommend(answers, catalog, top=5)
    store = _recorded_4090(catalog)
    plan = recommend(answers, catalog, top=5, calibration=store)
    assert plan.recommendations and all(r.calibration for r in plan.recommendations)
    for r in plan.recommendations:
        assert re.match(r"calibrated from 3 runs on this GPU \(.+\): memory x1\.\d\d, speed x0\.\d\d", r.calibration)
        assert r.margin_gb is not None and r.peak_vram_gb <= r.hardware.gpu_memory_gb
    same = {(r.model_id, r.technique, r.hyperparameters.micro_batch): r for r in plain.recommendations}
    compared = 0
    for r in plan.recommendations:
        before = same.get((r.model_id, r.technique, r.hyperparameters.micro_batch))
        if before is not None:
            compared += 1
            assert before.peak_vram_gb < r.peak_vram_gb <= before.peak_vram_gb * 1.15 + 0.01
            assert before.train_hours < r.train_hours
    assert compared
    assert any("Calibrated figures" in a and "#1" in a for a in plan.assumptions)
    assert not any("Calibrated figures" in a for a in plain.assumptions)
    assert all(r.calibration is None for r in plain.recommendations)

    # The saved plan keeps the sentence; the --json summary carries it.
    save_plan(plan, tmp_path / "plan.json")
    again = load_plan(tmp_path / "plan.json")
    assert again.chosen.calibration == plan.chosen.calibration
    saved = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert saved["recommendations"][0]["calibration"].startswith("calibrated from 3 runs")


def test_a_busy_cloud_plan_takes_each_gpus_own_records(tmp_path, catalog):
    """Cloud offers are screened by the sweep: an H100 with records is corrected, others are not."""
    answers = answers_file(
        tmp_path, languages=["en"], compliance={"regulated_data": False},
        hardware={"mode": "cloud", "gpus": []}, budget={"training_usd": 3000, "monthly_inference_usd": None},
    )
    plain = recommend(answers, catalog)
    records = [run_record(catalog, "llama-3.1-8b", m, 1.3, 0.7, gpu_id=g)
               for g in ("h100-sxm-80gb", "a100-80gb-sxm", "l40s", "rtx-a6000") for m in ("qlora", "lora", "full")]
    plan = recommend(answers, catalog, calibration=records)
    recorded = {"h100-sxm-80gb", "a100-80gb-sxm", "l40s", "rtx-a6000"}
    assert any(r.calibration for r in plan.recommendations)
    for r in plan.recommendations:
        assert (r.calibration is not None) == (r.hardware.gpu_id in recorded)
        assert r.peak_vram_gb <= r.hardware.gpu_memory_gb
    before = {(r.model_id, r.technique, r.hardware.gpu_id, r.hardware.count): r for r in plain.recommendations}
    moved = [(before[k], r) for r in plan.recommendations
             if r.calibration and (k := (r.model_id, r.technique, r.hardware.gpu_id, r.hardware.count)) in before
             and before[k].hyperparameters == r.hyperparameters]
    assert moved
    for b, r in moved:
        assert b.peak_vram_gb < r.peak_vram_gb <= b.peak_vram_gb * 1.3 + 0.01
        assert b.train_hours < r.train_hours


@pytest.mark.slow
def test_the_pdf_shows_the_calibration_beside_the_figures(qapp, tmp_path, catalog):
    from pypdf import PdfReader

    from ftwizard.report.pdf import write_plan_pdf

    plan = recommend(answers_file(tmp_path, languages=["en"]), catalog, top=3, calibration=_recorded_4090(catalog))
    write_plan_pdf(plan, tmp_path / "plan.pdf", catalog)
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(str(tmp_path / "plan.pdf")).pages))
    sentence = plan.chosen.calibration
    assert f"Memory and time are {sentence}." in text
    assert f"These figures are {sentence}" in text
    assert re.search(r"calibration -?\d+\.\d\d", text)  # the breakdown's own line
    assert "Calibrated figures" in text  # the assumptions


def test_ftwizard_estimate_applies_the_records_of_the_named_gpu(capsys, catalog):
    _recorded_4090(catalog, ratio=1.2, speed=0.8)
    args = ["estimate", "--model", "llama-3.1-8b", "--method", "qlora", "--seq-len", "1024",
            "--optimizer", "paged_adamw_8bit", "--json"]

    def run(*extra: str) -> dict:
        assert main([*args, *extra]) == 0
        return json.loads(capsys.readouterr().out)

    cal = run("--gpu", GPU_NAME)
    off = run("--gpu", GPU_NAME, "--no-calibration")
    no_gpu = run()
    assert cal["calibrated_runs"] == 3 and "calibrated from 3 runs" in cal["calibration"]
    assert off["calibrated_runs"] == 0 and off["calibration"] is None and "calibration" not in off["breakdown_gb"]
    assert no_gpu["calibration"] is None
    assert off["peak_vram_gb"] < cal["peak_vram_gb"] < off["peak_vram_gb"] * 1.2
    assert cal["tokens_per_s"] < off["tokens_per_s"]
    assert main(["estimate", *args[1:-1], "--gpu", GPU_NAME]) == 0
    text = capsys.readouterr().out
    assert "Calibration: calibrated from 3 runs" in text and re.search(r"\n  calibration +\d+\.\d\d GB", text)


def test_a_corrupt_calibration_database_never_blocks_an_estimate_or_a_plan(tmp_path, capsys):
    db = data_dir() / "calibration.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    assert main(["estimate", "--model", "llama-3.1-8b", "--method", "qlora", "--seq-len", "512",
                 "--gpu", "rtx-4090", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["calibration"] is None
    assert "moved to calibration.sqlite3.corrupt-" in out.err
    assert list(db.parent.glob("calibration.sqlite3.corrupt-*"))


def test_ftwizard_plan_uses_the_records_unless_told_not_to(tmp_path, capsys, catalog):
    _recorded_4090(catalog)
    path = tmp_path / "answers.json"
    path.write_text(answers_file(tmp_path, languages=["en"]).model_dump_json(), encoding="utf-8")
    assert main(["plan", "--answers", str(path), "--top", "3", "--json"]) == 0
    cal = json.loads(capsys.readouterr().out)
    assert main(["plan", "--answers", str(path), "--top", "3", "--json", "--no-calibration"]) == 0
    off = json.loads(capsys.readouterr().out)
    assert all(r["calibration"].startswith("calibrated from 3 runs") for r in cal["recommendations"])
    assert all(r["calibration"] is None for r in off["recommendations"])
    assert main(["plan", "--answers", str(path), "--top", "3"]) == 0
    assert "  - Memory and time are calibrated from 3 runs" in capsys.readouterr().out
