"""The runner's event stream: one JSON object per line on stdout, the same lines in
`metrics.jsonl` in the run folder.

Readers (the Qt run monitor, the CLI) use `parse_event` and never import the runner.
Every event has `event` (its kind) and `ts` (Unix time, seconds). Events never carry
dataset text or the task description: only counts, line numbers and numbers.

Order of a run: `warning`* (set-up and data), `start`, `eval` (phase "before"), (`step` |
`eval` | `checkpoint` | `warning`)*, `eval` (phase "after"), `done`. A run that stops early ends with
one `error` event instead of `done`; a cancelled run ends with `error` kind "cancelled"
after its `checkpoint`. Exit codes of the runner process are below.

A DPO run (objective "dpo") adds the reward fields to `step`, `eval` and `done`: the reward
of an answer is beta * (log p_tuned - log p_base) summed over its tokens (DPO paper, eq. 5);
the margin is chosen minus rejected, the accuracy the share of pairs with a positive margin
(ties count half). A probe (RunConfig.probe) emits `warning`*, `start`, then one `probe`.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

# Runner exit codes (the GUI and the CLI tell the user what happened from these).
EXIT_OK = 0
EXIT_INTERNAL = 1  # a bug: the error event says "internal"
EXIT_BAD_INPUT = 2  # config, model folder, data or disk: the error event says which
EXIT_CANCELLED = 3  # SIGINT / Cancel: a checkpoint was saved, `--resume` continues
EXIT_OOM = 4  # out of memory and no auto-fallback (or the ladder ran out)

ErrorKind = Literal["oom", "data", "disk", "config", "cancelled", "internal"]
WarningKind = Literal["data", "fallback", "quantisation", "resume", "config"]


class _Event(BaseModel):
    # Readers ignore fields they do not know: a newer runner may add some.
    model_config = ConfigDict(extra="ignore")

    ts: float = Field(default_factory=time.time, description="Unix time, seconds.")


class StartEvent(_Event):
    event: Literal["start"] = "start"
    run_dir: str
    model_dir: str
    method: Literal["qlora", "lora", "full"]
    objective: Literal["sft", "dpo"] = "sft"
    probe: bool = Field(default=False, description="A probe: a few steps to measure memory and speed, no outputs.")
    processes: int = Field(default=1, description="Training processes (torchrun / accelerate world size).")
    quantisation: str = Field(description="'nf4 (double quant)' or 'none'.")
    device: str = Field(description="'cuda', 'mps' or 'cpu'.")
    device_name: str = ""
    precision: str = Field(description="Compute dtype: bf16, fp16 or fp32.")
    mem_kind: Literal["gpu", "process"] = Field(
        description="What peak_mem_gb measures: GPU memory on CUDA, the process's peak RSS otherwise."
    )
    max_steps: int
    seq_len: int
    micro_batch: int
    grad_accum: int
    train_examples: int
    holdout_examples: int
    skipped_rows: int = 0
    total_params: int
    trainable_params: int
    resumed_from_step: int | None = None
    notes: list[str] = Field(default_factory=list, description="Plain-language remarks on the set-up.")
    resume_check: dict | None = Field(
        default=None,
        description="On resume: {'checkpoint': name, 'digests': {part: sha256 of the restored state}, "
        "'differ': [parts whose restored state differs from what the checkpoint recorded]} (train/state_digest.py); "
        "None for a fresh run or a checkpoint written before digests were kept.",
    )
    sharding: Literal["none", "fsdp"] = Field(default="none", description="fsdp: each process holds a shard (FSDP2).")
    world_size: int = Field(default=1, description="Processes training together (the same as processes).")
    local_param_fraction: float = Field(
        default=1.0, description="Parameters this process holds / all parameters (about 1/world_size when sharded)."
    )


class StepEvent(_Event):
    event: Literal["step"] = "step"
    step: int
    max_steps: int
    epoch: float
    loss: float = Field(description="SFT: mean loss over the step's answer tokens; DPO: mean DPO loss over its pairs.")
    lr: float
    tokens_per_s: float = Field(description="Trained (non-padding) tokens per second, this run so far, all processes.")
    peak_mem_gb: float
    eta_s: float = Field(description="Estimated seconds to the last step.")
    grad_norm: float | None = None
    rewards_chosen: float | None = Field(default=None, description="DPO: mean reward of the chosen answers.")
    rewards_rejected: float | None = Field(default=None, description="DPO: mean reward of the rejected answers.")
    reward_margin: float | None = Field(default=None, description="DPO: mean of chosen minus rejected reward.")
    reward_accuracy: float | None = Field(default=None, description="DPO: share of pairs with chosen above rejected.")


class EvalEvent(_Event):
    event: Literal["eval"] = "eval"
    step: int
    phase: Literal["before", "during", "after"] = Field(
        description="before: base model; during: periodic; after: the tuned adapter."
    )
    eval_loss: float = Field(description="Mean loss over the holdout's answer tokens (DPO: the chosen answers).")
    perplexity: float = Field(description="exp(eval_loss), over assistant tokens of the holdout.")
    eval_tokens: int
    dpo_loss: float | None = Field(default=None, description="DPO: mean DPO loss over the holdout pairs.")
    rewards_chosen: float | None = None
    rewards_rejected: float | None = None
    reward_margin: float | None = Field(default=None, description="DPO: mean chosen-minus-rejected reward.")
    reward_accuracy: float | None = Field(default=None, description="DPO: share of holdout pairs ranked right.")


class CheckpointEvent(_Event):
    event: Literal["checkpoint"] = "checkpoint"
    step: int
    path: str
    size_mb: float


class WarningEvent(_Event):
    """Something the user should know that does not stop the run (e.g. skipped rows)."""

    event: Literal["warning"] = "warning"
    kind: WarningKind
    message: str
    count: int | None = None
    line_numbers: list[int] = Field(default_factory=list, description="Data file lines (first few).")


class DoneEvent(_Event):
    event: Literal["done"] = "done"
    step: int
    eval_loss_before: float | None
    perplexity_before: float | None
    eval_loss_after: float | None
    perplexity_after: float | None
    adapter_dir: str | None = Field(description="PEFT adapter + tokenizer (None for a full fine-tune).")
    model_out_dir: str | None = Field(default=None, description="Full weights (full fine-tune or merge).")
    manifest_path: str
    train_time_s: float
    tokens_per_s: float
    peak_mem_gb: float
    predicted_peak_vram_gb: float | None = None
    predicted_tokens_per_s: float | None = None
    # DPO: before is the base model, which is its own reference: margin 0, accuracy 0.5 by construction.
    reward_margin_before: float | None = None
    reward_accuracy_before: float | None = None
    reward_margin_after: float | None = None
    reward_accuracy_after: float | None = None


class ProbeConfig(BaseModel):
    """The settings a probe tried: the plan's, or a step down the out-of-memory ladder."""

    model_config = ConfigDict(extra="ignore")

    micro_batch: int
    grad_accum: int = Field(description="Keeps the effective batch when micro_batch is halved.")
    seq_len: int = Field(description="The seq_len setting (longer rows are cut to it).")
    grad_ckpt: bool
    optimizer: str


