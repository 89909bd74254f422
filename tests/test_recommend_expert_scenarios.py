"""Issue 20: advice an expert would sign. Scenarios written from users' point of view
(hospital, bank, law firm, startup, lab, public sector; an 8 GB laptop to 8 x H100; en, de, fr,
es, ar, hi, ja, zh; every task kind; tiny and large budgets). Each asserts the constraints the
user was promised (`assert_constraints_hold`: compliance, residency, memory headroom tiers,
budgets, one row per model in the top 3, DPO start) and that the top choices are ones an expert
would accept, never a frozen ranking: the catalog grows while these tests stay true.
"""

from __future__ import annotations

import json
import time

import pytest

from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import EstimateRequest
from ftwizard.hardware.profile import CpuInfo, GpuInfo, HardwareProfile
from ftwizard.recommend.answers import parse_answers
from ftwizard.recommend.plan import ScoreWeights
from ftwizard.recommend.ranking import recommend
from ftwizard.recommend.scoring import fits_with_headroom, specialist_for
from recommend_helpers import ISSUE_EXAMPLE, assert_constraints_hold, merged

NO_REG = {"regulated_data": False, "air_gapped": False, "data_residency": None}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def plan_for(catalog, top=5, weights=None, hardware_profile=None, **sections):
    answers = parse_answers(merged(ISSUE_EXAMPLE, **sections), "scenario")
    plan = recommend(answers, catalog, hardware_profile, weights, top=top)
    assert_constraints_hold(plan, catalog)
    return plan


def overlay(tmp_path, **sections):
    path = tmp_path / "site-catalog.json"
    path.write_text(json.dumps({"schema_version": 1, "version": "site-1", "as_of": "2026-12-01", **sections}))
    return load_catalog(path)


def eu_offer(**extra):
    return {
        "id": "eu-cloud-h100", "provider": "EuroCloud", "gpu_id": "h100-sxm-80gb", "usd_per_gpu_hour": 2.8,
        "pricing": "on_demand", "verified": True, "as_of": "2026-11-30", "source": "test fixture: price list",
        "regions": ["de"], "certifications": ["ISO 27001", "C5"], "certifications_source": "test fixture: trust page",
        **extra,
    }


def head_models(plan, n=3):
    return [plan.recommendations[i].model_id for i in range(min(n, len(plan.recommendations)))]


# -- compliance ---------------------------------------------------------------------------------

def test_eu_clinical_extraction_in_the_cloud_is_not_treated_as_air_gapped(catalog):
    """German/French hospital, regulated, residency EU, cloud: never told to carry weights in;
    offers without a recorded region are refused and the plan says so."""
    plan = plan_for(
        catalog, task={"kind": "extraction"}, languages=["de", "fr"], hardware={"mode": "cloud", "gpus": []},
        compliance={"regulated_data": True, "air_gapped": False, "data_residency": "EU"},
        budget={"training_usd": 2000, "monthly_inference_usd": 3000},
    )
    notes = " ".join(plan.advice.notes)
    assert "carry them in" not in notes and "Cloud GPUs are not considered" not in notes
    assert "inside EU" in notes
    if any(not (p.regions or p.region) for p in catalog.prices):
        assert "unknown region = not allowed" in notes


def test_eu_hospital_gets_a_cloud_plan_on_a_compliant_offer_with_what_to_check(tmp_path):
    cat = overlay(tmp_path, prices=[eu_offer()])
    plan = plan_for(
        cat, task={"kind": "extraction"}, languages=["de", "fr"], hardware={"mode": "cloud", "gpus": []},
        compliance={"regulated_data": True, "data_residency": "EU"},
        budget={"training_usd": 2000, "monthly_inference_usd": 5000},
    )
    assert plan.recommendations
    for r in plan.recommendations:
        assert r.hardware.provider == "EuroCloud"
        text = " ".join(r.reasons)
        assert "compliance officer" in text and "ISO 27001" in text and "DE" in text
    # Serving is priced on the allowed offer too, never a US one.
    assert all("EuroCloud" in (r.monthly_inference_gpu or "EuroCloud") for r in plan.recommendations)


