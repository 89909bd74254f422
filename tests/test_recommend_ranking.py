"""The ranking obeys the user's weights, the detected hardware, and explains itself."""

from __future__ import annotations

import datetime as dt

import pytest

from ftwizard.base.errors import HardwareError
from ftwizard.catalog.store import load_catalog
from ftwizard.hardware.profile import CpuInfo, GpuInfo, HardwareProfile
from ftwizard.recommend.plan import ScoreWeights, parse_weights
from ftwizard.recommend.ranking import recommend
from ftwizard.recommend.scoring import quality, size_score
from recommend_helpers import answers_file, assert_constraints_hold


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _cloud(tmp_path):
    return answers_file(
        tmp_path,
        languages=["en"],
        compliance={"regulated_data": False},
        hardware={"mode": "cloud", "gpus": []},
        budget={"training_usd": 3000, "monthly_inference_usd": None},
    )


@pytest.mark.parametrize("part", ["quality", "cost", "time", "maturity"])
def test_a_single_weight_ranks_by_that_part_alone(tmp_path, catalog, part):
    weights = ScoreWeights(**{n: (1.0 if n == part else 0.0) for n in ScoreWeights.model_fields})
    plan = recommend(_cloud(tmp_path), catalog, weights=weights)
    assert_constraints_hold(plan, catalog)
    # Within the fitting tier, by that part alone (the top 3 hold one row per model).
    fits = [r for r in plan.recommendations if r.tier == "fits"]
    values = [getattr(r.score_parts, part) for r in fits]
    assert values and values[0] == max(values)
    assert values[3:] == sorted(values[3:], reverse=True)
    assert plan.weights == weights


def test_weighting_cost_over_quality_picks_a_cheaper_first_plan(tmp_path, catalog):
    answers = _cloud(tmp_path)
    by_quality = recommend(answers, catalog, weights=parse_weights("quality=1,cost=0,time=0,data_fit=0,inference_cost=0,maturity=0"), top=1)
    by_cost = recommend(answers, catalog, weights=parse_weights("quality=0,cost=1,time=0,data_fit=0,inference_cost=0,maturity=0"), top=1)
    q, c = by_quality.recommendations[0], by_cost.recommendations[0]
    assert c.train_cost_usd <= q.train_cost_usd
    assert q.score_parts.quality >= c.score_parts.quality


def test_weights_are_normalised_and_parsed_with_clear_errors():
    w = parse_weights("quality=2, cost=2")
    total = sum(getattr(w, n) for n in ScoreWeights.model_fields)
    assert total == pytest.approx(1.0)
    assert w.quality == pytest.approx(w.cost)
    for bad, msg in [("speed=1", "NAME=NUMBER"), ("quality=lots", "not a number"), ("quality=-1", ">= 0")]:
        with pytest.raises(ValueError, match=msg):
            parse_weights(bad)
    with pytest.raises(ValueError, match="above 0"):
        parse_weights(",".join(f"{n}=0" for n in ScoreWeights.model_fields))


def test_top_n_keeps_the_best_n(tmp_path, catalog):
    answers = _cloud(tmp_path)
    # Quality alone: nothing the final estimate refines can reorder, so the cut is exact.
    by_quality = parse_weights("quality=1,data_fit=0,time=0,cost=0,inference_cost=0,maturity=0")
    full = recommend(answers, catalog, weights=by_quality)
    three = recommend(answers, catalog, weights=by_quality, top=3)
    assert len(full.recommendations) > 3
    assert [(r.model_id, r.technique) for r in three.recommendations] == [
        (r.model_id, r.technique) for r in full.recommendations[:3]
    ]
    # Default weights: the shown three are among the best of the whole ranking.
    everything = recommend(answers, catalog)
    leaders = {(r.model_id, r.technique) for r in everything.recommendations[:5]}
    assert {(r.model_id, r.technique) for r in recommend(answers, catalog, top=3).recommendations} <= leaders
    assert any("not estimated" in a for a in three.assumptions)


def test_quality_uses_the_tasks_benchmarks_and_says_when_one_is_missing(catalog):
    coder = catalog.model("qwen2.5-coder-32b")  # HumanEval only, no MMLU in the catalog
    q = quality(coder, "code", ["en"])
    assert any("HumanEval" in s for s in q.reasons)
    assert any("no published general knowledge benchmark" in s for s in q.reasons)
    gpt2 = catalog.model("gpt2")  # no benchmarks at all: size alone, said out loud
    q2 = quality(gpt2, "chat", ["en"])
    assert q2.score == pytest.approx(size_score(gpt2.params_b))
    assert any("size stands in" in s for s in q2.reasons)
    # A larger base gives a higher ceiling: same family, same benchmarks, bigger wins.
    assert quality(catalog.model("qwen3-32b"), "chat", ["en"]).score > quality(catalog.model("qwen3-8b"), "chat", ["en"]).score


def _profile(*gpus: GpuInfo) -> HardwareProfile:
    return HardwareProfile(
        detected_at=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC),
        os="Linux 6.8 x86_64",
        os_system="Linux",
        cpu=CpuInfo(logical_cores=16),
        gpus=list(gpus),
    )


