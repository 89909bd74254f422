"""The ranker's sweep gives the same answers as one estimate at a time."""

from __future__ import annotations

import random

import pytest

from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.estimator import estimate, smallest_gpu_count
from ftwizard.estimate.request import EstimateRequest
from ftwizard.estimate.sweep import sweep


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_every_model_gpu_and_method_gets_a_row(catalog):
    rows = sweep(catalog, EstimateRequest(model_id="llama-3.1-8b", method="qlora", seq_len=1024))
    assert len(rows) == len(catalog.models) * len(catalog.gpus) * 3


def test_sweep_rows_agree_with_full_estimates(catalog):
    template = EstimateRequest(model_id="llama-3.1-8b", method="lora", seq_len=2048, micro_batch=2)
    rows = sweep(catalog, template)
    for row in random.Random(7).sample(rows, 40):
        req = template.model_copy(update={"model_id": row.model_id, "method": row.method, "gpu_id": row.gpu_id})
        e = estimate(req, catalog)
        assert row.peak_vram_gb == pytest.approx(e.peak_vram_gb, abs=1e-3)
        assert row.fits == e.fits
        assert row.gpus_needed == smallest_gpu_count(req, catalog.gpu(row.gpu_id), catalog)
        if row.gpus_needed == 1 and e.tokens_per_s:
            assert row.tokens_per_s == pytest.approx(e.tokens_per_s, rel=1e-3)


def test_combinations_that_cannot_run_are_left_out(catalog):
    rows = sweep(catalog, EstimateRequest(model_id="gpt2", method="full", seq_len=512, precision="fp32"),
                 model_ids=["gpt2"], gpu_ids=["rtx-4090"])
    assert {r.method for r in rows} == {"full", "lora"}  # QLoRA computes in 16-bit