def test_an_offer_outside_the_residency_is_refused_and_counted(tmp_path):
    cat = overlay(tmp_path, prices=[eu_offer(id="us-h100", provider="USCloud", regions=["us"])])
    plan = plan_for(
        cat, hardware={"mode": "cloud", "gpus": []}, languages=["en"],
        compliance={"regulated_data": True, "data_residency": "Germany"},
    )
    assert plan.recommendations == []
    assert any("outside Germany" in n for n in plan.advice.notes)


def test_eu_bloc_region_does_not_satisfy_a_german_residency(tmp_path):
    cat = overlay(tmp_path, prices=[eu_offer(regions=["eu"])])
    plan = plan_for(
        cat, hardware={"mode": "cloud", "gpus": []}, languages=["en"],
        compliance={"regulated_data": True, "data_residency": "DE"},
    )
    assert plan.recommendations == []


def test_regulated_data_without_a_residency_asks_for_one(catalog):
    plan = plan_for(catalog, hardware={"mode": "cloud", "gpus": []}, languages=["en"],
                    compliance={"regulated_data": True, "data_residency": None})
    assert plan.recommendations == []
    assert any("no data residency is stated" in n for n in plan.advice.notes)


def test_regulated_hospital_on_its_own_a6000_serves_on_its_own_card(catalog):
    plan = plan_for(
        catalog, task={"kind": "qa"}, languages=["es", "fr"],
        hardware={"mode": "local", "gpus": [{"name": "rtx-a6000", "count": 1}]},
        compliance={"regulated_data": True, "data_residency": "EU"},
        budget={"training_usd": 500, "monthly_inference_usd": 300},
    )
    assert plan.recommendations
    for r in plan.recommendations:
        assert r.hardware.where == "local"
        assert any("never leaves" in s for s in r.reasons)
        # Self-hosting means the user's own card (power), not a rented Lambda GPU.
        assert r.monthly_inference_gpu is None or "your hardware" in r.monthly_inference_gpu


def test_air_gapped_lab_in_cloud_mode_gets_nothing_and_is_told_why(catalog):
    plan = plan_for(catalog, hardware={"mode": "cloud", "gpus": []}, languages=["en"],
                    compliance={"air_gapped": True, "regulated_data": True})
    assert plan.recommendations == []
    assert any("air-gapped" in n for n in plan.advice.notes)


def test_air_gapped_site_never_prices_serving_in_the_cloud(catalog):
    plan = plan_for(catalog, languages=["en"], compliance={"air_gapped": True},
                    hardware={"mode": "local", "gpus": [{"name": "rtx-4090", "count": 2}]})
    assert plan.recommendations
    for r in plan.recommendations:
        assert r.monthly_inference_gpu is None or "your hardware" in r.monthly_inference_gpu


def test_licence_territory_exclusion_quotes_the_clause(tmp_path):
    base = load_catalog()
    lic = base.licence("apache-2.0").model_dump(mode="json")
    lic.update(id="no-eu-licence", name="No-EU Licence", excluded_regions=["eu"],
               restriction_clause="THIS LICENSE DOES NOT APPLY IN THE EUROPEAN UNION.")
    model = base.model("qwen2.5-7b").model_dump(mode="json")
    model.update(licences=["no-eu-licence"])
    cat = overlay(tmp_path, licences=[lic], models=[model])
    eu = plan_for(cat, top=None, languages=["en"], compliance={"data_residency": "EU"},
                  hardware={"mode": "local", "gpus": [{"name": "rtx-4090"}]})
    out = {e.model_id: e for e in eu.excluded if e.technique is None}
    assert out["qwen2.5-7b"].constraint == "licence"
    assert "DOES NOT APPLY IN THE EUROPEAN UNION" in out["qwen2.5-7b"].reason
    us = plan_for(cat, top=None, languages=["en"], compliance={"data_residency": "US"},
                  hardware={"mode": "local", "gpus": [{"name": "rtx-4090"}]})
    assert not any(e.model_id == "qwen2.5-7b" and e.constraint == "licence" for e in us.excluded)


