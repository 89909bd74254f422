"""Recipes to scale past one machine on engines users already run: Accelerate with FSDP,
DeepSpeed ZeRO-3 (through Accelerate), plain torchrun, and Slurm for several nodes.

ftwizard builds no scheduler. A recipe is a folder of plain files a cluster user can read
and run: the run configuration, the engine's own config file, `launch.sh`, for Slurm a
`job.sbatch`, and a README explaining each knob. Rendering is pure (name -> text); writing
goes to a temp folder first, then moves into place, so a failed export leaves nothing.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from ftwizard.base.errors import ExportError
from ftwizard.recommend.plan import Plan, Recommendation
from ftwizard.runs.config import RunConfig

Engine = Literal["accelerate-fsdp", "deepspeed-zero3", "torchrun", "slurm"]
ENGINES: tuple[str, ...] = Engine.__args__  # type: ignore[attr-defined]
RDZV_PORT = 29500  # torchrun's documented default rendezvous port

# Set in every launcher: the runner must never reach the network on a cluster node either.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}


def _layout(rec: Recommendation) -> tuple[int, int]:
    """(nodes, GPUs per node) for the recommendation: 8 GPUs per node, the common server size."""
    total = rec.hardware.count
    per_node = min(total, 8)
    nodes = max(1, -(-total // per_node))
    return nodes, per_node


def _mixed_precision(cfg: RunConfig) -> str:
    return {"bf16": "bf16", "fp16": "fp16", "fp32": "no"}.get(cfg.precision, "bf16")


# Decoder-layer classes by config.json model_type (transformers' `_no_split_modules`), for
# accelerate's TRANSFORMER_BASED_WRAP; a type not listed is left to accelerate's default.
LAYER_CLASS = {
    "llama": "LlamaDecoderLayer", "mistral": "MistralDecoderLayer", "qwen2": "Qwen2DecoderLayer",
    "qwen3": "Qwen3DecoderLayer", "qwen3_moe": "Qwen3MoeDecoderLayer", "gemma": "GemmaDecoderLayer",
    "gemma2": "Gemma2DecoderLayer", "gemma3_text": "Gemma3DecoderLayer", "phi3": "Phi3DecoderLayer",
    "mixtral": "MixtralDecoderLayer", "olmo2": "Olmo2DecoderLayer", "granite": "GraniteDecoderLayer",
    "gpt_oss": "GptOssDecoderLayer", "falcon": "FalconDecoderLayer",
}


def accelerate_fsdp_yaml(cfg: RunConfig, nodes: int, per_node: int, offload: bool, model_type: str | None = None) -> str:
    # Keys as written by `accelerate config` for FSDP2 (accelerate >= 1.6: fsdp_version 2,
    # fsdp_reshard_after_forward). The ftwizard runner reads `sharding: fsdp` from run.json and
    # shards with PyTorch FSDP2 itself (train/sharded.py); these keys make accelerate agree.
    layer = LAYER_CLASS.get(model_type or "")
    layer_line = f"  fsdp_transformer_layer_cls_to_wrap: {layer}\n" if layer else ""
    return f"""\
# Accelerate launcher configuration: FSDP2 full sharding. See README.md for each knob.
compute_environment: LOCAL_MACHINE
distributed_type: FSDP
downcast_bf16: 'no'
fsdp_config:
  fsdp_version: 2
  fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP
{layer_line}  fsdp_cpu_ram_efficient_loading: true
  fsdp_offload_params: {str(offload).lower()}
  fsdp_reshard_after_forward: true
  fsdp_state_dict_type: SHARDED_STATE_DICT
