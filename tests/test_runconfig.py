"""The run configuration (issue 9): what the plan hands to the runner, checked at the door."""

from __future__ import annotations

import json

import pytest

from ftwizard.base.errors import RunConfigError
from ftwizard.runs.config import RunConfig, load_run_config, write_run_config
from ftwizard.schemas import json_schema


def _minimal(tmp_path):
    return {"model_dir": "model", "data_path": "data/train.jsonl", "output_dir": "runs/first"}


def test_a_plan_with_only_the_paths_gets_the_qlora_recipe(tmp_path):
    cfg_file = tmp_path / "run.json"
    cfg_file.write_text(json.dumps(_minimal(tmp_path)))
    cfg = load_run_config(cfg_file)
    assert cfg.schema_version == 1
    assert cfg.method == "qlora" and cfg.objective == "sft"
    assert cfg.optimizer == "paged_adamw_8bit" and cfg.grad_ckpt
    assert "down_proj" in cfg.lora_targets
    # relative paths are taken from the file's own folder, not from wherever the runner starts
    assert cfg.model_dir == tmp_path / "model"
    assert cfg.data_path == tmp_path / "data" / "train.jsonl"
    assert cfg.trust_remote_code is False and cfg.allow_pickle_weights is False


def test_round_trip_keeps_every_field(tmp_path):
    cfg = RunConfig(
        model_dir=tmp_path / "m", data_path=tmp_path / "d.jsonl", output_dir=tmp_path / "o",
        method="lora", lora_r=8, max_steps=30, seq_len=64, estimate={"peak_vram_gb": 5.5, "tokens_per_s": 900},
    )
    write_run_config(tmp_path / "run.json", cfg)
    again = load_run_config(tmp_path / "run.json")
    assert again == cfg
    assert again.estimate.peak_vram_gb == 5.5
    assert cfg.tokens_per_step == 64 * 1 * 8


@pytest.mark.parametrize(
    "patch, where",
    [
        ({"method": "prefix-tuning"}, "$.method"),
        ({"lora_r": 0}, "$.lora_r"),
        ({"seq_len": 4}, "$.seq_len"),
        ({"holdout_fraction": 0.9}, "$.holdout_fraction"),
        ({"learnig_rate": 1e-4}, "$.learnig_rate"),  # a typo must not pass silently
        ({"schema_version": 2}, "$.schema_version"),
        ({"estimate": {"peak_vram_gb": -1}}, "$.estimate.peak_vram_gb"),
    ],
)
def test_bad_fields_are_named_with_file_and_path(tmp_path, patch, where):
    p = tmp_path / "run.json"
    p.write_text(json.dumps(_minimal(tmp_path) | patch))
    with pytest.raises(RunConfigError) as exc:
        load_run_config(p)
    assert str(p) in str(exc.value) and where in str(exc.value)


def test_missing_and_broken_files_say_so(tmp_path):
    with pytest.raises(RunConfigError, match="file not found"):
        load_run_config(tmp_path / "nope.json")
    p = tmp_path / "run.json"
    p.write_text('{"model_dir": "m",\n oops}')
    with pytest.raises(RunConfigError, match="line 2"):
        load_run_config(p)


def test_schema_is_exported_for_run_config_and_manifest():
    rc = json_schema("run-config")
    assert "lora_targets" in rc["properties"] and "schema_version" in rc["properties"]
    man = json_schema("manifest")
    assert {"model_files", "libraries", "hardware", "estimate_vs_measured"} <= set(man["properties"])