def test_eu_residency_excludes_a_multimodal_model_under_an_eu_multimodal_clause(catalog):
    multimodal = [m for m in catalog.models if m.multimodal and any(
        lic.eu_multimodal_restriction for lic in catalog.model_licences(m))]
    if not multimodal:
        pytest.skip("the catalog has no multimodal model under an EU multimodal clause")
    plan = plan_for(catalog, top=None, languages=["en"], compliance={"data_residency": "EU"},
                    hardware={"mode": "cloud", "gpus": []}, budget={"training_usd": 5000, "monthly_inference_usd": None})
    out = {e.model_id: e for e in plan.excluded if e.technique is None}
    for m in multimodal:
        assert out[m.id].constraint == "licence" and "EU" in out[m.id].reason


# -- task fit -------------------------------------------------------------------------------------

def test_code_completion_team_on_one_l40s_gets_code_models(catalog):
    plan = plan_for(catalog, task={"kind": "code"}, languages=["en"], compliance=NO_REG,
                    hardware={"mode": "local", "gpus": [{"name": "l40s"}]})
    top = plan.recommendations[0]
    assert any(b in " ".join(top.reasons) for b in ("HumanEval", "EvalPlus", "MBPP", "LiveCodeBench"))
    coders = [r for r in plan.recommendations[:3]
              if specialist_for(catalog.model(r.model_id), "code", ["en"]) or "code" in catalog.model(r.model_id).task_strengths]
    assert coders, "no code model in the top 3"
    assert not top.model_id.startswith("phi-3")


# (specialist, generalist of the same family and size)
SPECIALIST_PAIRS = [
    ("qwen2.5-coder-7b", "qwen2.5-7b", "code"),
    ("qwen2.5-coder-32b", "qwen2.5-32b", "code"),
    ("codellama-7b", "llama-2-7b", "code"),
    ("codellama-13b", "llama-2-13b", "code"),
    ("deepseek-r1-distill-qwen-7b", "qwen2.5-7b", "reasoning"),
]


@pytest.mark.parametrize("special, general, kind", SPECIALIST_PAIRS)
def test_a_specialist_beats_a_generalist_of_similar_size_for_its_task(catalog, special, general, kind):
    from ftwizard.recommend.scoring import quality

    ids = {m.id for m in catalog.models}
    if not {special, general} <= ids:
        pytest.skip("pair not in this catalog")
    s, g = catalog.model(special), catalog.model(general)
    if not specialist_for(s, kind, ["en"]) or specialist_for(g, kind, ["en"]):
        pytest.skip(f"the catalog does not record {special} as the only {kind} specialist of the pair")
    assert quality(s, kind, ["en"]).score > quality(g, kind, ["en"]).score
    said = [r for r in quality(s, kind, ["en"]).reasons if r.startswith("A specialist for this task")]
    assert said and "_" not in said[0]
    if "code_fim" in s.capabilities:  # capability ids read as words, not "code fim"
        assert "code completion (fill-in-the-middle)" in said[0]


def test_code_team_in_the_cloud_within_a_serving_budget(catalog):
    plan = plan_for(catalog, task={"kind": "code"}, languages=["en"], compliance=NO_REG,
                    hardware={"mode": "cloud", "gpus": []}, budget={"training_usd": 2000, "monthly_inference_usd": 450})
    assert plan.recommendations
    assert "llama-3.1-405b" not in head_models(plan)
    over = [e for e in plan.excluded if "monthly serving budget" in e.reason]
    assert over and all(e.constraint == "budget" for e in over)


