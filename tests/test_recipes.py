"""A cluster user gets a recipe folder that runs as is on engines they already have."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ftwizard.catalog.store import load_catalog
from ftwizard.cli.main import main
from ftwizard.recommend.answers import load_answers
from ftwizard.recommend.plan import save_plan
from ftwizard.recommend.ranking import recommend
from ftwizard.recommend.recipes import ENGINES, render_recipe
from ftwizard.runs.config import RunConfig

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# The documented top-level keys of a DeepSpeed config (deepspeed.ai/docs/config-json) and
# of its zero_optimization section that we write; DeepSpeed itself is not installed here.
DS_TOP_KEYS = {
    "train_batch_size", "train_micro_batch_size_per_gpu", "gradient_accumulation_steps",
    "gradient_clipping", "bf16", "fp16", "zero_optimization", "steps_per_print",
    "wall_clock_breakdown", "optimizer", "scheduler",
}
DS_ZERO_KEYS = {
    "stage", "overlap_comm", "contiguous_gradients", "reduce_bucket_size",
    "stage3_prefetch_bucket_size", "stage3_param_persistence_threshold",
    "stage3_gather_16bit_weights_on_model_save", "offload_optimizer", "offload_param",
    "sub_group_size", "stage3_max_live_parameters", "stage3_max_reuse_distance",
}


@pytest.fixture(scope="module")
def multi_node_plan():
    """A plan for 16 GPUs (2 nodes x 8), the shape a 70B full fine-tune takes."""
    cat = load_catalog()
    plan = recommend(load_answers(EXAMPLES / "answers-support-bot.json"), cat)
    rec = plan.recommendations[0]
    big = rec.model_copy(update={
        "hardware": rec.hardware.model_copy(update={"count": 16, "strategy": "fsdp", "where": "cloud"}),
        "needs_multi_gpu": True,
    })
    return plan.model_copy(update={"recommendations": [big], "chosen_index": 0})


def write_plan(tmp_path, plan) -> Path:
    p = tmp_path / "plan.json"
    save_plan(plan, p)
    return p


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_writes_a_runnable_folder(engine, multi_node_plan, tmp_path, capsys):
    out = tmp_path / "recipe"
    assert main(["export", "recipe", "--plan", str(write_plan(tmp_path, multi_node_plan)),
                 "--engine", engine, "--out", str(out), "--json"]) == 0
    written = {Path(p).name for p in json.loads(capsys.readouterr().out)["written"]}
    assert {"run.json", "launch.sh", "README.md"} <= written
    RunConfig.model_validate_json((out / "run.json").read_text())
    for script in ("launch.sh", "job.sbatch"):
        if (out / script).exists():
            text = (out / script).read_text()
            program = "trl.scripts.sft" if engine == "deepspeed-zero3" else "ftwizard.train run.json"
            assert "HF_HUB_OFFLINE=1" in text and program in text
            assert subprocess.run(["bash", "-n", str(out / script)]).returncode == 0
            if shutil.which("shellcheck"):
                res = subprocess.run(["shellcheck", "-S", "warning", str(out / script)],
                                     capture_output=True, text=True)
                assert res.returncode == 0, res.stdout
    readme = (out / "README.md").read_text()
    assert "16 x" in readme and engine in readme
    run = RunConfig.model_validate_json((out / "run.json").read_text())
    if engine != "deepspeed-zero3":  # the runner shards what the plan sharded (issue 23)
        assert run.sharding == "fsdp"


def test_the_fsdp_recipe_asks_accelerate_for_fsdp2_and_the_layer_class(multi_node_plan):
    yaml = render_recipe(multi_node_plan, "accelerate-fsdp", "t")["accelerate_config.yaml"]
    assert "fsdp_version: 2" in yaml and "fsdp_state_dict_type: SHARDED_STATE_DICT" in yaml
    assert "fsdp_cpu_ram_efficient_loading: true" in yaml and "fsdp_use_orig_params" not in yaml
    assert "fsdp_transformer_layer_cls_to_wrap: " in yaml


def test_the_zero3_recipe_hands_trl_arguments_its_own_parser_accepts(multi_node_plan):
    """The ZeRO-3 recipe runs TRL's SFT script (the ftwizard runner refuses DeepSpeed): its
    arguments must be ones TRL knows, with the run's settings."""
    import shlex

    pytest.importorskip("trl")
    from trl.scripts.sft import make_parser

    files = render_recipe(multi_node_plan, "deepspeed-zero3", "t")
    cfg = RunConfig.model_validate_json(files["run.json"])
    args = shlex.split(files["trl_args.txt"])
    assert args[args.index("--bf16") + 1] in ("true", "false")
    args[args.index("--bf16") + 1] = "false"  # TrainingArguments refuses bf16 on a machine without a GPU
    script, training, model, _ = make_parser().parse_args_and_config(args=args, fail_with_unknown_args=True)
    assert model.use_peft and model.lora_r == cfg.lora_r and training.learning_rate == cfg.learning_rate
    assert training.per_device_train_batch_size == cfg.micro_batch and training.max_length == cfg.seq_len
    assert script.dataset_name == str(cfg.data_path.parent)


