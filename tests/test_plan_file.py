"""A saved plan opens back exactly as it was; a broken one is refused naming the field."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from ftwizard.base.errors import PlanError
from ftwizard.catalog.store import load_catalog
from ftwizard.hardware.profile import CpuInfo, GpuInfo, HardwareProfile
from ftwizard.recommend.plan import Plan, load_plan, save_plan
from ftwizard.recommend.ranking import recommend
from ftwizard.schemas import json_schema
from recommend_helpers import answers_file


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_a_saved_plan_opens_back_exactly_as_it_was(tmp_path, catalog):
    plan = recommend(answers_file(tmp_path), catalog, top=5)
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    again = load_plan(path)
    assert again == plan
    assert again.model_dump_json() == plan.model_dump_json()
    # Saving what was opened gives the same bytes: nothing drifts across sessions.
    path2 = tmp_path / "plan2.json"
    save_plan(again, path2)
    assert path2.read_bytes() == path.read_bytes()


def test_a_plan_made_from_detected_hardware_keeps_the_profile(tmp_path, catalog):
    profile = HardwareProfile(
        detected_at=dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC),
        os="Linux 6.8 x86_64",
        os_system="Linux",
        cpu=CpuInfo(logical_cores=8),
        gpus=[GpuInfo(index=0, vendor="nvidia", name="NVIDIA GeForce RTX 4090", backend="nvml",
                      memory_total_gib=23.99, memory_free_gib=23.4, catalog_gpu_id="rtx-4090")],
    )
    answers = answers_file(tmp_path, languages=["en"], hardware={"mode": "detect", "gpus": []})
    plan = recommend(answers, catalog, profile, top=2)
    save_plan(plan, tmp_path / "p.json")
    again = load_plan(tmp_path / "p.json")
    assert again == plan and again.hardware == profile


def test_the_plan_carries_what_the_report_needs(tmp_path, catalog):
    plan = recommend(answers_file(tmp_path), catalog, top=3)
    assert plan.schema_version == 1
    assert plan.catalog_version == catalog.version and plan.catalog_as_of == catalog.as_of
    assert plan.chosen_index == 0 and plan.chosen is plan.recommendations[0]
    rc = plan.run_config
    chosen = plan.chosen
    assert rc.method == chosen.method and rc.objective == chosen.objective
    assert rc.seq_len == chosen.hyperparameters.seq_len
    assert rc.micro_batch == chosen.hyperparameters.micro_batch
    assert rc.estimate.peak_vram_gb == chosen.peak_vram_gb
    assert rc.lora_targets == ["all-linear"]  # as estimated; names differ between families
    assert rc.holdout_fraction == pytest.approx(0.1) and rc.catalog_model_id == chosen.model_id
    assert plan.assumptions and any(catalog.version in a for a in plan.assumptions)


def test_the_plan_file_is_private_and_written_atomically(tmp_path, catalog):
    plan = recommend(answers_file(tmp_path), catalog, top=1)
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    if os.name == "posix":
        assert (path.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    with pytest.raises(PlanError, match="does not exist"):
        save_plan(plan, tmp_path / "missing-folder" / "plan.json")


def test_a_broken_plan_is_refused_naming_the_field(tmp_path, catalog):
    plan = recommend(answers_file(tmp_path), catalog, top=2)
    data = json.loads(plan.model_dump_json())
    data["recommendations"][1]["score_parts"]["quality"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PlanError, match=r"bad\.json: \$\.recommendations\[1\]\.score_parts\.quality"):
        load_plan(bad)
    data = json.loads(plan.model_dump_json())
    data["chosen_index"] = 9
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PlanError, match="chosen_index 9"):
        load_plan(bad)
    bad.write_text("{ not json", encoding="utf-8")
    with pytest.raises(PlanError, match="line 1"):
        load_plan(bad)


def test_plan_schema_is_exported(tmp_path):
    schema = json_schema("plan")
    assert schema["title"] == "Plan"
    assert {"answers", "recommendations", "excluded", "chosen_index", "run_config", "weights"} <= set(
        schema["properties"]
    )
    assert Plan.model_fields["schema_version"].default == 1