def test_summarisation_shows_mmlu_as_general_evidence_not_a_task_benchmark(catalog):
    plan = plan_for(catalog, task={"kind": "summarization"}, languages=["en"], compliance=NO_REG)
    for r in plan.recommendations:
        m = catalog.model(r.model_id)
        marked = {b.name for b in m.benchmarks if "summarization" in b.task_kinds}
        for s in r.reasons:
            if s.startswith("Published benchmarks counted for this summarization work:"):
                # Only benchmarks the catalog marks as evidence for summarization are listed as such.
                for item in s.split(":", 1)[1].rstrip(".").split(", "):
                    assert item.endswith("(marked for summarization)") and item.split(" ")[0] in {
                        n.split(" ")[0] for n in marked}
    assert any("General-knowledge benchmark (not specific to summarization)" in s
               for r in plan.recommendations for s in r.reasons)


def test_examples_longer_than_the_context_exclude_the_model(catalog):
    plan = plan_for(catalog, task={"kind": "summarization"}, languages=["en"], compliance=NO_REG, top=None,
                    data={"examples": 3000, "avg_tokens": 3000, "p95_tokens": 6000},
                    hardware={"mode": "local", "gpus": [{"name": "a100-80gb-pcie"}]})
    ctx = {e.model_id: e.reason for e in plan.excluded if e.constraint == "context"}
    assert "phi-3-mini" in ctx and "6,000" in ctx["phi-3-mini"]
    for r in plan.recommendations:
        m = catalog.model(r.model_id)
        context = m.context_tokens or m.architecture.max_position_embeddings
        assert context is None or context >= 6000


def test_translation_for_a_public_sector_arabic_service(catalog):
    plan = plan_for(catalog, task={"kind": "translation"}, languages=["ar", "en"], compliance=NO_REG,
                    hardware={"mode": "local", "gpus": [{"name": "a100-80gb-pcie", "count": 2}]})
    assert plan.recommendations
    assert any(any(b in s for b in ("MGSM", "MMMLU", "Multilingual MMLU", "Global-MMLU")) for s in plan.recommendations[0].reasons)


def test_japanese_and_chinese_support_qa_on_one_h100(catalog):
    plan = plan_for(catalog, task={"kind": "qa"}, languages=["ja", "zh"], compliance=NO_REG,
                    hardware={"mode": "local", "gpus": [{"name": "h100-sxm-80gb"}]})
    assert plan.recommendations and plan.recommendations[0].tier == "fits"


# -- owned hardware ------------------------------------------------------------------------------------

def test_math_team_with_eight_h100s_gets_a_strong_model_not_a_4b(catalog):
    plan = plan_for(catalog, task={"kind": "reasoning"}, languages=["en"], compliance=NO_REG,
                    data={"examples": 20000, "avg_tokens": 800},
                    hardware={"mode": "local", "gpus": [{"name": "h100-sxm-80gb", "count": 8}]},
                    weights=ScoreWeights(quality=0.6, data_fit=0.1, time=0.05, cost=0.05, inference_cost=0.1, maturity=0.1))
    top = plan.recommendations[0]
    assert top.params_b >= 14 and top.hardware.gpu_id == "h100-sxm-80gb"


def test_two_3090s_are_not_split_when_one_card_holds_the_plan(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, top=None,
                    hardware={"mode": "local", "gpus": [{"name": "rtx-3090", "count": 2}]})
    room = plan.recommendations[0].hardware.gpu_memory_gb
    for r in plan.recommendations[:12]:
        if r.hardware.count < 2:
            continue
        hp = r.hyperparameters
        one = estimate(EstimateRequest(
            model_id=r.model_id, method=r.method, objective=r.objective, precision=hp.precision,
            optimizer=hp.optimizer, lora_r=hp.lora_r or 16, lora_alpha=hp.lora_alpha or 32, seq_len=hp.seq_len,
            micro_batch=1, grad_accum=hp.grad_accum, gpu_id="rtx-3090", gpus=1), catalog)
        assert not fits_with_headroom(one.peak_vram_gb, room), f"{r.model_id} {r.technique} split though one card holds it"


