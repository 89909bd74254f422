"""Pre-flight: will this run fit on the GPU detection found? One sentence before Start.

The estimator (`estimate.estimator.estimate`) on the local model's own config.json with the run's
settings gives the peak; the detected card's free memory (or its total, where the driver does
not say) is what it must fit in. The runner trains on the first CUDA device (torch's cuda:0),
so that is the card compared. Without a GPU the run goes to the CPU: said plainly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ftwizard.base.errors import FtwizardError
from ftwizard.base.units import mem
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.arch_config import architecture_from_config
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import Estimate, EstimateRequest
from ftwizard.hardware.profile import GpuInfo, HardwareProfile
from ftwizard.runs.config import RunConfig, RunEstimate
from ftwizard.runs.model_match import ModelMatch, safe_check

GIB_TO_GB = 2**30 / 1e9
# Runner names -> estimator names (the inverse of recommend.hyperparams' maps).
_OPTIMIZER = {"paged_adamw_32bit": "paged_adamw", "paged_adamw_8bit": "paged_adamw_8bit",
              "adamw_8bit": "adamw_8bit", "adamw": "adamw"}
_PRECISION = {"bf16": "bf16-true", "fp16": "fp16-mixed", "fp32": "fp32"}
CPU_NOTE = ("No GPU found: the runner will train on the CPU, which is slow (fine for a small test "
            "model, impractical for a real one). QLoRA needs bitsandbytes' CPU support; where it is "
            "missing the runner trains plain LoRA instead and says so in the log.")


@dataclass
class Preflight:
    fits: bool | None  # None: no GPU to compare with, or no estimate
    message: str
    peak_vram_gb: float | None = None
    spare_gb: float | None = None  # memory left over on the card; negative: short by that much
    gpu_name: str | None = None
    estimate: Estimate | None = None
    model_match: ModelMatch | None = None  # the folder against the plan's model (runs.model_match)

    def run_estimate(self) -> RunEstimate | None:
        """What the run records as its prediction (compared with what it measures)."""
        if self.estimate is None or self.gpu_name is None:
            return None
        return RunEstimate(peak_vram_gb=self.estimate.peak_vram_gb, tokens_per_s=self.estimate.tokens_per_s,
                           allocator_peak_gb=self.estimate.allocator_peak_gb,
                           source=f"ftwizard estimator, pre-flight on {self.gpu_name}")


def estimate_request(cfg: RunConfig, model_dir: Path, gpu: GpuInfo | None) -> EstimateRequest:
    """The estimator's request for `cfg` on the model folder's own architecture."""
    precision = _PRECISION.get(cfg.precision)
    if precision is None or (cfg.method == "qlora" and precision == "fp32"):
        precision = "fp16-mixed" if gpu is not None and gpu.bf16_supported is False else "bf16-true"
    targets = cfg.lora_targets
    return EstimateRequest(
        architecture=architecture_from_config(model_dir),
        method=cfg.method, objective=cfg.objective, precision=precision,
        optimizer=_OPTIMIZER[cfg.optimizer], lora_r=cfg.lora_r, lora_alpha=max(1, round(cfg.lora_alpha)),
        lora_targets="all-linear" if targets == ["all-linear"] else ",".join(targets),
        lora_dropout=cfg.lora_dropout, seq_len=cfg.seq_len, micro_batch=cfg.micro_batch,
        grad_accum=cfg.grad_accum, grad_ckpt=cfg.grad_ckpt, gpu_id=gpu.catalog_gpu_id if gpu else None,
    )


def capacity_gb(gpu: GpuInfo) -> float | None:
    """Decimal GB the run can use: free memory where the driver reports it, else the total."""
    gib = gpu.memory_free_gib if gpu.memory_free_gib is not None else gpu.memory_total_gib
    return None if gib is None else gib * GIB_TO_GB


def preflight(cfg: RunConfig, hardware: HardwareProfile | None, catalog: Catalog) -> Preflight:
    """Estimate `cfg` (model_dir must hold config.json) against the first usable GPU. A folder
    that is not the plan's model is said first: the plan's figures do not apply to it."""
    result = _fit(cfg, hardware, catalog)
    match = safe_check(Path(cfg.model_dir), cfg.catalog_model_id, catalog)
    if match is not None and not match.ok:
        result.message = f"⚠ {match.message()} {result.message}"
    result.model_match = match
    return result


def _fit(cfg: RunConfig, hardware: HardwareProfile | None, catalog: Catalog) -> Preflight:
    gpus = hardware.usable_gpus() if hardware is not None else []
    if hardware is not None and not gpus:
        return Preflight(fits=None, message=CPU_NOTE)
    gpu = gpus[0] if gpus else None
    try:
        est = estimate(estimate_request(cfg, Path(cfg.model_dir), gpu), catalog)
    except FtwizardError as exc:
        return Preflight(fits=None, message=f"No memory estimate for this model: {str(exc).splitlines()[0]}")
    if gpu is None:
        return Preflight(fits=None, peak_vram_gb=est.peak_vram_gb, estimate=est,
                         message=f"Estimated peak {mem(est.peak_vram_gb)} of GPU memory; the GPU was not "
                                 "detected, so the runner picks the device itself.")
    cap = capacity_gb(gpu)
    name = gpu.label()
    if cap is None:
        return Preflight(fits=None, peak_vram_gb=est.peak_vram_gb, gpu_name=gpu.name, estimate=est,
                         message=f"Estimated peak {mem(est.peak_vram_gb)}; {name} does not report its memory.")
    spare = cap - est.peak_vram_gb
    free = "free" if gpu.memory_free_gib is not None else "in total"
    more = f" ({len(gpus) - 1} more GPU(s) are not used by a single-GPU run)" if len(gpus) > 1 else ""
    if spare >= 0:
        msg = (f"Fits with {mem(spare)} to spare on {gpu.name}: estimated peak {mem(est.peak_vram_gb)} "
               f"of {mem(cap)} {free}{more}.")
    else:
        msg = (f"Does not fit on {gpu.name}: estimated peak {mem(est.peak_vram_gb)} but {mem(cap)} {free}, "
               f"{mem(-spare)} short. Use QLoRA, a shorter sequence length or micro-batch 1, or turn on "
               f"auto-fallback.{' Other processes are using this GPU.' if gpu.busy else ''}")
    return Preflight(fits=spare >= 0, message=msg, peak_vram_gb=est.peak_vram_gb, spare_gb=spare,
                     gpu_name=gpu.name, estimate=est)
