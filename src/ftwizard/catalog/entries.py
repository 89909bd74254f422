"""The catalog's rows and files: what a model, GPU, price, licence and technique entry holds,
with the source of each fact, as pydantic models (the JSON schema of resources/catalog/*.json
and of a user catalog overlay). Loading, overlays and the audit are in store.py.

Blank stays blank: a field we could not source is None, never a guess.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

SCHEMA_VERSION = 1

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Confidence = Literal["confirmed", "partial", "unconfirmed"]
TaskKind = Literal[
    "chat",
    "instruction",
    "classification",
    "extraction",
    "summarization",
    "qa",
    "code",
    "translation",
    "reasoning",
]
TASK_KINDS: tuple[str, ...] = TaskKind.__args__  # type: ignore[attr-defined]
Capability = Literal["code", "code_fim", "math", "reasoning", "multilingual", "long_context", "tool_use"]
CAPABILITIES: tuple[str, ...] = Capability.__args__  # type: ignore[attr-defined]
# Lower-case region codes: ISO 3166-1 alpha-2 countries ("de", "fr", "us", "jp", "in", "uk"
# as the common name for GB) and the blocs "eu" (European Union) and "eea".
RegionCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
# Where a fact comes from. "vendor": the publisher's own card, config, licence, blog or price
# list; "paper": a peer-reviewed or arXiv paper by the authors; "measurement": measured by us;
# "third_party": a copy or summary by someone else (a fallback, shown as such).
SourceKind = Literal["vendor", "paper", "measurement", "third_party"]
PRIMARY_KINDS: frozenset[str] = frozenset({"vendor", "paper", "measurement"})
Fact = Literal[
    "architecture",
    "params",
    "context",
    "licence",
    "languages",
    "benchmarks",
    "release_date",
    "capabilities",
    "weights",
]


class Strict(BaseModel):
    """Catalog entries refuse unknown keys: a typo in a user catalog must not pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Architecture(Strict):
    """The Hugging Face config.json fields the estimator needs."""

    model_type: str
    hidden_size: int = Field(gt=0)
    intermediate_size: int = Field(gt=0, description="Dense MLP width (per expert for Mixtral).")
    num_hidden_layers: int = Field(gt=0)
    num_attention_heads: int = Field(gt=0)
    num_key_value_heads: int = Field(gt=0)
    head_dim: int = Field(gt=0, description="Not always hidden/heads (Gemma, Qwen3, Mistral Nemo).")
    vocab_size: int = Field(gt=0, description="Padded vocabulary of config.json.")
    max_position_embeddings: int | None = Field(default=None, gt=0)
    tie_word_embeddings: bool
    moe_experts: int | None = Field(default=None, gt=0)
    moe_active_experts: int | None = Field(default=None, gt=0)
    moe_intermediate_size: int | None = Field(
        default=None, gt=0, description="Per-expert MLP width where it differs from intermediate_size."
    )
    attention_bias: bool = Field(default=False, description="QKV bias (Qwen2/2.5).")
    moe_shared_experts: int | None = Field(
        default=None, ge=0, description="Always-on shared experts per MoE layer (Llama 4, Granite 4, Qwen-MoE)."
    )
    moe_shared_intermediate_size: int | None = Field(
        default=None, gt=0, description="Width of the shared expert MLP where it differs from the routed one."
    )
    moe_layers: int | None = Field(
        default=None, gt=0, description="Blocks with a MoE MLP where not every block has one; the rest are dense."
    )
    attention_layers: int | None = Field(
        default=None,
        ge=0,
        description="Hybrid models: blocks with full softmax attention. The other blocks are linear "
        "(Mamba-2 or gated linear attention): their state does not grow with the sequence.",
    )
    linear_layer_kind: Literal["mamba2", "gated_deltanet"] | None = Field(
        default=None, description="What the non-attention blocks of a hybrid model are."
    )
    linear_params_per_layer: int | None = Field(
        default=None, gt=0, description="Parameters of one linear-attention/Mamba mixer (from its config)."
    )
    sliding_window: int | None = Field(default=None, gt=0, description="Local attention window, where used.")
    global_attention_layers: int | None = Field(
        default=None,
        ge=0,
        description="Blocks whose full (global) attention has its own shape (Gemma 4: every 6th block); "
        "the other attention blocks use head_dim and num_key_value_heads.",
    )
    global_head_dim: int | None = Field(default=None, gt=0, description="Head width of the global blocks.")
    global_key_value_heads: int | None = Field(default=None, gt=0, description="KV heads of the global blocks.")
    global_k_eq_v: bool = Field(
        default=False, description="Global blocks reuse the key projection as values (no v_proj; Gemma 4)."
    )

    @model_validator(mode="after")
    def _heads(self) -> Architecture:
        if self.num_attention_heads % self.num_key_value_heads:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
        if (self.moe_experts is None) != (self.moe_active_experts is None):
            raise ValueError("moe_experts and moe_active_experts go together")
        if self.moe_experts and self.moe_active_experts and self.moe_active_experts > self.moe_experts:
            raise ValueError("moe_active_experts cannot exceed moe_experts")
        if self.moe_layers is not None and self.moe_layers > self.num_hidden_layers:
            raise ValueError("moe_layers cannot exceed num_hidden_layers")
        if self.attention_layers is not None:
            if self.attention_layers > self.num_hidden_layers:
                raise ValueError("attention_layers cannot exceed num_hidden_layers")
            if self.attention_layers < self.num_hidden_layers and self.linear_layer_kind is None:
                raise ValueError("a hybrid model (attention_layers < num_hidden_layers) needs linear_layer_kind")
        if self.global_attention_layers is not None:
            if self.global_attention_layers > (self.attention_layers or self.num_hidden_layers):
                raise ValueError("global_attention_layers cannot exceed the attention blocks")
            gkv = self.global_key_value_heads or self.num_key_value_heads
            if self.num_attention_heads % gkv:
                raise ValueError("num_attention_heads must be a multiple of global_key_value_heads")
        return self