def test_a_tight_plan_is_never_the_top_pick_on_an_8gb_card(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, top=None,
                    hardware={"mode": "local", "gpus": [{"name": "rtx-4060-ti-8gb"}]})
    tight = [r for r in plan.recommendations if any("Tight memory" in w for w in r.warnings)]
    assert all(r.tier == "warning" for r in tight)
    if any(r.tier == "fits" for r in plan.recommendations):
        assert plan.recommendations[0] not in tight


def test_a_busy_shared_card_plans_against_its_free_memory(catalog):
    gib = 2**30 / 1e9
    profile = HardwareProfile(
        detected_at="2026-12-05T09:00:00Z", os="Linux", os_system="Linux", cpu=CpuInfo(logical_cores=16),
        gpus=[GpuInfo(index=0, vendor="nvidia", name="NVIDIA GeForce RTX 4090", backend="nvml",
                      memory_total_gib=24 / gib * gib, memory_free_gib=12.0, processes=1, catalog_gpu_id="rtx-4090")],
    )
    plan = plan_for(catalog, hardware_profile=profile, languages=["en"], compliance=NO_REG,
                    hardware={"mode": "detect", "gpus": []})
    for r in plan.recommendations:
        assert r.peak_vram_gb <= 12.0 * gib + 1e-6


# -- budgets and prices ------------------------------------------------------------------------

def test_five_dollar_budget_uses_traced_prices_only_for_fitting_plans(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, hardware={"mode": "cloud", "gpus": []},
                    budget={"training_usd": 5, "monthly_inference_usd": 1000})
    for r in plan.recommendations:
        assert r.train_cost_usd is not None and r.train_cost_usd <= 5
        if r.tier == "fits":
            assert r.hardware.price_traced is True  # traced to a price list (undated ones are unverified, issue 21)
    assert not any(r.hardware.provider.endswith("(via gpu.blog)") and r.tier == "fits" for r in plan.recommendations)


def test_cloud_training_cost_includes_start_up_and_download(catalog):
    from ftwizard.recommend.cloud import overhead_hours

    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, hardware={"mode": "cloud", "gpus": []},
                    budget={"training_usd": 3000, "monthly_inference_usd": None})
    r = plan.recommendations[0]
    floor = (r.train_hours + overhead_hours(catalog.model(r.model_id))) * r.hardware.count * r.hardware.usd_per_gpu_hour
    assert r.train_cost_usd == pytest.approx(floor, rel=0.02, abs=0.02)
    assert any("start-up" in w for w in r.warnings)


def test_a_hindi_intent_classifier_is_not_put_on_a_405b(catalog):
    plan = plan_for(catalog, task={"kind": "classification"}, languages=["hi"], compliance=NO_REG,
                    hardware={"mode": "cloud", "gpus": []}, budget={"training_usd": 200, "monthly_inference_usd": 300})
    assert plan.recommendations
    assert "llama-3.1-405b" not in head_models(plan)
    assert all(r.params_b < 100 for r in plan.recommendations[:3])


def test_nothing_within_the_serving_budget_shows_plans_flagged(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, hardware={"mode": "cloud", "gpus": []},
                    budget={"training_usd": 500, "monthly_inference_usd": 50})
    assert plan.recommendations, "shown, flagged, rather than nothing"
    assert all(r.tier == "warning" for r in plan.recommendations)
    assert any("monthly budget" in n for n in plan.advice.notes)
    assert all(any("serving budget" in w for w in r.warnings) for r in plan.recommendations)


def test_zero_budget_startup_on_a_local_card_counts_electricity(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, budget={"training_usd": 0, "monthly_inference_usd": None})
    assert plan.recommendations == []
    assert any(e.constraint == "budget" for e in plan.excluded)


def test_large_budget_startup_in_spanish_gets_a_fitting_plan_first(catalog):
    plan = plan_for(catalog, task={"kind": "chat"}, languages=["es"], compliance=NO_REG,
                    hardware={"mode": "cloud", "gpus": []}, budget={"training_usd": 20000, "monthly_inference_usd": 3000},
                    data={"examples": 50000, "avg_tokens": 700})
    top = plan.recommendations[0]
    assert top.tier == "fits" and top.monthly_inference_usd <= 3000


