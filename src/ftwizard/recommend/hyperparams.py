"""Starting hyperparameters for a recommendation, and the run configuration built from one.

Starting values, each with its source; the holdout evaluation decides whether to change them:
- LoRA rank 16, alpha 32 (scale 2): the runner's default; LoRA paper §7.2 finds small ranks
  suffice, and alpha = 2r is the usual PEFT starting point.
- Learning rate: LoRA/QLoRA 2e-4 up to 20B parameters, 1e-4 above (QLoRA paper, appendix
  hyperparameters: 2e-4 for 7B/13B, 1e-4 for 33B/65B); full fine-tuning 2e-5 (Llama 2
  paper §3.1, supervised fine-tuning); DPO 5e-6 with beta 0.1 (DPO paper's beta; the rate
  is a starting point for adapters, above the paper's 1e-6 for full models).
- Effective batch 16 sequences up to 20B, 32 up to 50B, 64 above (QLoRA paper, same table).
- Epochs: 3 under 1,000 examples, 2 under 10,000, 1 above; DPO 1 (small sets need
  several passes, large ones one; watch the holdout loss for overfitting).
- Sequence length: the data's 95th percentile length (from the dataset inspector) or,
  without it, twice the mean, rounded up to a multiple of 256 and capped at the model's
  context.
- Optimizer: paged 8-bit AdamW for QLoRA (QLoRA paper §3, paged optimizers); AdamW for
  LoRA; 8-bit AdamW for full fine-tuning (Dettmers et al. 2022, 8-bit optimizers match
  32-bit AdamW at a quarter of the state memory).
- Precision: bf16 weights where the GPU has bf16, otherwise fp16 with loss scaling.
"""

from __future__ import annotations

import math
from pathlib import Path

from ftwizard.catalog.entries import GpuEntry, ModelEntry
from ftwizard.estimate.request import EstimateRequest
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.plan import Hyperparameters, Recommendation
from ftwizard.runs.config import RunConfig, RunEstimate

LORA_R, LORA_ALPHA = 16, 32
DPO_BETA = 0.1
SEQ_STEP = 256
HOLDOUT_FRACTION = 0.10


def seq_len_for(answers: Answers, model: ModelEntry) -> tuple[int, bool]:
    """Tokens per sequence, and whether the model's context cut it short."""
    want = answers.data.p95_tokens or 2 * answers.data.avg_tokens
    seq = max(SEQ_STEP, math.ceil(want / SEQ_STEP) * SEQ_STEP)
    context = model.context_tokens or model.architecture.max_position_embeddings
    if context and seq > context:
        return context, True
    return seq, False


def effective_batch(params_b: float) -> int:
    return 16 if params_b <= 20 else 32 if params_b <= 50 else 64


def epochs_for(examples: int, objective: str) -> float:
    if objective == "dpo":
        return 1.0
    return 3.0 if examples < 1_000 else 2.0 if examples < 10_000 else 1.0


def learning_rate(method: str, objective: str, params_b: float) -> float:
    if objective == "dpo":
        return 5e-6
    if method == "full":
        return 2e-5
    return 2e-4 if params_b <= 20 else 1e-4


def optimizer_for(method: str) -> str:
    return {"qlora": "paged_adamw_8bit", "lora": "adamw", "full": "adamw_8bit"}[method]


def precision_for(gpu: GpuEntry | None) -> str:
    return "fp16-mixed" if gpu is not None and gpu.bf16_supported is False else "bf16-true"


def starting_hyperparameters(
    model: ModelEntry,
    method: str,
    objective: str,
    answers: Answers,
    gpu: GpuEntry | None,
    gpus: int = 1,
    micro_batch: int = 1,
) -> Hyperparameters:
    seq, _ = seq_len_for(answers, model)
    batch = effective_batch(model.params_b)
    adapter = method in ("lora", "qlora")
    return Hyperparameters(
        lora_r=LORA_R if adapter else None,
        lora_alpha=LORA_ALPHA if adapter else None,
        learning_rate=learning_rate(method, objective, model.params_b),
        epochs=epochs_for(planned_examples(answers), objective),
        seq_len=seq,
        micro_batch=micro_batch,
        grad_accum=max(1, math.ceil(batch / (micro_batch * gpus))),
        grad_ckpt=True,
        optimizer=optimizer_for(method),
        precision=precision_for(gpu),
        dpo_beta=DPO_BETA if objective == "dpo" else None,
    )


