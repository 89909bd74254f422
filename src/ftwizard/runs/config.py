"""The configuration of one training run: what `python -m ftwizard.train RUN.json` reads.

The plan (recommendation engine) and the GUI fill it in; the CLI builds it from flags.
`schema_version` 1 is a contract: new fields get defaults, so older files still load.
Relative paths in a RUN.json are taken relative to the file's own folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ftwizard.base.errors import RunConfigError
from ftwizard.base.jsonio import load_model, validate_model, write_model

SCHEMA_VERSION = 1

Method = Literal["qlora", "lora", "full"]
Objective = Literal["sft", "dpo"]
Optimizer = Literal["paged_adamw_8bit", "adamw_8bit", "paged_adamw_32bit", "adamw"]
Precision = Literal["auto", "bf16", "fp16", "fp32"]
# TRL's DPOTrainer loss_type names for the losses the runner computes (same formulas).
DpoLossType = Literal["sigmoid", "hinge", "ipo"]

# The attention and MLP projections of Llama-style blocks (QLoRA paper, §4: all linear layers).
DEFAULT_LORA_TARGETS: tuple[str, ...] = (
    "q_proj",
    "k_proj",
    "v_proj",
    "o_proj",
    "gate_proj",
    "up_proj",
    "down_proj",
)


class RunEstimate(BaseModel):
    """The estimator's prediction, kept beside what the run measures (manifest, done event)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # inf would be written as null

    peak_vram_gb: float | None = Field(default=None, ge=0, description="Predicted peak GPU memory, GB.")
    tokens_per_s: float | None = Field(default=None, ge=0, description="Predicted training throughput.")
    allocator_peak_gb: float | None = Field(
        default=None, ge=0, description="Uncalibrated prediction of what torch's allocator holds at the peak "
        "(peak minus CUDA context): what a calibration record compares with the measured allocator peak.",
    )
    source: str = Field(default="ftwizard estimator", description="Who made the prediction.")