# -- inputs ----------------------------------------------------------------------------------------

def test_an_unlisted_laptop_gpu_with_its_memory_is_planned(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG,
                    hardware={"mode": "local", "gpus": [{"name": "NVIDIA GeForce RTX 4060 Laptop GPU", "memory_gb": 8}]})
    assert plan.recommendations
    assert any("not in the catalog" in n for n in plan.advice.notes)
    for r in plan.recommendations:
        assert r.hardware.gpu_name == "NVIDIA GeForce RTX 4060 Laptop GPU"
        if r.train_hours is None:
            assert r.tier == "warning" and any("Not checked" in w for w in r.warnings)


def test_a_laptop_name_matches_its_family_when_the_desktop_card_is_listed(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG,
                    hardware={"mode": "local", "gpus": [{"name": "NVIDIA GeForce RTX 4090 Laptop GPU", "memory_gb": 16}]})
    assert plan.recommendations
    assert any("planned as a NVIDIA GeForce RTX 4090" in n for n in plan.advice.notes)
    assert all(r.hardware.gpu_memory_gb < 18 for r in plan.recommendations)


def test_local_mode_with_no_gpu_gives_cpu_advice_and_the_cheapest_way_out(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, hardware={"mode": "local", "gpus": []})
    assert plan.recommendations == []
    text = plan.advice.summary + " ".join(plan.advice.notes) + " ".join(plan.advice.alternatives)
    assert "no GPU" in text and "cheapest" in text and "cloud" in text


def test_a_cpu_only_detect_gives_the_same_cpu_advice(catalog):
    profile = HardwareProfile(detected_at="2026-12-05T09:00:00Z", os="Linux", os_system="Linux",
                              cpu=CpuInfo(logical_cores=8), gpus=[])
    plan = plan_for(catalog, hardware_profile=profile, languages=["en"], compliance=NO_REG,
                    hardware={"mode": "detect", "gpus": []})
    assert plan.recommendations == []
    assert "no GPU" in plan.advice.summary


@pytest.mark.parametrize("examples", [40, 150, 299])
def test_small_data_leads_with_prompting_and_rag_and_one_collection_target(catalog, examples):
    plan = plan_for(catalog, task={"kind": "qa"}, languages=["en"], compliance=NO_REG, data={"examples": examples})
    a = plan.advice
    assert a.fine_tune is False
    assert "prompting" in a.summary and "RAG" in a.summary
    more = 500 - examples
    assert a.examples_to_collect == more
    assert f"{more:,} more" in a.summary and any(f"{more:,} more" in n for n in a.notes)
    assert "enough to teach" not in a.summary


def test_a_large_corpus_with_eight_h100s_considers_full_tuning(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, data={"examples": 200000, "avg_tokens": 500},
                    hardware={"mode": "local", "gpus": [{"name": "h100-sxm-80gb", "count": 8}]},
                    budget={"training_usd": 5000, "monthly_inference_usd": None})
    assert any("full fine-tuning" in n for n in plan.advice.notes)
    assert any(r.technique == "full" for r in plan.recommendations)


# -- diversity and DPO -------------------------------------------------------------------------

def test_law_firm_french_contracts_top3_is_three_models(catalog):
    plan = plan_for(catalog, task={"kind": "extraction"}, languages=["fr"], compliance={"air_gapped": True},
                    hardware={"mode": "local", "gpus": [{"name": "rtx-a6000"}]})
    assert len(set(head_models(plan))) == min(3, len({r.model_id for r in plan.recommendations}))


def test_bank_preference_tuning_starts_from_an_instruct_model_or_plans_sft(catalog):
    plan = plan_for(catalog, task={"kind": "chat"}, languages=["en"], compliance=NO_REG, top=8,
                    data={"examples": 4000, "preference_pairs": True},
                    hardware={"mode": "local", "gpus": [{"name": "a100-80gb-pcie"}]})
    dpo = [r for r in plan.recommendations if r.technique == "dpo"]
    assert dpo
    for r in dpo:
        m = catalog.model(r.model_id)
        text = " ".join(r.reasons)
        if m.instruct_repo_id:
            assert r.hf_repo_id == m.instruct_repo_id and "instruct checkpoint" in text
        else:
            assert "first an SFT" in text


