"""The probe (RunConfig.probe, `ftwizard train --probe`): before committing hours, run a few
real steps with the run's own settings on this device and measure them beside the estimate.

Each configuration trains PROBE_STEPS optimizer steps of one micro-batch each: the
micro_batch longest bins of the data (packed sequences, or single examples; DPO pairs), cut at
seq_len, so the probe meets the longest sequence the run will. One micro-batch per step is
enough: gradient accumulation costs time, not memory (gradients add up in place). Measured:
peak memory (CUDA: max allocated and max reserved since the configuration started; elsewhere
the process's peak RSS, which never goes down), tokens per second over every step but the
first (which pays for kernel selection and allocator warm-up), and what one micro-batch saved
for backward. A configuration stops early after BUDGET_S seconds once two steps are done.

Out of memory, it takes the next rung of the runner's own ladder (faults.next_rung: halve
micro_batch and double grad_accum, gradient checkpointing, an 8-bit optimizer, halve seq_len)
and tries again, so the first that fits is the largest that fits along the ladder. Nothing is
written to the run folder; a calibration record is added when the run's own settings fit.
"""

from __future__ import annotations

import gc
import time

from ftwizard.runs import events as ev
from ftwizard.train.calibrate import record_calibration
from ftwizard.train.faults import is_oom, next_rung

PROBE_STEPS = 5
BUDGET_S = 60.0  # per configuration: the whole probe stays within a minute or two on a GPU


def _fresh(device, mem) -> None:
    gc.collect()
    if device.kind == "cuda":
        import torch

        torch.cuda.empty_cache()
    mem.reset()


def _longest_bins(run) -> list[int]:
    """Indices of the micro_batch longest bins (repeated when the data has fewer)."""
    order = sorted(range(len(run.bins)), key=lambda i: (-run.bin_lengths[i], i))
    return [order[k % len(order)] for k in range(run.eff.micro_batch)]


def _try(run, mem) -> ev.ProbeTry:
    eff = run.eff
    config = ev.ProbeConfig(micro_batch=eff.micro_batch, grad_accum=eff.grad_accum, seq_len=eff.seq_len,
                            grad_ckpt=eff.grad_ckpt, optimizer=eff.optimizer)
    ids = _longest_bins(run)
    bins = [run.bins[i] for i in ids]
    _fresh(run.device, mem)
    run.saved_gb = 0.0
    steps, tokens, seconds, failed = 0, 0, 0.0, ""
    t_try = time.time()
    for i in range(PROBE_STEPS):
        t = time.time()
        try:
            res = run.train_step(bins, i + 1)
        except Exception as exc:
            if not is_oom(exc):
                raise
            failed = str(exc).splitlines()[0][:300]
        if failed:  # outside the except block: its traceback holds the step's tensors
            break
        steps += 1
        if i > 0:
            tokens, seconds = tokens + res.tokens, seconds + time.time() - t
        if steps >= 2 and time.time() - t_try > BUDGET_S:
            break
    return ev.ProbeTry(
        config=config, fits=not failed, steps=steps, sequence_tokens=run.widest(ids),
        measured_peak_gb=(mem.allocated_peak_gb() or mem.peak_gb()) if steps else None,
        measured_reserved_gb=mem.peak_gb() if steps and mem.kind == "gpu" else None,
        tokens_per_s=tokens / seconds if seconds > 0 else None,
        saved_activations_gb=run.saved_gb or None, message=failed,
    )


def run_probe(run, built, mem, dtype_name: str, skipped: int) -> int:
    """Probe `run` (the recipe's _Run, data and model ready): emit `start` and `probe`."""
    cfg, eff, device = run.cfg, run.eff, run.device
    run.emit.emit(ev.StartEvent(
        run_dir=str(run.run_dir), model_dir=str(cfg.model_dir), method=eff.method, objective=eff.objective,
        probe=True, quantisation=built.quantisation, device=device.kind, device_name=device.name,
        precision=dtype_name, mem_kind=mem.kind, max_steps=PROBE_STEPS, seq_len=eff.seq_len,
        micro_batch=eff.micro_batch, grad_accum=eff.grad_accum, train_examples=len(run.train_ex),
        holdout_examples=len(run.hold_ex), skipped_rows=skipped, total_params=built.total_params,
        trainable_params=built.trainable_params, notes=run.progress.notes,
    ))
    tried: list[ev.ProbeTry] = []
    while True:
        tried.append(_try(run, mem))
        if tried[-1].fits:
            break
        rung = next_rung(run.eff, run.have_bnb)
        if rung is None:
            break
        run.step_down(*rung)
    fit = tried[-1] if tried[-1].fits else None
    if tried[0].fits:  # the run's own settings: comparable with the estimate
        record_calibration(run, "probe", mem, fit.tokens_per_s, fit.sequence_tokens)
    est = cfg.estimate
    run.emit.emit(ev.ProbeEvent(
        fits=tried[0].fits, config=fit.config if fit else None, mem_kind=mem.kind,
        measured_peak_gb=fit.measured_peak_gb if fit else None,
        measured_reserved_gb=fit.measured_reserved_gb if fit else None,
        tokens_per_s=fit.tokens_per_s if fit else None,
        estimate_peak_gb=est.peak_vram_gb if est else None, estimate_tokens_per_s=est.tokens_per_s if est else None,
        tried=tried,
    ))
    return ev.EXIT_OK if fit else ev.EXIT_OOM
