"""`manifest.json` of a finished (or stopped) run: what was trained on what, with which
libraries on which hardware, how long it took, and what came out.

An auditor can check every input by SHA-256 and re-run with the same configuration.
Holds no dataset text: only file digests, counts and numbers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ftwizard.runs.config import RunConfig

SCHEMA_VERSION = 1


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FileDigest(_Part):
    path: str = Field(description="Absolute path when the run read it.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=0)


class DatasetInfo(_Part):
    files: list[FileDigest]
    train_examples: int = Field(ge=0)
    holdout_examples: int = Field(ge=0)
    skipped_rows: int = Field(ge=0, description="Malformed rows reported by line and left out.")
    train_tokens: int = Field(ge=0, description="Tokens in the training split after templating.")
    holdout_source: Literal["file", "split"] = Field(description="A separate file, or a seeded split of the data.")


class HardwareInfo(_Part):
    device: str = Field(description="cuda, mps or cpu.")
    device_name: str
    device_memory_gb: float | None = None
    bf16_supported: bool
    cpu: str
    cpu_count: int
    os: str
    python: str
    processes: int = Field(default=1, ge=1, description="Training processes (torchrun / accelerate world size).")


class Timings(_Part):
    load_s: float = Field(ge=0, description="Model, tokenizer and data loading.")
    eval_s: float = Field(ge=0, description="Holdout evaluations, before and after.")
    train_s: float = Field(ge=0, description="The training loop, checkpoints included.")
    total_s: float = Field(ge=0)


class RunMetrics(_Part):
    steps: int = Field(ge=0)
    tokens_trained: int = Field(ge=0, description="Non-padding tokens trained since this start (a resume counts afresh), all processes.")
    tokens_per_s: float = Field(ge=0, description="tokens_trained / train seconds since this start.")
    peak_mem_gb: float = Field(ge=0, description="GPU peak allocated on CUDA; process peak RSS otherwise.")
    mem_kind: Literal["gpu", "process"]
    first_loss: float | None = None
    last_loss: float | None = None
    eval_loss_before: float | None = None
    perplexity_before: float | None = None
    eval_loss_after: float | None = None
    perplexity_after: float | None = None
    # DPO on the holdout (see ftwizard.runs.events): before is the base, its own reference, so
    # its margin is 0 and its accuracy 0.5 by construction.
    reward_margin_before: float | None = None
    reward_accuracy_before: float | None = None
    reward_margin_after: float | None = None
    reward_accuracy_after: float | None = None


class EstimateVsMeasured(_Part):
    predicted_peak_vram_gb: float | None = None
    measured_peak_mem_gb: float
    predicted_tokens_per_s: float | None = None
    measured_tokens_per_s: float
    source: str | None = None


class Outputs(_Part):
    adapter_dir: str | None = Field(description="PEFT adapter (safetensors) with the tokenizer.")
    model_out_dir: str | None = Field(default=None, description="Full weights: merged, or a full fine-tune.")
    metrics_path: str
    checkpoints: list[str] = Field(default_factory=list)


class Manifest(_Part):
    schema_version: Literal[1] = SCHEMA_VERSION
    status: Literal["done", "cancelled", "failed"]
    ftwizard_version: str
    started_at: str = Field(description="ISO 8601, UTC.")
    finished_at: str = Field(description="ISO 8601, UTC.")
    run_config: RunConfig
    quantisation: str
    precision: str
    notes: list[str] = Field(default_factory=list, description="Fallbacks taken and other remarks.")
    model_files: list[FileDigest]
    dataset: DatasetInfo
    libraries: dict[str, str] = Field(description="Name -> version of every library the run used.")
    hardware: HardwareInfo
    timings: Timings
    metrics: RunMetrics
    estimate_vs_measured: EstimateVsMeasured
    outputs: Outputs