# -- speed ---------------------------------------------------------------------------------------

# The estimator's sweep over the whole catalog took 11.3 ms on an idle core when the 20 ms
# contract was set (benchmarks/RESULTS.md); on a busier machine the limit scales with it.
REFERENCE_SWEEP_MS = 11.3


def test_re_ranking_the_full_catalog_stays_under_20_ms(catalog):
    """The GUI re-ranks every plan of the whole catalog on each slider move (estimates, placements
    and sentences cached). Best of 9 runs against the sweep measured in the same test, so a busy
    test machine does not decide it; benchmarks/rank_speed.py measures every example file."""
    from ftwizard.estimate.sweep import sweep

    template = EstimateRequest(model_id=catalog.models[0].id, method="qlora", precision="bf16-true", seq_len=1280)
    sweep(catalog, template)
    base = []
    for _ in range(3):
        t0 = time.perf_counter()
        sweep(catalog, template)
        base.append((time.perf_counter() - t0) * 1e3)
    limit = 20.0 * max(1.0, min(base) / REFERENCE_SWEEP_MS)
    answers = parse_answers(merged(ISSUE_EXAMPLE, languages=["en"], compliance=NO_REG))
    recommend(answers, catalog)
    times = []
    for i in range(9):
        w = ScoreWeights(quality=0.3 + i * 0.05)
        t0 = time.perf_counter()
        plan = recommend(answers, catalog, weights=w)
        times.append((time.perf_counter() - t0) * 1e3)
    assert len(plan.recommendations) > 20
    assert min(times) < limit, (times, limit)


def test_dpo_from_a_base_checkpoint_is_priced_with_its_sft_step(catalog):
    plan = plan_for(catalog, task={"kind": "chat"}, languages=["en"], compliance=NO_REG, top=None,
                    data={"examples": 4000, "preference_pairs": True},
                    hardware={"mode": "local", "gpus": [{"name": "rtx-4090"}]})
    base = [r for r in plan.recommendations if r.technique == "dpo" and not catalog.model(r.model_id).instruct_repo_id]
    assert base
    for r in base[:5]:
        text = " ".join(r.reasons)
        assert "The DPO step takes" in text and "The SFT step before it" in text
        assert f"${r.train_cost_usd:,.2f}." in text  # the total shown is the plan's cost


def test_a_detected_card_the_catalog_does_not_list_is_planned_from_its_memory(catalog):
    profile = HardwareProfile(
        detected_at="2026-12-05T09:00:00Z", os="Linux", os_system="Linux", cpu=CpuInfo(logical_cores=16),
        gpus=[GpuInfo(index=0, vendor="nvidia", name="NVIDIA RTX PRO 4000 Blackwell", backend="nvml",
                      memory_total_gib=23.5, memory_free_gib=23.3)],
    )
    plan = plan_for(catalog, hardware_profile=profile, languages=["en"], compliance=NO_REG,
                    hardware={"mode": "detect", "gpus": []})
    assert plan.recommendations
    assert all(r.hardware.gpu_name == "NVIDIA RTX PRO 4000 Blackwell" for r in plan.recommendations)
    assert any("planned from the 23.5 GB" in n for n in plan.advice.notes)


def test_public_sector_german_letter_assistant_follows_instructions_on_one_l4(catalog):
    """A city administration: instruction following in German, regulated citizen data on its own L4."""
    plan = plan_for(catalog, task={"kind": "instruction"}, languages=["de"],
                    compliance={"regulated_data": True, "data_residency": "DE"},
                    hardware={"mode": "local", "gpus": [{"name": "l4", "count": 1}]},
                    budget={"training_usd": 100, "monthly_inference_usd": 200})
    assert plan.recommendations
    top = plan.recommendations[0]
    assert top.tier == "fits" and top.hardware.gpu_id == "l4"
    assert any("compliance officer" in s for s in top.reasons)
    assert top.monthly_inference_gpu is None or "your hardware" in top.monthly_inference_gpu
    assert "de" in catalog.model(top.model_id).languages or not catalog.model(top.model_id).languages


