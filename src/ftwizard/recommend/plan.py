"""The plan: what the recommendation engine decided, saved as JSON and opened back as it was.

One file holds the answers, the hardware it was made for, the catalog version, the advice,
the ranked recommendations with their scores and reasons, what was excluded and why, the
chosen recommendation and its run configuration. The PDF report and the GUI results page
read it; nothing in it is computed on load.

`schema_version` 1 is a contract: new fields get defaults, so older files still load.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ftwizard.base.errors import FtwizardError, PlanError
from ftwizard.base.jsonio import load_model, write_model
from ftwizard.estimate.request import EstimateRequest
from ftwizard.hardware.profile import HardwareProfile
from ftwizard.recommend.answers import Answers
from ftwizard.runs.config import RunConfig

SCHEMA_VERSION = 1

Technique = Literal["full", "lora", "qlora", "dpo"]
Constraint = Literal[
    "licence", "language", "open_training_data", "compliance", "hardware", "memory", "budget", "context"
]

WEIGHT_NAMES: tuple[str, ...] = ("quality", "data_fit", "time", "cost", "inference_cost", "maturity")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScoreWeights(_Part):
    """How much each score part counts. Any non-negative numbers; stored normalised to sum 1."""

    quality: float = Field(default=0.35, ge=0, description="Expected quality for the task and languages.")
    data_fit: float = Field(default=0.15, ge=0, description="Technique suits the amount and kind of data.")
    time: float = Field(default=0.10, ge=0, description="Shorter training scores higher.")
    cost: float = Field(default=0.15, ge=0, description="Training cost against the budget.")
    inference_cost: float = Field(default=0.10, ge=0, description="Monthly self-hosting cost.")
    maturity: float = Field(default=0.15, ge=0, description="Community and tooling maturity.")

    @model_validator(mode="after")
    def _normalise(self) -> ScoreWeights:
        total = sum(getattr(self, n) for n in WEIGHT_NAMES)
        if total <= 0:
            raise ValueError("at least one weight must be above 0")
        # Only rescale when needed, so a saved plan's weights load back bit-for-bit.
        if abs(total - 1.0) > 1e-9:
            for n in WEIGHT_NAMES:
                object.__setattr__(self, n, getattr(self, n) / total)
        return self


def parse_weights(text: str, base: ScoreWeights | None = None) -> ScoreWeights:
    """'quality=0.4,cost=0.2' -> weights: the named parts replace `base` (defaults), then all
    are normalised to sum 1. A ValueError names the bad part."""
    values = (base or ScoreWeights()).model_dump()
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or name not in WEIGHT_NAMES:
            raise ValueError(f"'{item}': expected NAME=NUMBER with NAME one of {', '.join(WEIGHT_NAMES)}")
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"'{item}': '{raw.strip()}' is not a number") from None
        if not value >= 0 or value == float("inf"):
            raise ValueError(f"'{item}': a weight must be a finite number >= 0")
        values[name] = value
    if sum(values.values()) <= 0:
        raise ValueError("at least one weight must be above 0")
    return ScoreWeights(**values)


class ScoreParts(_Part):
    """Each part in [0, 1]; `total` is their weighted sum (weights as in the plan)."""

    quality: float = Field(ge=0, le=1)
    data_fit: float = Field(ge=0, le=1)
    time: float = Field(ge=0, le=1)
    cost: float = Field(ge=0, le=1)
    inference_cost: float = Field(ge=0, le=1)
    maturity: float = Field(ge=0, le=1)
    total: float = Field(ge=0, le=1)


class Hyperparameters(_Part):
    """Starting values; the holdout evaluation decides whether to change them."""

    lora_r: int | None = Field(default=None, description="LoRA rank; None for full fine-tuning.")
    lora_alpha: int | None = Field(default=None, description="LoRA scale numerator (scale = alpha / r).")
    learning_rate: float
    epochs: float
    seq_len: int = Field(description="Tokens per sequence (packed).")
    micro_batch: int
    grad_accum: int
    grad_ckpt: bool
    optimizer: str = Field(description="Estimator optimizer name: adamw, adamw_8bit, paged_adamw_8bit, ...")
    precision: str = Field(description="Estimator precision name: bf16-true, bf16-mixed, fp16-mixed, fp32.")
    dpo_beta: float | None = Field(default=None, description="DPO KL strength; None unless technique is dpo.")

    @property
    def effective_batch(self) -> int:
        return self.micro_batch * self.grad_accum


class HardwareChoice(_Part):
    where: Literal["local", "cloud"]
    gpu_id: str
    gpu_name: str
    gpu_memory_gb: float | None = Field(default=None, description="Per GPU, decimal GB (catalog).")
    count: int = Field(ge=1)
    provider: str = Field(description="Cloud provider, or 'local'.")
    strategy: Literal["single", "ddp", "fsdp", "zero3"] = "single"
    usd_per_gpu_hour: float | None = Field(default=None, description="Price, or local electricity per GPU-hour.")
    pricing: str | None = Field(default=None, description="on_demand, spot, capacity_block, unknown, electricity.")
    price_verified: bool | None = None
    price_traced: bool | None = Field(default=None, description="Traced to a price list, dated or not.")
    price_as_of: str | None = None
    price_source: str | None = None


class Recommendation(_Part):
    rank: int = Field(ge=1)
    model_id: str
    model_name: str
    hf_repo_id: str
    instruct_repo_id: str | None = None
    params_b: float
    technique: Technique = Field(description="full, lora, qlora, or dpo (preference tuning on an adapter).")
    method: Literal["full", "lora", "qlora"] = Field(description="How weights are held and trained.")
    objective: Literal["sft", "dpo"] = "sft"
    hyperparameters: Hyperparameters
    hardware: HardwareChoice
    needs_multi_gpu: bool = Field(default=False, description="Sharded over several GPUs (recipe export).")
    peak_vram_gb: float = Field(description="Per GPU, estimator.")
    margin_gb: float | None = Field(default=None, description="GPU memory minus peak_vram_gb.")
    allocator_peak_gb: float | None = Field(
        default=None, description="Uncalibrated peak minus the CUDA context (for calibration records).")
    tokens_per_s: float | None = Field(default=None, description="Training throughput over all GPUs.")
    train_hours: float | None = None
    train_cost_usd: float | None = None
    monthly_inference_usd: float | None = None
    monthly_inference_gpu: str | None = Field(default=None, description="'2 x NVIDIA L4 (provider)'.")
    score: float = Field(ge=0, le=1, description="Weighted total of score_parts.")
    score_parts: ScoreParts
    licences: list[str] = Field(default_factory=list, description="Licence ids that apply.")
    reasons: list[str] = Field(default_factory=list, description="Sentences a manager understands.")
    warnings: list[str] = Field(default_factory=list, description="Licence duties, tight memory, over budget.")
    tier: Literal["fits", "warning"] = Field(
        default="fits",
        description="fits: fits with memory headroom and every figure checked; warning: tight memory, "
        "unknown time or cost, an untraced price or serving over budget (listed after every plan that fits).",
    )
    calibration: str | None = Field(
        default=None,
        description="How the memory and speed figures were corrected from runs recorded on this GPU "
        "('calibrated from 3 runs on this GPU ...'); None: the estimator's physics alone.",
    )


class Exclusion(_Part):
    """Why a model (technique None) or one technique of a model is not recommended."""

    model_id: str
    reason: str
    technique: Technique | None = Field(default=None, description="None: the whole model is out.")
    constraint: Constraint


class Advice(_Part):
    fine_tune: bool = Field(description="Is fine-tuning the right tool for this project?")
    summary: str
    alternatives: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    examples_to_collect: int | None = Field(default=None, description="Good examples to aim for.")
    holdout_examples: int | None = Field(default=None, description="Examples kept aside (10%) for evaluation.")
    evaluation_metrics: list[str] = Field(default_factory=list, description="Task metrics for base vs tuned.")


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    created_at: dt.datetime
    ftwizard_version: str
    catalog_version: str
    catalog_as_of: dt.date
    answers: Answers
    hardware: HardwareProfile | None = Field(default=None, description="The detected profile, in detect mode.")
    weights: ScoreWeights = Field(default_factory=ScoreWeights)
    electricity_usd_per_kwh: float = Field(
        default=EstimateRequest.model_fields["electricity_usd_per_kwh"].default,
        ge=0,
        description="Tariff the local runs' electricity was priced at (the estimator's default unless set).",
    )
    advice: Advice
    recommendations: list[Recommendation] = Field(default_factory=list)
    excluded: list[Exclusion] = Field(default_factory=list)
    chosen_index: int | None = Field(default=None, ge=0, description="Index into recommendations.")
    run_config: RunConfig | None = Field(default=None, description="For the chosen recommendation.")
    assumptions: list[str] = Field(default_factory=list, description="Formulas and price dates the numbers rest on.")

    @model_validator(mode="after")
    def _chosen_exists(self) -> Plan:
        if self.chosen_index is not None and self.chosen_index >= len(self.recommendations):
            raise ValueError(
                f"chosen_index {self.chosen_index} but only {len(self.recommendations)} recommendations"
            )
        return self

    @property
    def chosen(self) -> Recommendation | None:
        return None if self.chosen_index is None else self.recommendations[self.chosen_index]

    def summary_dict(self) -> dict:
        """What `ftwizard plan --json` prints: no answers (the task description stays private)."""
        data = self.model_dump(mode="json")
        keep = (
            "schema_version", "catalog_version", "catalog_as_of", "weights", "electricity_usd_per_kwh", "advice",
            "recommendations", "excluded", "chosen_index", "assumptions",
        )
        return {k: data[k] for k in keep}


def load_plan(path: Path) -> Plan:
    """Read a saved plan; PlanError names the file and the field."""
    return load_model(Plan, Path(path), PlanError)


def save_plan(plan: Plan, path: Path) -> None:
    """Atomic write, 0600: the answers inside may describe regulated work."""
    try:
        write_model(Path(path), plan, private=True)
    except FtwizardError as exc:
        raise PlanError(str(exc)) from None