machine_rank: 0
main_training_function: main
mixed_precision: {_mixed_precision(cfg)}
num_machines: {nodes}
num_processes: {nodes * per_node}
rdzv_backend: static
same_network: true
tpu_env: []
tpu_use_cluster: false
tpu_use_sudo: false
use_cpu: false
"""


def deepspeed_config(cfg: RunConfig, offload: bool) -> dict:
    """ZeRO stage 3 (DeepSpeed docs, 'ZeRO-3 Offload'); 'auto' lets Accelerate fill in values
    from the runner's own settings so the two never disagree."""
    zero: dict = {
        "stage": 3,
        "overlap_comm": True,
        "contiguous_gradients": True,
        "reduce_bucket_size": "auto",
        "stage3_prefetch_bucket_size": "auto",
        "stage3_param_persistence_threshold": "auto",
        "stage3_gather_16bit_weights_on_model_save": True,
    }
    if offload:
        zero["offload_optimizer"] = {"device": "cpu", "pin_memory": True}
        zero["offload_param"] = {"device": "cpu", "pin_memory": True}
    precision = _mixed_precision(cfg)
    return {
        "train_micro_batch_size_per_gpu": cfg.micro_batch,
        "gradient_accumulation_steps": cfg.grad_accum,
        "gradient_clipping": cfg.max_grad_norm,
        "bf16": {"enabled": precision == "bf16"},
        "fp16": {"enabled": precision == "fp16"},
        "zero_optimization": zero,
        "steps_per_print": 1_000_000,
        "wall_clock_breakdown": False,
    }


def trl_sft_args(cfg: RunConfig) -> str:
    """TRL's `trl.scripts.sft` arguments for the run (the ZeRO-3 recipe): the data folder is
    read by `datasets.load_dataset(folder)` (every JSONL file in it); a QLoRA plan stores its
    4-bit weights in bf16 so ZeRO-3 can partition them (PEFT docs, "DeepSpeed + QLoRA")."""
    args = [
        "--model_name_or_path", str(cfg.model_dir), "--dataset_name", str(cfg.data_path.parent),
        "--output_dir", str(cfg.output_dir), "--use_peft", "--lora_r", str(cfg.lora_r),
        "--lora_alpha", f"{cfg.lora_alpha:g}", "--lora_dropout", f"{cfg.lora_dropout:g}",
        "--lora_target_modules", *cfg.lora_targets, "--learning_rate", f"{cfg.learning_rate:g}",
        "--max_length", str(cfg.seq_len), "--per_device_train_batch_size", str(cfg.micro_batch),
        "--gradient_accumulation_steps", str(cfg.grad_accum), "--seed", str(cfg.seed), "--report_to", "none",
        "--bf16", "true" if _mixed_precision(cfg) == "bf16" else "false",
    ]
    args += ["--max_steps", str(cfg.max_steps)] if cfg.max_steps else ["--num_train_epochs", f"{cfg.epochs:g}"]
    if cfg.grad_ckpt:
        args.append("--gradient_checkpointing")
    if cfg.method == "qlora":
        args += ["--load_in_4bit", "--use_bnb_nested_quant", "--bnb_4bit_quant_storage", "bfloat16"]
    return " ".join(shlex.quote(a) for a in args) + "\n"


def accelerate_deepspeed_yaml(cfg: RunConfig, nodes: int, per_node: int) -> str:
    return f"""\
# Accelerate launcher configuration: DeepSpeed ZeRO-3 from ds_config.json. See README.md.
compute_environment: LOCAL_MACHINE
deepspeed_config:
  deepspeed_config_file: ds_config.json
  deepspeed_multinode_launcher: standard
  zero3_init_flag: true
distributed_type: DEEPSPEED
downcast_bf16: 'no'
machine_rank: 0
main_training_function: main
num_machines: {nodes}
num_processes: {nodes * per_node}
rdzv_backend: static
same_network: true
tpu_env: []
tpu_use_cluster: false
tpu_use_sudo: false
use_cpu: false
"""


def _env_lines() -> str:
    return "\n".join(f"export {k}={v}" for k, v in OFFLINE_ENV.items())


_SH_HEAD = """\
#!/usr/bin/env bash
# Generated by ftwizard {version}. Run from this folder: bash launch.sh
set -euo pipefail
cd "$(dirname "$0")"
# Offline by construction: no hub downloads, no telemetry, on every node.
{env}
PYTHON="${{FTWIZARD_PYTHON:-python}}"   # an interpreter with ftwizard[train] installed
"""