def test_a_superseded_model_steps_behind_its_successor_when_both_fit(catalog):
    plan = plan_for(catalog, languages=["en"], compliance=NO_REG, top=None,
                    hardware={"mode": "local", "gpus": [{"name": "a100-80gb-pcie"}]})
    fitting = {r.model_id: r for r in plan.recommendations if r.tier == "fits"}
    old = [r for r in plan.recommendations
           if catalog.model(r.model_id).superseded_by in fitting
           and fitting[catalog.model(r.model_id).superseded_by].score_parts.quality >= r.score_parts.quality]
    assert old, "the catalog records successors for several planned models"
    for r in old:
        assert r.tier == "warning" and any("Superseded" in w for w in r.warnings)
    flagged = [r for r in plan.recommendations if any("Superseded" in w for w in r.warnings)]
    for r in flagged:  # never pushed back behind a successor with a lower quality score
        succ = catalog.model(r.model_id).superseded_by
        assert succ in fitting and fitting[succ].score_parts.quality >= r.score_parts.quality


@pytest.mark.parametrize("examples", [300, 450])
def test_a_few_hundred_examples_get_one_consistent_target(catalog, examples):
    plan = plan_for(catalog, task={"kind": "classification"}, languages=["en"], compliance=NO_REG,
                    data={"examples": examples})
    a = plan.advice
    more = 500 - examples
    assert "enough to teach" not in a.summary
    assert f"{more:,} more" in a.summary and any(f"{more:,} more" in n for n in a.notes)
    assert a.examples_to_collect == more


def test_a_lab_with_two_kinds_of_cards_gets_the_placement_that_fits(catalog):
    """An RTX 4090 and an A100 80GB in one lab: a plan goes where it fits with headroom."""
    plan = plan_for(catalog, task={"kind": "reasoning"}, languages=["en"], compliance=NO_REG, top=None,
                    hardware={"mode": "local", "gpus": [{"name": "rtx-4090"}, {"name": "a100-80gb-pcie"}]})
    assert plan.recommendations[0].tier == "fits"
    by_plan = {}
    for r in plan.recommendations:
        by_plan.setdefault((r.model_id, r.technique), []).append(r)
    assert all(len(v) == 1 for v in by_plan.values()), "one placement per model and technique"
    assert any(r.hardware.gpu_id == "a100-80gb-pcie" for r in plan.recommendations[:3])


def test_us_bank_with_regulated_data_rents_only_us_capacity(catalog):
    plan = plan_for(catalog, task={"kind": "classification"}, languages=["en"], top=None,
                    compliance={"regulated_data": True, "data_residency": "US"},
                    hardware={"mode": "cloud", "gpus": []}, budget={"training_usd": 3000, "monthly_inference_usd": None})
    us = [p for p in catalog.prices if p.regions == ["us"] or (p.region or "").startswith("us-")]
    if not us:
        pytest.skip("the catalog records no US offer")
    assert plan.recommendations
    for r in plan.recommendations:
        assert r.hardware.where == "cloud"  # regions checked by assert_constraints_hold
        assert any("compliance officer" in s for s in r.reasons)


def test_the_cli_table_marks_warning_tier_plans(tmp_path, capsys):
    from ftwizard.cli.main import main
    from recommend_helpers import write_answers

    path = write_answers(tmp_path, merged(ISSUE_EXAMPLE, languages=["en"], compliance=NO_REG, hardware={
        "mode": "local", "gpus": [{"name": "NVIDIA GeForce RTX 4060 Laptop GPU", "memory_gb": 8}]}))
    assert main(["plan", "--answers", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1!" in out and "! warning tier" in out