def test_accelerate_configs_load_in_accelerates_own_loader(multi_node_plan, tmp_path):
    pytest.importorskip("accelerate")
    from accelerate.commands.config.config_args import ClusterConfig

    for engine, kind in (("accelerate-fsdp", "FSDP"), ("deepspeed-zero3", "DEEPSPEED")):
        files = render_recipe(multi_node_plan, engine, "test")
        p = tmp_path / f"{engine}.yaml"
        p.write_text(files["accelerate_config.yaml"])
        cfg = ClusterConfig.from_yaml_file(str(p))
        assert str(cfg.distributed_type).endswith(kind)
        assert cfg.num_machines == 2 and cfg.num_processes == 16


def test_deepspeed_config_uses_documented_keys_and_offload_when_asked(multi_node_plan):
    ds = json.loads(render_recipe(multi_node_plan, "deepspeed-zero3", "t", offload=True)["ds_config.json"])
    assert set(ds) <= DS_TOP_KEYS and set(ds["zero_optimization"]) <= DS_ZERO_KEYS
    assert ds["zero_optimization"]["stage"] == 3
    assert ds["zero_optimization"]["offload_optimizer"]["device"] == "cpu"
    plain = json.loads(render_recipe(multi_node_plan, "deepspeed-zero3", "t")["ds_config.json"])
    assert "offload_param" not in plain["zero_optimization"]
    cfg = multi_node_plan.run_config or RunConfig.model_validate_json(
        render_recipe(multi_node_plan, "torchrun", "t")["run.json"])
    assert ds["train_micro_batch_size_per_gpu"] == cfg.micro_batch


def test_slurm_job_asks_for_the_planned_nodes_and_gpus(multi_node_plan):
    job = render_recipe(multi_node_plan, "slurm", "t")["job.sbatch"]
    assert "#SBATCH --nodes=2" in job and "#SBATCH --gpus-per-node=8" in job
    assert "--rdzv_backend c10d" in job and "scontrol show hostnames" in job


def test_an_occupied_folder_is_refused_and_left_alone(multi_node_plan, tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    code = main(["export", "recipe", "--plan", str(write_plan(tmp_path, multi_node_plan)),
                 "--engine", "slurm", "--out", str(out)])
    assert code == 2 and "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["mine.txt"]


def test_a_missing_parent_folder_is_a_clear_error_and_leaves_nothing(multi_node_plan, tmp_path, capsys):
    out = tmp_path / "nope" / "recipe"
    code = main(["export", "recipe", "--plan", str(write_plan(tmp_path, multi_node_plan)),
                 "--engine", "torchrun", "--out", str(out)])
    assert code == 2 and "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "nope").exists()
