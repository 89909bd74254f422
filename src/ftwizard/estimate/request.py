"""What the estimator is asked and what it answers: EstimateRequest, Estimate and their parts.

The types live below the models that use them (memory, timing, cost, estimator), so none of
those imports another through the request. `check_request` refuses combinations that
cannot run, naming the field.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ftwizard.base.errors import EstimateError
from ftwizard.base.settings import DEFAULT_ELECTRICITY_USD_PER_KWH
from ftwizard.catalog.entries import Architecture

SCHEMA_VERSION = 1

Method = Literal["full", "lora", "qlora"]
Objective = Literal["sft", "dpo"]
Precision = Literal["bf16-mixed", "bf16-true", "fp16-mixed", "fp32"]
Optimizer = Literal["adamw", "adamw_8bit", "paged_adamw", "paged_adamw_8bit", "sgd"]
Strategy = Literal["single", "ddp", "fsdp", "zero3"]


class EstimateRequest(BaseModel):
    """One training configuration to estimate. Exactly one of model_id / architecture."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    model_id: str | None = Field(default=None, description="Catalog model id.")
    architecture: Architecture | None = Field(
        default=None, description="From a local config.json (architecture_from_config)."
    )
    method: Method
    objective: Objective = "sft"
    precision: Precision = "bf16-mixed"
    optimizer: Optimizer = "adamw"
    lora_r: int = Field(default=16, gt=0, le=4096)
    lora_alpha: int = Field(default=32, gt=0)
    lora_targets: str = Field(
        default="all-linear", description="'all-linear', 'attention' or module names like 'q_proj,v_proj'."
    )
    lora_dropout: float = Field(
        default=0.05, ge=0, lt=1, description="Dropout on the LoRA input (adds a mask per adapted layer)."
    )
    qlora_bits: Literal[4, 8] = Field(default=4, description="QLoRA base: 4-bit NF4 or 8-bit LLM.int8.")
    double_quant: bool = Field(default=True, description="NF4 double quantisation of the block constants.")
    quant_saves_inputs: bool = Field(
        default=False,
        description="Older bitsandbytes (0.41-0.44) kept each 4-bit layer's input for backward "
        "(MatMul4Bit ctx.tensors = (A, B)); current releases keep only the packed weight.",
    )
    seq_len: int = Field(gt=0, le=10_000_000, description="Tokens per sequence (padded or packed length).")
    micro_batch: int = Field(default=1, gt=0, le=4096)
    grad_accum: int = Field(default=1, gt=0)
    grad_ckpt: bool = True
    attention: Literal["sdpa", "eager"] = Field(
        default="sdpa", description="sdpa/flash never materialise the seq x seq score matrix; eager does."
    )
    chunked_loss: bool = Field(
        default=False, description="Chunked/fused cross-entropy (Liger, torchtune): no fp32 logits tensor."
    )
    stack: Literal["hf", "litgpt", "torchtune"] = Field(
        default="hf",
        description="Training stack, where it changes memory: 'hf' (transformers + PEFT + accelerate, "
        "ftwizard's runner), 'litgpt' (Lightning Fabric FSDP wraps whole blocks), 'torchtune'.",
    )
    gpu_id: str | None = Field(default=None, description="Catalog GPU id for fits/time/cost.")
    gpus: int = Field(default=1, gt=0, le=1024, description="GPUs per node.")
    nodes: int = Field(default=1, gt=0, le=1024)
    strategy: Strategy = "single"
    cpu_offload: bool = Field(default=False, description="Params and optimizer state to CPU (fsdp/zero3).")
    examples: int | None = Field(default=None, ge=0, description="Training examples (pairs for DPO).")
    avg_tokens: float | None = Field(default=None, gt=0, description="Mean tokens per example.")
    epochs: float = Field(default=1, gt=0)
    serve_hours_per_month: float = Field(
        default=730.0, ge=0, le=744, description="Hours a month the tuned model is served (730 = always on)."
    )
    serve_4bit: bool = Field(default=False, description="Serve 4-bit weights instead of bf16.")
    serve_context_tokens: int = Field(default=4096, gt=0, description="KV cache per concurrent sequence.")
    serve_concurrency: int = Field(default=4, gt=0, description="Sequences served at once.")
    electricity_usd_per_kwh: float = Field(
        default=DEFAULT_ELECTRICITY_USD_PER_KWH,
        ge=0,
        description="A user setting; 0.30 USD/kWh is a round figure near EU household prices "
        "(Eurostat 2024 H2 EU average ~0.29 EUR/kWh) - set your own tariff.",
    )

    @model_validator(mode="after")
    def _one_model(self) -> EstimateRequest:
        if (self.model_id is None) == (self.architecture is None):
            raise ValueError("give exactly one of model_id or architecture")
        return self

    @property
    def world_size(self) -> int:
        return self.gpus * self.nodes