def launch_sh(engine: str, cfg_file: str, nodes: int, per_node: int, version: str) -> str:
    head = _SH_HEAD.format(version=version, env=_env_lines())
    if engine in ("accelerate-fsdp", "deepspeed-zero3"):
        # The ftwizard runner refuses DeepSpeed: the ZeRO-3 recipe runs TRL's SFT script.
        program = "-m ftwizard.train run.json" if engine == "accelerate-fsdp" else "-m trl.scripts.sft $(cat trl_args.txt)"
        body = f"""\
# On a multi-node cluster run this on every node with MACHINE_RANK=0..{nodes - 1} and
# MAIN_ADDR set to node 0's address (the Slurm recipe does that for you).
"$PYTHON" -m accelerate.commands.launch \\
  --config_file {shlex.quote(cfg_file)} \\
  --machine_rank "${{MACHINE_RANK:-0}}" \\
  --main_process_ip "${{MAIN_ADDR:-127.0.0.1}}" \\
  --main_process_port "${{MAIN_PORT:-{RDZV_PORT}}}" \\
  {program} "$@"
"""
    else:
        body = f"""\
# One process per GPU on each of {nodes} node(s); the c10d rendezvous needs node 0's address.
"$PYTHON" -m torch.distributed.run \\
  --nnodes {nodes} \\
  --nproc_per_node {per_node} \\
  --rdzv_backend c10d \\
  --rdzv_id "${{RDZV_ID:-ftwizard}}" \\
  --rdzv_endpoint "${{MAIN_ADDR:-127.0.0.1}}:${{MAIN_PORT:-{RDZV_PORT}}}" \\
  -m ftwizard.train run.json "$@"
"""
    return head + body


def sbatch(rec: Recommendation, cfg: RunConfig, nodes: int, per_node: int, hours: float | None, version: str) -> str:
    wall = max(1, int((hours or 24) * 1.5 + 1))  # 50% headroom over the estimate, rounded up
    return f"""\
#!/usr/bin/env bash
# Generated by ftwizard {version}: {rec.model_name}, {rec.technique}, {nodes} node(s) x {per_node} GPU(s).
# Submit from this folder: sbatch job.sbatch
#SBATCH --job-name=ftwizard-{rec.model_id}
#SBATCH --nodes={nodes}
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node={per_node}
#SBATCH --cpus-per-task={max(4, per_node * 4)}
#SBATCH --time={wall}:00:00
#SBATCH --output=slurm-%j.out
set -euo pipefail
{_env_lines()}
PYTHON="${{FTWIZARD_PYTHON:-python}}"
MAIN_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
export MAIN_ADDR MAIN_PORT={RDZV_PORT}
# One torchrun per node; torchrun starts one training process per GPU.
srun --kill-on-bad-exit=1 "$PYTHON" -m torch.distributed.run \\
  --nnodes "$SLURM_NNODES" \\
  --nproc_per_node {per_node} \\
  --rdzv_backend c10d \\
  --rdzv_id "$SLURM_JOB_ID" \\
  --rdzv_endpoint "$MAIN_ADDR:$MAIN_PORT" \\
  -m ftwizard.train run.json
"""