class ProbeTry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    config: ProbeConfig
    fits: bool
    steps: int = Field(default=0, description="Steps completed with these settings.")
    sequence_tokens: int = Field(default=0, description="Longest sequence trained: the data's longest, cut at seq_len.")
    measured_peak_gb: float | None = None
    measured_reserved_gb: float | None = None
    tokens_per_s: float | None = None
    saved_activations_gb: float | None = Field(
        default=None, description="Most one micro-batch saved for backward (saved-tensor hooks, weights left out).")
    message: str = Field(default="", description="Why it did not fit.")


class ProbeEvent(_Event):
    """A probe's result: measured beside estimated, and the largest settings that fit."""

    event: Literal["probe"] = "probe"
    fits: bool = Field(description="The run's own settings trained without running out of memory.")
    config: ProbeConfig | None = Field(description="The largest settings that fit (the run's own when fits); None if none did.")
    mem_kind: Literal["gpu", "process"] = Field(description="gpu: CUDA allocator figures; process: peak RSS.")
    measured_peak_gb: float | None = Field(default=None, description="CUDA: max_memory_allocated; else peak RSS.")
    measured_reserved_gb: float | None = Field(default=None, description="CUDA: max_memory_reserved.")
    tokens_per_s: float | None = Field(default=None, description="Trained tokens per second, after the first step.")
    estimate_peak_gb: float | None = None
    estimate_tokens_per_s: float | None = None
    tried: list[ProbeTry] = Field(default_factory=list, description="Every configuration tried, in order.")


class ErrorEvent(_Event):
    event: Literal["error"] = "error"
    kind: ErrorKind
    message: str
    suggestion: str = ""
    step: int | None = None
    checkpoint: str | None = Field(default=None, description="Last complete checkpoint, if any.")


Event = Annotated[
    StartEvent | StepEvent | EvalEvent | CheckpointEvent | WarningEvent | DoneEvent | ErrorEvent | ProbeEvent,
    Field(discriminator="event"),
]
_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_KINDS: tuple[str, ...] = ("start", "step", "eval", "checkpoint", "warning", "done", "error", "probe")


def parse_event(line: str | bytes) -> Event | None:
    """One stdout line -> an event, or None for anything else (library chatter, partial
    lines, unknown or malformed events). Never raises."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("event") not in EVENT_KINDS:
        return None
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError:
        return None


def event_line(ev: _Event) -> str:
    """The event as one JSON line (no newline inside, none at the end)."""
    return ev.model_dump_json()