def test_detect_mode_plans_for_the_detected_card_and_notes_unknown_ones(tmp_path, catalog):
    answers = answers_file(tmp_path, languages=["en"], hardware={"mode": "detect", "gpus": []})
    profile = _profile(
        GpuInfo(index=0, vendor="nvidia", name="NVIDIA GeForce RTX 4090", backend="nvml",
                memory_total_gib=23.99, memory_free_gib=23.5, catalog_gpu_id="rtx-4090"),
        GpuInfo(index=1, vendor="nvidia", name="NVIDIA Quadro Mystery", backend="nvml",
                memory_total_gib=12.0, memory_free_gib=12.0),
    )
    plan = recommend(answers, catalog, profile, top=3)
    assert_constraints_hold(plan, catalog)
    assert plan.hardware == profile
    assert all(r.hardware.gpu_id == "rtx-4090" for r in plan.recommendations)
    assert any("Quadro Mystery" in n and "not in the catalog" in n for n in plan.advice.notes)


def test_a_busy_detected_card_is_planned_against_its_free_memory(tmp_path, catalog):
    answers = answers_file(tmp_path, languages=["en"], hardware={"mode": "detect", "gpus": []})
    busy = _profile(
        GpuInfo(index=0, vendor="nvidia", name="NVIDIA GeForce RTX 4090", backend="nvml",
                memory_total_gib=23.99, memory_free_gib=9.0, processes=2, catalog_gpu_id="rtx-4090"),
    )
    plan = recommend(answers, catalog, busy, top=5)
    assert plan.recommendations
    free_gb = 9.0 * 2**30 / 1e9
    for r in plan.recommendations:
        assert r.peak_vram_gb <= free_gb
        assert any("shared" in w for w in r.warnings)


def test_detect_mode_without_a_profile_is_a_clear_error(tmp_path, catalog):
    answers = answers_file(tmp_path, hardware={"mode": "detect", "gpus": []})
    with pytest.raises(HardwareError, match="detect"):
        recommend(answers, catalog)


def test_licence_duties_become_warnings(tmp_path, catalog):
    answers = answers_file(
        tmp_path, languages=["en"], compliance={"regulated_data": False},
        hardware={"mode": "cloud", "gpus": []}, budget={"training_usd": 3000},
    )
    plan = recommend(answers, catalog)
    llama = [r for r in plan.recommendations if r.licences == ["llama-3.1"]]
    assert llama, "a Llama 3.1 model is ranked"
    w = " ".join(llama[0].warnings)
    assert "700 million monthly active users" in w and "Built with Llama" in w and "start with 'Llama'" in w


def test_re_ranking_from_the_estimate_cache_gives_the_same_plan(tmp_path, catalog):
    from ftwizard.recommend.placement_cache import clear_cache

    answers = answers_file(tmp_path, languages=["en"])
    clear_cache()
    cold = recommend(answers, catalog, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
    warm = recommend(answers, catalog, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC))
    assert warm == cold


def test_screened_figures_are_the_estimators_own(tmp_path, catalog):
    """Plans further down a long list keep their screening figures: they must be what the
    full estimate says for the same run (hours, and the electricity it costs)."""
    from ftwizard.estimate.estimator import estimate
    from ftwizard.estimate.request import EstimateRequest

    answers = answers_file(tmp_path, languages=["en"], data={"preference_pairs": True})
    plan = recommend(answers, catalog)
    tail = plan.recommendations[10:]
    assert any(r.technique == "dpo" for r in tail) and any(r.technique != "dpo" for r in tail)
    # DPO from a base checkpoint adds its SFT step (test_recommend_expert_scenarios checks the sum).
    tail = [r for r in tail if r.technique != "dpo" or catalog.model(r.model_id).instruct_repo_id]
    assert any(r.technique == "dpo" for r in tail)
    for r in tail[:12]:
        hp = r.hyperparameters
        est = estimate(
            EstimateRequest(
                model_id=r.model_id, method=r.method, objective=r.objective, precision=hp.precision,
                optimizer=hp.optimizer, lora_r=hp.lora_r or 16, lora_alpha=hp.lora_alpha or 32,
                seq_len=hp.seq_len, micro_batch=hp.micro_batch, grad_accum=hp.grad_accum,
                examples=answers.data.examples, avg_tokens=answers.data.avg_tokens, epochs=hp.epochs,
                gpu_id=r.hardware.gpu_id, gpus=r.hardware.count, strategy=r.hardware.strategy,
            ),
            catalog,
        )
        assert r.peak_vram_gb == pytest.approx(est.peak_vram_gb, abs=0.01)
        assert r.train_hours == pytest.approx(est.train_hours, rel=1e-3)
        electricity = next(c for c in est.costs if c.pricing == "electricity")
        assert r.train_cost_usd == pytest.approx(electricity.usd, abs=0.01)


def test_screened_cloud_figures_are_the_estimators_own(tmp_path, catalog):
    """Cloud plans are screened with the estimator's sweep; further down a long list they keep
    those figures, which must be what a full estimate of the same run says."""
    from ftwizard.estimate.estimator import estimate
    from ftwizard.estimate.request import EstimateRequest
    from ftwizard.recommend.cloud import billed_hours

    plan = recommend(_cloud(tmp_path), catalog)
    tail = plan.recommendations[10:]
    assert len(tail) > 10
    for r in tail[:15]:
        hp = r.hyperparameters
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
        assert r.train_hours == pytest.approx(est.train_hours, rel=0.01)
        # Billed hours: training plus start-up and weight download, or the offer's minimum billing.
        billed = billed_hours(catalog.model(r.model_id), est.train_hours, r.hardware.pricing)
        assert r.train_cost_usd == pytest.approx(
            billed * r.hardware.count * r.hardware.usd_per_gpu_hour, rel=0.01, abs=0.01
        )