def estimate_request(
    model: ModelEntry,
    hp: Hyperparameters,
    method: str,
    objective: str,
    answers: Answers,
    tariff: dict,
    with_data: bool = True,
) -> EstimateRequest:
    """The estimator request for these starting values (data size optional: without it the
    estimator skips pricing, which screening does not need)."""
    return EstimateRequest(
        model_id=model.id,
        method=method,
        objective=objective,
        precision=hp.precision,
        optimizer=hp.optimizer,
        lora_r=hp.lora_r or 16,
        lora_alpha=hp.lora_alpha or 32,
        seq_len=hp.seq_len,
        micro_batch=hp.micro_batch,
        grad_accum=hp.grad_accum,
        grad_ckpt=hp.grad_ckpt,
        examples=planned_examples(answers) if with_data else None,
        avg_tokens=answers.data.avg_tokens if with_data else None,
        epochs=hp.epochs,
        **tariff,
    )


def planned_examples(answers: Answers) -> int:
    """The examples a plan is sized for: the team's, or with none yet the first ones to collect."""
    from ftwizard.recommend.advice import START_EXAMPLES_LOW

    return answers.data.examples or START_EXAMPLES_LOW


# Estimator names -> runner names (the runner's set is smaller: it picks the device dtype).
_RUN_OPTIMIZER = {
    "adamw": "adamw",
    "adamw_8bit": "adamw_8bit",
    "paged_adamw": "paged_adamw_32bit",
    "paged_adamw_8bit": "paged_adamw_8bit",
    "sgd": "adamw",
}
_RUN_PRECISION = {"bf16-true": "bf16", "bf16-mixed": "bf16", "fp16-mixed": "fp16", "fp32": "fp32"}


def run_config_for(rec: Recommendation, answers: Answers) -> RunConfig:
    """The runner configuration for a recommendation. Paths are placeholders (relative to the
    RUN.json) that the GUI fills in once the user picks the model folder and the data."""
    hp = rec.hyperparameters
    return RunConfig(
        model_dir=Path("models") / rec.hf_repo_id.split("/")[-1],
        data_path=Path("data") / "train.jsonl",
        output_dir=Path("runs") / f"{rec.model_id}-{rec.technique}",
        catalog_model_id=rec.model_id,
        method=rec.method,
        objective=rec.objective,
        dpo_beta=hp.dpo_beta or DPO_BETA,
        lora_r=hp.lora_r or LORA_R,
        lora_alpha=float(hp.lora_alpha or LORA_ALPHA),
        # What the estimate assumed, and module names differ by family (Phi-3 fuses qkv_proj).
        lora_targets=["all-linear"],
        learning_rate=hp.learning_rate,
        epochs=hp.epochs,
        seq_len=hp.seq_len,
        micro_batch=hp.micro_batch,
        grad_accum=hp.grad_accum,
        grad_ckpt=hp.grad_ckpt,
        optimizer=_RUN_OPTIMIZER[hp.optimizer],
        precision=_RUN_PRECISION.get(hp.precision, "auto"),
        holdout_fraction=HOLDOUT_FRACTION,
        # A plan sharded over its GPUs is run sharded: the runner's FSDP2 (ZeRO-3 plans too,
        # which the runner carries out the same way: each GPU holds 1/N of the model).
        sharding="fsdp" if rec.hardware.strategy in ("fsdp", "zero3") else "none",
        processes=min(rec.hardware.count, 8) if rec.hardware.strategy != "single" else 1,  # one node's GPUs
        estimate=RunEstimate(peak_vram_gb=rec.peak_vram_gb, tokens_per_s=rec.tokens_per_s,
                             allocator_peak_gb=rec.allocator_peak_gb),
    )
