"""Every finished run and every probe leaves a calibration record (ftwizard.estimate.calibration):
the estimator's prediction beside what the GPU measured, so the next estimate on this GPU and
architecture is corrected.

Recorded only when there is something to compare: a prediction in RunConfig.estimate, a
CUDA device (peak memory elsewhere is the process's RSS, not what a GPU would need), and the
settings the prediction was made for (a run that stepped down the out-of-memory ladder
measured other settings), at about the length it assumed: the estimate is for sequences of
seq_len tokens, so a run or probe whose longest sequence is under 90% of that measured
something smaller and is not recorded. `FTWIZARD_TEST_CALIBRATE_CPU=1` (tests only) records on a CPU too,
with the process's peak RSS as the measured peak. A record that cannot be written is a
warning, never a failed run.
"""

from __future__ import annotations

import logging
import os
from importlib import metadata

from ftwizard.runs import events as ev

log = logging.getLogger("ftwizard.train")

FORCE_CPU_ENV = "FTWIZARD_TEST_CALIBRATE_CPU"
# Settings that change peak memory: a record is comparable with the estimate only if they held.
_MEMORY_SETTINGS = ("method", "micro_batch", "seq_len", "grad_ckpt", "optimizer", "objective")
FULL_LENGTH = 0.9  # share of seq_len the longest trained sequence must reach


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _driver_version() -> str | None:
    try:
        import pynvml  # nvidia-ml-py, when installed

        pynvml.nvmlInit()
        try:
            v = pynvml.nvmlSystemGetDriverVersion()
        finally:
            pynvml.nvmlShutdown()
        return v.decode() if isinstance(v, bytes) else str(v)
    except Exception:
        return None


def record_calibration(run, kind: str, mem, tokens_per_s: float | None, longest_tokens: int) -> bool:
    """Add one record for `run` (the recipe's _Run); True when one was written."""
    cfg, eff, device = run.cfg, run.eff, run.device
    est = cfg.estimate
    if est is None or not est.allocator_peak_gb:
        # Like with like: only the uncalibrated, allocator-visible prediction may be recorded
        # (a calibrated or context-including peak would teach the correction its own past).
        return False
    if device.kind != "cuda" and os.environ.get(FORCE_CPU_ENV) != "1":
        return False
    if any(getattr(cfg, k) != getattr(eff, k) for k in _MEMORY_SETTINGS):
        return False  # the ladder (or a missing bitsandbytes) changed the settings the estimate was for
    if longest_tokens < FULL_LENGTH * eff.seq_len:
        return False
    try:
        import torch

        from ftwizard.catalog.store import load_catalog
        from ftwizard.estimate.arch import shapes
        from ftwizard.estimate.arch_config import architecture_from_config
        from ftwizard.estimate.calibration import CalibrationRecord, CalibrationStore

        arch = architecture_from_config(cfg.model_dir)
        allocated = mem.allocated_peak_gb()
        measured = allocated if allocated else mem.peak_gb()
        gpu = None
        try:
            gpu = load_catalog().find_gpu(device.name, device.memory_gb)
        except Exception:  # a damaged catalog costs only the id
            pass
        record = CalibrationRecord(
            kind=kind, gpu_name=device.name, gpu_id=gpu.id if gpu else None,
            driver_version=_driver_version() if device.kind == "cuda" else None,
            cuda_version=torch.version.cuda, torch_version=_version("torch"),
            transformers_version=_version("transformers"), peft_version=_version("peft"),
            bitsandbytes_version=_version("bitsandbytes"),
            model_type=arch.model_type, params_b=shapes(arch).total_params / 1e9,
            hidden_size=arch.hidden_size, num_hidden_layers=arch.num_hidden_layers,
            method=eff.method, objective=eff.objective, seq_len=eff.seq_len, micro_batch=eff.micro_batch,
            grad_ckpt=eff.grad_ckpt, optimizer=eff.optimizer,
            estimated_peak_gb=est.allocator_peak_gb, measured_peak_gb=measured,
            measured_reserved_gb=mem.peak_gb() if device.kind == "cuda" else None,
            estimated_tokens_per_s=est.tokens_per_s or None, measured_tokens_per_s=tokens_per_s or None,
        )
        CalibrationStore().add(record)
        return True
    except Exception as exc:
        log.warning("calibration record not written: %s", exc)
        run.emit.emit(ev.WarningEvent(kind="config", message=f"calibration record not written ({type(exc).__name__})"))
        return False