class CostOption(BaseModel):
    """One way to pay for the run: a priced cloud offer or the local card's electricity."""

    provider: str
    gpu: str = Field(description="GPU name as shown to users.")
    gpu_id: str
    count: int = Field(description="GPUs used.")
    usd_per_gpu_hour: float
    usd: float = Field(description="Total for the run: hours x count x usd_per_gpu_hour.")
    hours: float = Field(description="Wall-clock hours on this option.")
    pricing: str = Field(description="on_demand, spot, capacity_block, unknown or electricity.")
    verified: bool
    as_of: str | None = None
    source: str
    traced: bool | None = Field(default=None, description="Traced to a price list, dated or not (None: as verified).")


class InferenceCost(BaseModel):
    """Self-hosting the tuned model: the cheapest priced GPU (x count) holding weights + KV cache."""

    provider: str
    gpu: str
    gpu_id: str
    count: int
    usd_per_gpu_hour: float
    hours_per_month: float
    usd_per_month: float
    weights_gb: float
    kv_cache_gb: float
    pricing: str
    verified: bool
    source: str
    traced: bool | None = None


class Estimate(BaseModel):
    """What the estimator says; every GB is decimal (1e9 bytes) and per GPU."""

    schema_version: Literal[1] = 1
    peak_vram_gb: float
    range_gb: tuple[float, float] = Field(description="[low, high] around peak_vram_gb.")
    breakdown_gb: dict[str, float] = Field(description="Component name -> GB; sums to peak_vram_gb.")
    fits: bool | None = Field(default=None, description="peak_vram_gb <= the GPU's memory; None without a GPU.")
    margin_gb: float | None = Field(default=None, description="GPU memory minus peak_vram_gb.")
    gpu_memory_gb: float | None = None
    tokens_per_s: float | None = Field(default=None, description="Training tokens/s over all GPUs.")
    train_hours: float | None = None
    costs: list[CostOption] = Field(default_factory=list)
    monthly_inference: InferenceCost | None = Field(
        default=None, description="Serving the tuned model, beside the training cost."
    )
    assumptions: list[str] = Field(default_factory=list, description="One sentence each.")
    trainable_params: int
    total_params: int
    calibration: str | None = Field(
        default=None, description="'calibrated from N runs on this GPU ...'; None when uncalibrated."
    )
    calibrated_runs: int = Field(default=0, ge=0, description="Recorded runs behind the correction applied.")
    allocator_peak_gb: float | None = Field(
        default=None, description="The UNcalibrated peak minus the CUDA context: what torch's allocator should "
        "hold at the peak, the figure a calibration record compares with the measured one (estimate.calibration).",
    )


def check_request(req: EstimateRequest) -> None:
    """Refuse combinations that cannot run, naming the field."""
    if req.method == "qlora" and req.precision == "fp32":
        raise EstimateError("precision: qlora computes in 16-bit; use bf16-mixed, bf16-true or fp16-mixed")
    if req.strategy == "single" and req.world_size > 1:
        raise EstimateError(
            f"strategy: 'single' uses one GPU but gpus x nodes = {req.world_size}; use ddp, fsdp or zero3"
        )
    if req.cpu_offload and req.strategy not in ("fsdp", "zero3"):
        raise EstimateError("cpu_offload: needs strategy fsdp or zero3")
    if req.method == "full" and req.objective == "dpo" and req.precision == "fp32":
        pass  # allowed: two fp32 copies, just large
