"""Plans on cards without bf16 (V100, T4) are sized and timed in the precision they will
run in, and a plan whose final estimate no longer fits its card never reaches the user."""

from __future__ import annotations

import pytest

from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import EstimateRequest
from ftwizard.recommend.candidate_types import Candidate
from ftwizard.recommend.finalize import finalize
from ftwizard.recommend.hardware_options import GpuOption
from ftwizard.recommend.hyperparams import starting_hyperparameters
from ftwizard.recommend.ranking import recommend
from recommend_helpers import answers_file, assert_constraints_hold

NO_BF16 = ("t4", "v100-16gb", "v100-32gb")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _research_cloud(tmp_path):
    """A research lab renting anything, with money no object: every model, every offer."""
    return answers_file(
        tmp_path,
        languages=["en"],
        compliance={"commercial_use": False, "regulated_data": False},
        hardware={"mode": "cloud", "gpus": []},
        budget={"training_usd": 10_000_000, "monthly_inference_usd": None},
    )


def test_a_plan_whose_final_estimate_outgrows_the_card_is_refused(tmp_path, catalog):
    """Seen once: Mixtral full fine-tuning screened in bf16 on 64 V100s (no master weights), then
    estimated in fp16-mixed (fp32 master weights) at 21.5 GB on 17.2 GB cards, and shown."""
    answers = _research_cloud(tmp_path)
    model = catalog.model("mixtral-8x7b")
    v100 = catalog.gpu("v100-16gb")
    hp = starting_hyperparameters(model, "full", "sft", answers, v100, gpus=64)
    assert hp.precision == "fp16-mixed"
    screened = estimate(
        EstimateRequest(model_id=model.id, method="full", precision="bf16-true", optimizer=hp.optimizer,
                        seq_len=hp.seq_len, gpu_id=v100.id, gpus=64, strategy="fsdp"),
        catalog,
    )
    assert screened.fits  # the bf16 screen said it fits ...
    c = Candidate(model, "full", "full", "sft", GpuOption("cloud", v100, None), 64, "fsdp", hp,
                  screened.peak_vram_gb, None, None, 1.0, None)
    failure = finalize(c, answers, catalog, {}, refine=False)
    assert failure is not None and failure.constraint == "memory"  # ... the fp16 run does not
    assert c.peak_gb > 17.2 and "fp16-mixed" in failure.reason and "64 x" in failure.reason
    assert failure.reason.startswith("Full fine-tuning of Mixtral")


def test_cloud_plans_on_cards_without_bf16_are_sized_in_fp16(tmp_path, catalog):
    plan = recommend(_research_cloud(tmp_path), catalog)
    assert_constraints_hold(plan, catalog)  # every plan fits its card
    on_old_cards = [r for r in plan.recommendations if r.hardware.gpu_id in NO_BF16]
    assert on_old_cards, "a V100 or T4 offer should win somewhere when money is no object"
    for r in on_old_cards:
        hp = r.hyperparameters
        assert hp.precision == "fp16-mixed"
        est = estimate(
            EstimateRequest(
                model_id=r.model_id, method=r.method, objective=r.objective, precision=hp.precision,
                optimizer=hp.optimizer, lora_r=hp.lora_r or 16, lora_alpha=hp.lora_alpha or 32,
                seq_len=hp.seq_len, micro_batch=hp.micro_batch, grad_accum=hp.grad_accum,
                examples=plan.answers.data.examples, avg_tokens=plan.answers.data.avg_tokens,
                epochs=hp.epochs, gpu_id=r.hardware.gpu_id, gpus=r.hardware.count, strategy=r.hardware.strategy,
            ),
            catalog,
        )
        assert r.peak_vram_gb == pytest.approx(est.peak_vram_gb, abs=0.01)
        assert est.fits and r.train_hours == pytest.approx(est.train_hours, rel=0.01)
        assert r.train_cost_usd is not None and r.train_cost_usd > 0


def test_a_bf16_run_on_a_card_without_bf16_is_timed_at_its_fp16_speed(catalog):
    """The runner trains in fp16 where bf16 is missing, so the estimate times it that way."""
    t4 = catalog.gpu("t4")
    assert t4.bf16_supported is False
    ask = dict(model_id="llama-3.2-1b", method="qlora", seq_len=512, examples=1000, avg_tokens=400)
    bf16 = estimate(EstimateRequest(**ask, precision="bf16-mixed", gpu_id="t4"), catalog)
    fp16 = estimate(EstimateRequest(**ask, precision="fp16-mixed", gpu_id="t4"), catalog)
    assert bf16.tokens_per_s == pytest.approx(fp16.tokens_per_s, rel=0.05)
    assert bf16.train_hours and bf16.train_hours > 0
    assert any(c.pricing == "electricity" and c.gpu_id == "t4" and c.hours > 0 for c in bf16.costs)
    assert any("has no bf16" in a and "fp16" in a for a in bf16.assumptions)
    on_4090 = estimate(EstimateRequest(**ask, precision="bf16-mixed", gpu_id="rtx-4090"), catalog)
    assert not any("has no bf16" in a for a in on_4090.assumptions)


def test_a_bf16_run_is_priced_on_the_v100_offer_too(catalog):
    """The price list of an estimate keeps the old cards' offers, with hours and a cost."""
    req = EstimateRequest(model_id="qwen3-4b", method="lora", precision="bf16-true", seq_len=1024,
                          examples=2000, avg_tokens=600, epochs=2)
    est = estimate(req, catalog)
    v100 = [c for c in est.costs if c.gpu_id in NO_BF16]
    assert v100, "the catalog prices an 8 x V100 16GB instance"
    a100_gpu_hours = min(c.hours * c.count for c in est.costs if c.gpu_id == "a100-80gb-sxm")
    for c in v100:
        assert c.hours * c.count > a100_gpu_hours and c.usd > 0  # more GPU-hours than an A100, and priced