class RunConfig(BaseModel):
    """One training run. Field names carry units; defaults follow the QLoRA paper's recipe."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # inf would be written as null

    schema_version: Literal[1] = SCHEMA_VERSION

    # What to train on, and where the results go.
    model_dir: Path = Field(description="Local model folder: config.json, tokenizer files, *.safetensors.")
    data_path: Path = Field(description="Training data (JSONL, chat or instruction rows).")
    holdout_path: Path | None = Field(
        default=None, description="Held-out data; when absent, holdout_fraction of data_path is held out."
    )
    output_dir: Path = Field(description="Run folder: checkpoints, adapter, manifest.json, metrics.jsonl.")
    catalog_model_id: str | None = Field(default=None, description="Catalog id of the base model, if known.")

    # How to train.
    method: Method = Field(default="qlora", description="qlora: 4-bit NF4 base + LoRA; lora: 16-bit base + LoRA; full: every weight.")
    objective: Objective = Field(
        default="sft",
        description="sft: loss on assistant turns. dpo: direct preference optimisation on prompt/chosen/rejected "
        "rows, LoRA or QLoRA only (the reference is the base model with the adapter switched off).",
    )
    dpo_beta: float = Field(
        default=0.1, gt=0, description="DPO: how far the tuned model may move from the reference (DPO paper: 0.1).")
    dpo_loss_type: DpoLossType = Field(
        default="sigmoid",
        description="DPO loss, by TRL's names: sigmoid (DPO paper), hinge (SLiC), ipo (IPO paper, eq. 17).",
    )
    lora_r: int = Field(default=16, ge=1, le=1024, description="LoRA rank.")
    lora_alpha: float = Field(default=32, gt=0, description="LoRA scaling numerator (scale = alpha / r).")
    lora_dropout: float = Field(default=0.05, ge=0, lt=1)
    lora_targets: list[str] = Field(
        default_factory=lambda: list(DEFAULT_LORA_TARGETS),
        min_length=1,
        description="Module names to adapt, or ['all-linear'].",
    )
    learning_rate: float = Field(default=2e-4, gt=0, lt=1)
    warmup_fraction: float = Field(default=0.03, ge=0, lt=1, description="Share of steps with linear warm-up.")
    lr_schedule: Literal["cosine", "linear", "constant"] = "cosine"
    weight_decay: float = Field(default=0.0, ge=0)
    max_grad_norm: float = Field(default=1.0, gt=0)
    epochs: float = Field(default=1.0, gt=0, le=10_000, description="Passes over the training data (ignored if max_steps is set).")
    max_steps: int | None = Field(default=None, ge=1, description="Optimizer steps; overrides epochs.")
    seq_len: int = Field(default=2048, ge=16, le=1_048_576, description="Tokens per sequence (longer rows are cut).")
    micro_batch: int = Field(default=1, ge=1, description="Sequences per forward pass.")
    grad_accum: int = Field(default=8, ge=1, description="Micro-batches per optimizer step.")
    grad_ckpt: bool = Field(default=True, description="Gradient checkpointing: recompute activations, save memory.")
    optimizer: Optimizer = Field(default="paged_adamw_8bit")
    precision: Precision = Field(default="auto", description="auto: bf16 where the device has it, else fp16 on CUDA, fp32 on CPU.")
    packing: bool = Field(default=True, description="Pack short examples into full sequences; otherwise group by length.")
    seed: int = 42

    # Evaluation and checkpoints.
    eval_every: int = Field(default=0, ge=0, description="Evaluate on the holdout every N steps; 0: only before and after.")
    save_every: int = Field(default=100, ge=0, description="Checkpoint every N steps; 0: only at the end and on cancel.")
    keep_checkpoints: int = Field(default=2, ge=1, description="Complete checkpoints kept on disk.")
    holdout_fraction: float = Field(default=0.05, ge=0, le=0.5)
    log_every: int = Field(default=1, ge=1, description="Emit a step event every N steps.")

    # Faults and safety.
    sharding: Literal["none", "fsdp"] = Field(
        default="none",
        description="fsdp: several processes (torchrun) each hold 1/N of the model (PyTorch FSDP2, "
        "train/sharded.py); none: one process, or data-parallel copies.",
    )
    cpu_offload: bool = Field(default=False, description="fsdp: keep the shards in CPU memory between uses (slower).")
    processes: int = Field(
        default=1, ge=1, le=1024,
        description="Training processes on this machine, one per GPU: `ftwizard train` and the GUI start torchrun "
        "with this many (the plan's GPU count for a multi-GPU plan).",
    )
    samples_after_run: bool = Field(
        default=True, description="At the end, answer up to 20 holdout prompts with the base and the tuned model "
        "(samples.jsonl in the run folder)."
    )
    resume: bool = Field(default=False, description="Continue from the newest complete checkpoint in output_dir.")
    auto_fallback: bool = Field(default=False, description="On out-of-memory, take the next step down the ladder and go on.")
    trust_remote_code: bool = Field(default=False, description="Run the model folder's own Python code (auto_map).")
    allow_pickle_weights: bool = Field(default=False, description="Load *.bin/*.pt weights (pickle can run code).")
    merge: bool = Field(default=False, description="Also write full weights with the adapter merged in.")
    probe: bool = Field(
        default=False,
        description="Only probe: a few real steps at the data's longest sequence to measure memory and speed "
        "(walking the out-of-memory ladder if needed); writes nothing to output_dir.",
    )

    estimate: RunEstimate | None = Field(default=None, description="The estimator's prediction for this run.")

    @property
    def uses_lora(self) -> bool:
        return self.method in ("qlora", "lora")

    @property
    def tokens_per_step(self) -> int:
        """Upper bound of tokens in one optimizer step (packed sequences are full)."""
        return self.seq_len * self.micro_batch * self.grad_accum


def _resolve(base: Path, p: Path | None) -> Path | None:
    if p is None:
        return None
    p = p.expanduser()
    return p if p.is_absolute() else (base / p)


def resolve_paths(cfg: RunConfig, base: Path) -> RunConfig:
    """Relative paths taken from a file are relative to that file's folder."""
    return cfg.model_copy(
        update={
            "model_dir": _resolve(base, cfg.model_dir),
            "data_path": _resolve(base, cfg.data_path),
            "holdout_path": _resolve(base, cfg.holdout_path),
            "output_dir": _resolve(base, cfg.output_dir),
        }
    )


def load_run_config(path: Path) -> RunConfig:
    """Read RUN.json; any problem raises RunConfigError naming the file and field."""
    path = Path(path)
    cfg = load_model(RunConfig, path, RunConfigError)
    return resolve_paths(cfg, path.resolve().parent)


def run_config_from_dict(data: dict, source: str = "run configuration") -> RunConfig:
    return validate_model(RunConfig, data, source, RunConfigError)


def write_run_config(path: Path, cfg: RunConfig) -> None:
    """0600: the paths in it (data, model, run folder) are the user's business."""
    write_model(path, cfg, private=True)