class Benchmark(Strict):
    name: str = Field(description="e.g. MMLU, GSM8K, HumanEval, MMMLU")
    score: float = Field(ge=0, le=100, description="Percent.")
    variant: Literal["base", "instruct"] = "base"
    shots: str | None = Field(default=None, description="e.g. '5-shot', '0-shot CoT'")
    evaluator: str | None = Field(default=None, description="Who ran it, where not the vendor.")
    source: str
    task_kinds: list[TaskKind] = Field(
        default_factory=list, description="The task kinds this benchmark is evidence for."
    )


class Licence(Strict):
    """Machine-readable licence terms. Text summaries are for people; booleans drive the ranker."""

    id: Slug
    name: str
    spdx: str | None = None
    commercial_use: bool
    user_threshold_mau: int | None = Field(
        default=None, description="Monthly active users above which a separate licence is needed."
    )
    attribution: str | None = Field(default=None, description="Required notice, e.g. 'Built with Llama'.")
    naming: str | None = Field(default=None, description="Duty on derivative model names.")
    output_use_restrictions: str | None = Field(
        default=None, description="Limits on using outputs, e.g. to improve other LLMs."
    )
    acceptable_use_policy: bool = Field(default=False, description="An AUP flows down to users.")
    terms_read_in_full: bool = Field(default=True)
    excluded_regions: list[RegionCode] = Field(
        default_factory=list,
        description="Territories where the licence grants nothing (e.g. Hunyuan: 'eu', 'uk', 'kr').",
    )
    eu_multimodal_restriction: bool = Field(
        default=False,
        description="Llama 3.2/4: no rights to multimodal models for people domiciled in, or companies "
        "with a principal place of business in, the EU (end users of products built on them excepted).",
    )
    restriction_clause: str | None = Field(
        default=None, description="The region/domicile clause quoted verbatim, for the ranker to show."
    )
    summary: str
    source: str
    source_read_on: dt.date | None = Field(default=None, description="Date the licence text was read.")
    source_kind: SourceKind = "vendor"


class ModelSources(Strict):
    architecture: str
    licence: str
    languages: str | None = None
    benchmarks: str | None = None
    release_date: str | None = None


class SourceRef(Strict):
    """One fact's source: where it was read, when, and whether it is primary."""

    fact: Fact
    url: str = Field(min_length=3)
    kind: SourceKind
    read_on: dt.date | None = Field(default=None, description="Date the page was read.")
    note: str | None = None

    @property
    def primary(self) -> bool:
        return self.kind in PRIMARY_KINDS


