"""Shared by the recommendation and plan tests: answers written to real files, and the
constraints every recommendation must honour whatever the ranking."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from ftwizard.catalog.store import Catalog
from ftwizard.recommend.answers import Answers, load_answers
from ftwizard.recommend.plan import WEIGHT_NAMES, Plan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# The issue's example, verbatim.
ISSUE_EXAMPLE = {
    "schema_version": 1,
    "task": {"kind": "chat", "domain": "support", "description": "answer customer tickets in our tone"},
    "languages": ["en", "es"],
    "budget": {"training_usd": 500, "monthly_inference_usd": 300},
    "data": {"examples": 2000, "avg_tokens": 600, "preference_pairs": False},
    "compliance": {
        "commercial_use": True,
        "regulated_data": True,
        "air_gapped": False,
        "open_training_data_required": False,
    },
    "hardware": {"mode": "local", "gpus": [{"name": "NVIDIA GeForce RTX 4090", "count": 1}]},
    "knowledge_changes_often": False,
}


def merged(base: dict, **sections) -> dict:
    """The base answers with whole sections or single keys replaced: task={"kind": "code"}."""
    out = copy.deepcopy(base)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


def write_answers(folder: Path, data: dict, name: str = "answers.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def answers_file(folder: Path, **sections) -> Answers:
    return load_answers(write_answers(folder, merged(ISSUE_EXAMPLE, **sections)))


def assert_constraints_hold(plan: Plan, catalog: Catalog) -> None:
    """What the user was promised, for every recommendation, whatever the ranking."""
    from ftwizard.recommend.hardware_options import offer_regions, residency_regions
    from ftwizard.recommend.scoring import headroom_gb

    a = plan.answers
    listed = {}
    if a.hardware.mode == "local":
        for g in a.hardware.gpus:
            found = catalog.find_gpu(g.name, g.memory_gb)
            gid = found.id if found else None
            listed[gid] = listed.get(gid, 0) + g.count
    out_models = {e.model_id for e in plan.excluded if e.technique is None}
    recs = plan.recommendations
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
    # Tiers: a plan that fits with headroom and has every figure checked comes first.
    if any(r.tier == "fits" for r in recs):
        assert recs[0].tier == "fits", "a warning-tier plan is never the top pick when one fits"
    # One row per model in the top 3 (when there are that many models).
    head = [r.model_id for r in recs[:3]]
    assert len(set(head)) == len(head) or len({r.model_id for r in recs}) < 3, f"top 3 repeats a model: {head}"
    for tier in ("fits", "warning"):
        tail = [r.score for r in recs[3:] if r.tier == tier]
        if tier == "fits":
            assert tail == sorted(tail, reverse=True), "ranked best first within the tier"
    residency = residency_regions(a.compliance.data_residency)
    for r in recs:
        m = catalog.model(r.model_id)
        assert r.hf_repo_id in (m.hf_repo_id, m.instruct_repo_id)
        assert r.model_id not in out_models
        lic = catalog.model_licences(m)
        if a.compliance.commercial_use:
            assert all(x.commercial_use for x in lic), f"{r.model_id}: non-commercial licence"
        if m.languages:
            assert set(a.languages) <= set(m.languages), f"{r.model_id}: missing a language"
        else:
            assert any("per-language" in w for w in r.warnings), f"{r.model_id}: unlisted languages not warned"
        if a.compliance.air_gapped or a.hardware.mode != "cloud":
            assert r.hardware.where == "local"
        if r.hardware.where == "cloud" and (a.compliance.regulated_data or a.compliance.data_residency):
            offers = [
                p for p in catalog.prices
                if p.provider == r.hardware.provider and p.gpu_id == r.hardware.gpu_id
                and p.usd_per_gpu_hour == r.hardware.usd_per_gpu_hour
            ]
            assert offers and residency, f"{r.model_id}: regulated data in the cloud without a residency"
            for p in offers:
                regions = offer_regions(p)
                assert regions and set(regions) <= residency, f"{p.id} lies outside {a.compliance.data_residency}"
        if a.hardware.mode == "local":
            key = r.hardware.gpu_id if r.hardware.gpu_id in listed else None
            assert key in listed and r.hardware.count <= listed[key]
        assert r.hardware.gpu_memory_gb is not None and r.peak_vram_gb <= r.hardware.gpu_memory_gb
        if r.tier == "fits":
            assert r.margin_gb >= headroom_gb(r.hardware.gpu_memory_gb) - 0.01, f"{r.model_id}: fits without headroom"
            assert r.train_hours is not None and r.train_cost_usd is not None
            budget = a.budget.monthly_inference_usd
            if budget is not None:
                assert r.monthly_inference_usd is not None and r.monthly_inference_usd <= budget + 1e-9
        else:
            assert r.warnings, "a warning-tier plan says why"
        if r.train_cost_usd is not None:
            assert r.train_cost_usd <= a.budget.training_usd + 1e-9
        assert (r.technique == "dpo") == (r.objective == "dpo")
        if r.technique == "dpo":
            assert a.data.preference_pairs and r.method in ("lora", "qlora")
            assert r.hyperparameters.dpo_beta is not None
            if m.instruct_repo_id:
                assert r.hf_repo_id == m.instruct_repo_id, "DPO starts from the instruct checkpoint"
            else:
                assert any("SFT" in s for s in r.reasons), "DPO from a base checkpoint plans the SFT step"
        else:
            assert r.hf_repo_id == m.hf_repo_id
        if r.needs_multi_gpu:
            # Sharded because one card is too small, or over a cloud offer sold as a group.
            assert r.hardware.count > 1 and r.hardware.strategy == "fsdp"
        else:
            assert r.hardware.count == 1 and r.hardware.strategy == "single"
        parts = r.score_parts
        weighted = sum(getattr(plan.weights, n) * getattr(parts, n) for n in WEIGHT_NAMES)
        assert abs(weighted - parts.total) < 1e-3 and r.score == parts.total
        assert r.reasons, "every recommendation says why"
    if not a.data.preference_pairs:
        assert all(r.technique != "dpo" for r in plan.recommendations)
        assert plan.run_config is None or plan.run_config.objective == "sft"