def readme(engine: str, rec: Recommendation, cfg: RunConfig, nodes: int, per_node: int, offload: bool) -> str:
    hw = rec.hardware
    lines = [
        f"# ftwizard recipe: {rec.model_name}, {rec.technique}, engine `{engine}`",
        "",
        f"Plan: {hw.count} x {hw.gpu_name} ({nodes} node(s) x {per_node} GPU(s)), strategy "
        f"`{hw.strategy}`; estimated peak memory {rec.peak_vram_gb:.1f} GB per GPU"
        + (f", about {rec.train_hours:.1f} h" if rec.train_hours else "")
        + ".",
        "",
        "## Before you run",
        f"1. Copy the model folder to `{cfg.model_dir}` and the data to `{cfg.data_path}` on shared storage"
        " (or edit the paths in `run.json`; relative paths are taken from this folder).",
        "2. Install ftwizard with its `train` extra in the cluster's Python environment"
        " (offline: `ftwizard runtime install --wheelhouse DIR`), and point `FTWIZARD_PYTHON` at it.",
        "3. Nothing here downloads anything: the launchers set the Hugging Face offline variables.",
        "",
        "## Files",
        "- `run.json`: the training configuration (`ftwizard schema run-config` documents every field).",
    ]
    if engine == "accelerate-fsdp":
        lines += [
            "- `accelerate_config.yaml`: Accelerate's launcher settings (FSDP2).",
            "  - `distributed_type: FSDP`, `fsdp_version: 2`: parameters, gradients and optimizer state are"
            " split across all GPUs (PyTorch `fully_shard`); each layer is gathered only while it runs.",
            "  - `fsdp_auto_wrap_policy: TRANSFORMER_BASED_WRAP` (`fsdp_transformer_layer_cls_to_wrap`):"
            " one shard unit per decoder layer.",
            f"  - `fsdp_offload_params: {str(offload).lower()}`: true moves parameters and optimizer state to"
            " CPU memory (slower, fits bigger models); `run.json` carries the same as `cpu_offload`.",
            "  - `fsdp_cpu_ram_efficient_loading: true`: rank 0 reads the weights and broadcasts them"
            " (a 4-bit QLoRA base is loaded by every rank, then sharded).",
            "  - `fsdp_state_dict_type: SHARDED_STATE_DICT`: each rank saves its shard (fast checkpoints).",
            "  - `run.json` has `sharding: fsdp`: the ftwizard runner shards the model itself with PyTorch"
            " FSDP2 and tells you so in its start event (`sharding`, `local_param_fraction`).",
            "  - `num_machines` / `num_processes`: nodes and total GPUs.",
            "- `launch.sh`: `accelerate launch` with this config and the ftwizard runner.",
        ]
    elif engine == "deepspeed-zero3":
        lines += [
            "The ftwizard runner does not train under DeepSpeed (a QLoRA base under ZeRO-3 loads whole on"
            " every GPU, and adapters save empty unless gathered); this recipe runs TRL's SFT script"
            " (`trl.scripts.sft`) under Accelerate with DeepSpeed instead. ftwizard could not run it here"
            " (no DeepSpeed, no GPU): it is the documented TRL + PEFT route, not a tested one. For a tested"
            " sharded run use the `accelerate-fsdp` or `torchrun` recipe. DPO plans: use `trl.scripts.dpo`.",
            "- `trl_args.txt`: the run's settings as TRL arguments (model, data folder, LoRA, batch, steps).",
            "- `ds_config.json`: DeepSpeed settings.",
            "  - `zero_optimization.stage: 3`: parameters, gradients and optimizer state partitioned over GPUs.",
            "  - `offload_optimizer` / `offload_param` (present when CPU offload is planned): keep them in CPU memory.",
            "  - `\"auto\"` values are filled in by Accelerate from the runner's settings.",
            "  - `stage3_gather_16bit_weights_on_model_save: true`: the saved adapter/model is whole, not sharded.",
            "- `accelerate_config.yaml`: Accelerate's launcher, pointing at `ds_config.json`.",
            "- `launch.sh`: `accelerate launch` with this config and the ftwizard runner.",
        ]
    elif engine == "torchrun":
        lines += [
            "- `launch.sh`: `torchrun` (as `python -m torch.distributed.run`) starting one runner per GPU.",
            "  - `--nnodes`, `--nproc_per_node`: nodes and GPUs per node.",
            "  - `--rdzv_backend c10d --rdzv_endpoint HOST:PORT`: how the processes find each other;"
            " set `MAIN_ADDR` to node 0's address on multi-node runs.",
            "  With several GPUs `run.json` says `sharding: fsdp`: each GPU holds 1/N of the model (FSDP2).",
        ]
    else:
        lines += [
            "- `job.sbatch`: the Slurm job. `--nodes` and `--gpus-per-node` request the hardware;"
            " one `srun` task per node starts `torchrun`, which starts one runner per GPU;"
            " node 0 (first host of the allocation) is the rendezvous point.",
            "  `--time` is the estimate plus 50%. Adjust `--partition`/`--account` for your site.",
            "- `launch.sh`: the same launch without Slurm (torchrun), for testing on one node.",
        ]
    lines += [
        "",
        "## Resume and results",
        "Runs checkpoint into the output folder; rerun the same command with `--resume` to continue."
        " Only rank 0 writes the adapter, `manifest.json` and `metrics.jsonl`.",
        "",
    ]
    return "\n".join(lines)