class ModelEntry(Strict):
    id: Slug
    name: str
    family: str
    hf_repo_id: str = Field(pattern=r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
    instruct_repo_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
    params_b: float = Field(gt=0, description="Computed from the architecture (billions).")
    params_b_reported: str | None = Field(default=None, description="The vendor's rounded label.")
    active_params_b: float | None = Field(default=None, gt=0, description="MoE: active per token.")
    architecture: Architecture
    context_tokens: int | None = Field(default=None, gt=0, description="Official context length.")
    licences: list[Slug] = Field(min_length=1, description="Every licence that applies (inherited too).")
    languages: list[LangCode] = Field(description="ISO 639-1 codes the vendor states as supported.")
    languages_note: str | None = None
    languages_claim_count: int | None = Field(
        default=None,
        gt=0,
        description="The vendor's stated number of languages where it exceeds the list (Qwen3: 119, Gemma 3: 140).",
    )
    task_strengths: list[TaskKind] = Field(default_factory=list)
    benchmarks: list[Benchmark] = Field(default_factory=list)
    release_date: dt.date | None = None
    seed_article_claim: str | None = Field(
        default=None, description="What the seed article said where it was wrong."
    )
    sources: ModelSources
    confidence: Confidence
    notes: str | None = None
    capabilities: list[Capability] = Field(
        default_factory=list, description="Evidenced strengths beyond task kinds (code_fim, tool_use, ...)."
    )
    superseded_by: Slug | None = Field(default=None, description="The catalog id of the newer model.")
    multimodal: bool = Field(default=False, description="The checkpoint takes images/audio (licence terms differ).")
    weights_dtype: Literal["bf16", "fp16", "fp32", "fp8", "mxfp4"] | None = Field(
        default=None,
        description="How the published weights are stored where not 16-bit (gpt-oss: MoE experts in MXFP4).",
    )
    evidence: list[SourceRef] = Field(default_factory=list, description="Per-fact sources with dates.")
    local_path: str | None = Field(
        default=None, description="A model folder on this machine (plan --model-dir); None for catalog rows."
    )

    @model_validator(mode="after")
    def _moe(self) -> ModelEntry:
        if self.architecture.moe_experts and self.active_params_b is None:
            raise ValueError("a mixture-of-experts model needs active_params_b")
        return self


class GpuEntry(Strict):
    id: Slug
    name: str
    vendor: Literal["nvidia", "amd", "apple", "intel"]
    match_names: list[str] = Field(
        default_factory=list, description="Names NVML/nvidia-smi/ROCm report; matched case-insensitively."
    )
    memory_gb: float | None = Field(default=None, gt=0, description="Decimal GB as the vendor states it.")
    memory_type: str | None = None
    bandwidth_gbs: float | None = Field(default=None, gt=0)
    bf16_dense_tflops: float | None = Field(default=None, gt=0, description="Tensor peak without sparsity.")
    fp16_dense_tflops: float | None = Field(default=None, gt=0)
    fp32_tflops: float | None = Field(default=None, gt=0)
    bf16_supported: bool | None = None
    compute_capability: str | None = Field(default=None, pattern=r"^\d+\.\d+$")
    tdp_w: float | None = Field(default=None, gt=0)
    consumer: bool = Field(default=False, description="A desktop card (GeForce).")
    source: str
    source_kind: SourceKind = Field(
        default="third_party",
        description="vendor: NVIDIA/AMD/Apple's own datasheet or submission; third_party: spec tables, reviews, copies.",
    )
    confidence: Confidence
    notes: str | None = None


class PriceEntry(Strict):
    id: Slug
    provider: str
    gpu_id: Slug
    gpus_per_instance: int = Field(default=1, gt=0)
    usd_per_gpu_hour: float = Field(gt=0)
    pricing: Literal["on_demand", "spot", "capacity_block", "unknown"]
    region: str | None = None
    as_of: dt.date | None = Field(default=None, description="Date of the snapshot, where known.")
    verified: bool = Field(
        description="True only for a price traced to a price list AND dated (as_of); False otherwise."
    )
    traced: bool | None = Field(
        default=None,
        description="Traced to a price list or a catalogue snapshot of one, dated or not (None: as verified). "
        "An undated traced price is unverified but still ranks above untraced figures.",
    )
    label: str | None = Field(default=None, description="e.g. 'seed article, unverified'")
    source: str
    regions: list[RegionCode] = Field(
        default_factory=list, description="Where the capacity is (lower-case codes, 'eu' for the bloc); [] = unknown."
    )
    certifications: list[str] = Field(
        default_factory=list, description="Provider certifications, e.g. 'ISO 27001', 'SOC 2 Type II'."
    )
    certifications_source: str | None = None

    @model_validator(mode="after")
    def _cert_source(self) -> PriceEntry:
        if self.certifications and not self.certifications_source:
            raise ValueError("certifications need certifications_source")
        if self.traced is None:
            object.__setattr__(self, "traced", self.verified)  # frozen model: fill the default once
        elif self.verified and not self.traced:
            raise ValueError("a verified price is a traced one (traced: true)")
        return self


def price_traced(x: Any) -> bool:
    """Whether a price (PriceEntry, CostOption, Offer) was traced to a price list, dated or not:
    the ranker's trust order is verified (traced and dated), then traced, then anything."""
    t = getattr(x, "traced", None)
    return bool(x.verified if t is None else t)


class TechniqueEntry(Strict):
    id: Literal["full", "lora", "qlora", "dpo"]
    name: str
    summary: str
    when_to_use: str
    source: str


class _CatalogFile(Strict):
    schema_version: Literal[1]
    version: str
    as_of: dt.date


class ModelsFile(_CatalogFile):
    models: list[ModelEntry]


class GpusFile(_CatalogFile):
    gpus: list[GpuEntry]


class PricesFile(_CatalogFile):
    prices: list[PriceEntry]


class LicencesFile(_CatalogFile):
    licences: list[Licence]


class TechniquesFile(_CatalogFile):
    techniques: list[TechniqueEntry]


class UserCatalog(Strict):
    """An overlay file: any subset of sections; same id replaces, new id adds."""

    schema_version: Literal[1]
    version: str
    as_of: dt.date
    models: list[ModelEntry] = Field(default_factory=list)
    gpus: list[GpuEntry] = Field(default_factory=list)
    prices: list[PriceEntry] = Field(default_factory=list)
    licences: list[Licence] = Field(default_factory=list)


SECTIONS: dict[str, type[_CatalogFile]] = {
    "licences": LicencesFile,
    "models": ModelsFile,
    "gpus": GpusFile,
    "prices": PricesFile,
    "techniques": TechniquesFile,
}
