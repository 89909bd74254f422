"""The run report's record: what the run really trained on (its manifest's files and hashes),
tied to the plan it came from."""

from __future__ import annotations

import json
import re

from pypdf import PdfReader

from ftwizard.catalog.store import load_catalog
from ftwizard.recommend.plan import save_plan
from report_sample_plan import sample_plan
from run_folder_helpers import config_for, finished_run

MODEL_SHA = "3ec555e4515326d6355a00e2ffcf4ecc55233b" + "0" * 26
DATA_SHA = "0b3fd3e90fe426fe244d210ba4b102f8fa2de29ec4f5b5d1303854682e78b215"


def _manifest(run_dir, catalog_model_id):
    cfg = config_for(run_dir, catalog_model_id=catalog_model_id)
    return {
        "schema_version": 1, "status": "done", "ftwizard_version": "0.1.0",
        "started_at": "2026-11-17T10:00:00+00:00", "finished_at": "2026-11-17T10:02:00+00:00",
        "run_config": json.loads(cfg.model_dump_json()), "quantisation": "nf4 (double quantisation)",
        "precision": "fp32", "notes": [],
        "model_files": [{"path": "/models/tiny/config.json", "sha256": MODEL_SHA, "size_bytes": 612}],
        "dataset": {"files": [{"path": "/data/letters.jsonl", "sha256": DATA_SHA, "size_bytes": 29453}],
                    "train_examples": 216, "holdout_examples": 24, "skipped_rows": 0, "train_tokens": 2575,
                    "holdout_source": "split"},
        "libraries": {"python": "3.11.7"},
        "hardware": {"device": "cpu", "device_name": "x86_64", "device_memory_gb": None, "bf16_supported": True,
                     "cpu": "x86_64", "cpu_count": 2, "os": "Linux", "python": "3.11.7", "processes": 1},
        "timings": {"load_s": 1.0, "eval_s": 1.0, "train_s": 10.0, "total_s": 12.0},
        "metrics": {"steps": 8, "tokens_trained": 900, "tokens_per_s": 90.0, "peak_mem_gb": 0.5,
                    "mem_kind": "process", "first_loss": 6.5, "last_loss": 1.6, "eval_loss_before": 6.5,
                    "perplexity_before": 665.1, "eval_loss_after": 1.7, "perplexity_after": 5.5},
        "estimate_vs_measured": {"predicted_peak_vram_gb": None, "measured_peak_mem_gb": 0.5,
                                 "predicted_tokens_per_s": None, "measured_tokens_per_s": 90.0, "source": None},
        "outputs": {"adapter_dir": str(run_dir / "adapter"), "model_out_dir": None,
                    "metrics_path": str(run_dir / "metrics.jsonl"), "checkpoints": []},
    }


def _report_text(qapp, tmp_path, catalog_model_id) -> str:
    from ftwizard.report.run_report import write_run_report

    run = finished_run(tmp_path / "runs")
    save_plan(sample_plan(), run / "plan.json")  # the plan chose Qwen2.5 7B
    (run / "manifest.json").write_text(json.dumps(_manifest(run, catalog_model_id)))
    out = tmp_path / "report.pdf"
    write_run_report(run, out, catalog=load_catalog())
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)


def test_the_run_record_lists_the_model_and_data_files_with_their_hashes(qapp, tmp_path):
    text = _report_text(qapp, tmp_path, "qwen2.5-7b")
    record = text[text.index("Run record"):text.index("The plan this run came from")]
    assert "the plan's model, Qwen2.5 7B (qwen2.5-7b)" in record
    flat = re.sub(r"\s", "", record)
    assert MODEL_SHA in flat and DATA_SHA in flat
    assert "/data/letters.jsonl" in record and "29,453" in record


def test_a_run_of_another_model_says_so_against_its_plan(qapp, tmp_path):
    text = _report_text(qapp, tmp_path, None)  # recorded as the folder (runs.model_match.truthful_config)
    record = text[text.index("Run record"):text.index("The plan this run came from")]
    assert "NOT the plan's model: the plan chose Qwen2.5 7B (qwen2.5-7b)" in record
    assert "do not describe it" in record