def _model_type(rec: Recommendation) -> str | None:
    from ftwizard.catalog.store import load_catalog

    try:
        return next((m.architecture.model_type for m in load_catalog().models if m.id == rec.model_id), None)
    except Exception:  # a broken user catalog must not stop an export; the layer class is optional
        return None


def render_recipe(
    plan: Plan, engine: str, version: str, index: int | None = None, offload: bool = False
) -> dict[str, str]:
    """The recipe's files, name -> text. Uses the chosen recommendation unless `index` is given.
    `offload` moves parameters and optimizer state to CPU memory (FSDP and ZeRO-3 only)."""
    if engine not in ENGINES:
        raise ExportError(f"unknown engine '{engine}'; choose one of {', '.join(ENGINES)}")
    if not plan.recommendations:
        raise ExportError("the plan has no recommendation to export")
    i = plan.chosen_index if index is None else index
    rec = plan.recommendations[i or 0]
    if plan.run_config is not None and (index is None or index == plan.chosen_index):
        cfg = plan.run_config
    else:
        from ftwizard.recommend.hyperparams import run_config_for

        cfg = run_config_for(rec, plan.answers)
    nodes, per_node = _layout(rec)
    files = {"run.json": cfg.model_dump_json(indent=2) + "\n"}
    if engine != "deepspeed-zero3" and rec.hardware.count > 1:
        # Every multi-GPU launcher runs the runner sharded (FSDP2), as the plan estimated.
        cfg = cfg.model_copy(update={"sharding": "fsdp", "cpu_offload": offload})
        files["run.json"] = cfg.model_dump_json(indent=2) + "\n"
    if engine == "accelerate-fsdp":
        files["accelerate_config.yaml"] = accelerate_fsdp_yaml(cfg, nodes, per_node, offload, _model_type(rec))
        files["launch.sh"] = launch_sh(engine, "accelerate_config.yaml", nodes, per_node, version)
    elif engine == "deepspeed-zero3":
        files["ds_config.json"] = json.dumps(deepspeed_config(cfg, offload), indent=2) + "\n"
        files["trl_args.txt"] = trl_sft_args(cfg)
        files["accelerate_config.yaml"] = accelerate_deepspeed_yaml(cfg, nodes, per_node)
        files["launch.sh"] = launch_sh(engine, "accelerate_config.yaml", nodes, per_node, version)
    elif engine == "torchrun":
        files["launch.sh"] = launch_sh(engine, "", nodes, per_node, version)
    else:
        files["job.sbatch"] = sbatch(rec, cfg, nodes, per_node, rec.train_hours, version)
        files["launch.sh"] = launch_sh("torchrun", "", 1, per_node, version)
    files["README.md"] = readme(engine, rec, cfg, nodes, per_node, offload)
    return files


def write_recipe(files: dict[str, str], out_dir: Path) -> list[Path]:
    """Write into `out_dir` (created; must be empty if it exists). All or nothing."""
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ExportError(f"{out_dir}: exists and is not an empty folder; choose a new folder")
    parent = out_dir.parent if str(out_dir.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"{out_dir}: folder {parent} does not exist")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=parent))
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write in {parent} ({exc.strerror})") from None
    try:
        for name, text in files.items():
            if Path(name).name != name:  # names are ours, but never let one escape the folder
                raise ExportError(f"refusing file name {name!r}")
            p = tmp / name
            p.write_text(text, encoding="utf-8")
            if name.endswith((".sh", ".sbatch")):
                p.chmod(0o755)
        tmp.chmod(0o755)
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(tmp, out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ExportError(f"{out_dir}: cannot write ({exc.strerror})") from None
    except ExportError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out_dir / n for n in files]
