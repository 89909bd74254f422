"""The runner's events as a person reads them: one line (or a few) per event.

`ftwizard train` prints these; the GUI's run setup shows the probe's lines. Memory is read in
the vendors' GB (ftwizard.base.units), durations as 1h02m / 3m05s.
"""

from __future__ import annotations


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def human(e) -> str:
    """One readable line (or two) per event."""
    kind = e.event
    if kind == "start":
        what = f"{e.method}{' DPO' if e.objective == 'dpo' else ''}"
        units = "pairs" if e.objective == "dpo" else "sequences"
        head = (f"{'probing' if e.probe else 'training'} {what} ({e.quantisation}, {e.precision}) on "
                f"{e.device_name or e.device}{f' x {e.processes} processes' if e.processes > 1 else ''}: "
                f"{e.train_examples} examples, {e.holdout_examples} held out, {e.max_steps} steps of "
                f"{e.micro_batch}x{e.grad_accum} {units} of up to {e.seq_len} tokens")
        if e.resumed_from_step is not None:
            head += f"; resuming after step {e.resumed_from_step}"
        return "\n".join([head] + [f"  note: {n}" for n in e.notes])
    if kind == "step":
        out = (f"step {e.step}/{e.max_steps}  loss {e.loss:.4f}  lr {e.lr:.2e}  {e.tokens_per_s:,.0f} tok/s  "
               f"peak {_gb(e.peak_mem_gb)}  eta {_duration(e.eta_s)}")
        if e.reward_margin is not None:
            out += f"  margin {e.reward_margin:+.3f}  accuracy {e.reward_accuracy:.2f}"
        return out
    if kind == "eval":
        out = f"eval ({e.phase}, step {e.step}): loss {e.eval_loss:.4f}  perplexity {e.perplexity:.2f}"
        if e.reward_margin is not None:
            out += f"  reward margin {e.reward_margin:+.3f}  accuracy {e.reward_accuracy:.2f}"
        return out
    if kind == "probe":
        return _probe_lines(e)
    if kind == "checkpoint":
        return f"checkpoint saved at step {e.step}: {e.path} ({e.size_mb:.1f} MB)"
    if kind == "warning":
        lines = f" (lines {', '.join(map(str, e.line_numbers[:10]))}{', ...' if len(e.line_numbers) > 10 else ''})" if e.line_numbers else ""
        return f"warning: {e.message}{lines}"
    if kind == "done":
        out = f"done after {e.step} steps in {_duration(e.train_time_s)}, {e.tokens_per_s:,.0f} tok/s, peak {_gb(e.peak_mem_gb)}"
        if e.eval_loss_before is not None and e.eval_loss_after is not None:
            out += (f"\n  holdout loss {e.eval_loss_before:.4f} -> {e.eval_loss_after:.4f}, "
                    f"perplexity {e.perplexity_before:.2f} -> {e.perplexity_after:.2f}")
        if e.reward_margin_before is not None and e.reward_margin_after is not None:
            out += (f"\n  holdout reward margin {e.reward_margin_before:+.3f} -> {e.reward_margin_after:+.3f}, "
                    f"accuracy {e.reward_accuracy_before:.2f} -> {e.reward_accuracy_after:.2f} (before = base model)")
        if e.adapter_dir:
            out += f"\n  adapter: {e.adapter_dir}"
        if e.model_out_dir:
            out += f"\n  full weights: {e.model_out_dir}"
        return out + f"\n  manifest: {e.manifest_path}"
    if kind == "error":
        out = f"{'cancelled' if e.kind == 'cancelled' else 'error (' + e.kind + ')'}: {e.message}"
        if e.suggestion:
            out += f"\n  {e.suggestion}"
        if e.checkpoint:
            out += f"\n  last complete checkpoint: {e.checkpoint}"
        return out
    return str(e)


def _gb(x: float | None) -> str:
    """Runner figures are decimal GB (bytes / 1e9); people read the vendors' GB (2^30 bytes)."""
    from ftwizard.base.units import gib_from_gb

    return "-" if x is None else f"{gib_from_gb(x):.2f} GB"


def _probe_lines(e) -> str:
    mem = "GPU allocated" if e.mem_kind == "gpu" else "process peak RSS"
    lines = []
    for t in e.tried:
        c = t.config
        head = (f"  micro_batch {c.micro_batch} (grad_accum {c.grad_accum}), seq_len {c.seq_len}, "
                f"checkpointing {'on' if c.grad_ckpt else 'off'}, {c.optimizer}: ")
        if t.fits:
            speed = f"{t.tokens_per_s:,.0f} tok/s" if t.tokens_per_s else "speed not measured"
            reserved = f", reserved {_gb(t.measured_reserved_gb)}" if t.measured_reserved_gb else ""
            lines.append(head + f"fits: peak {_gb(t.measured_peak_gb)} ({mem}){reserved}, {speed} "
                                f"over {t.steps} steps at {t.sequence_tokens} tokens")
        else:
            lines.append(head + "out of memory")
    if e.config is None:
        verdict = "probe: nothing fits, even at the bottom of the ladder"
    elif e.fits:
        verdict = "probe: the run's settings fit"
    else:
        verdict = (f"probe: the run's settings do not fit; the largest that fits is micro_batch "
                   f"{e.config.micro_batch} x grad_accum {e.config.grad_accum}, seq_len {e.config.seq_len}, "
                   f"checkpointing {'on' if e.config.grad_ckpt else 'off'}, {e.config.optimizer}")
    if e.estimate_peak_gb is not None or e.estimate_tokens_per_s is not None:
        est = e.estimate_tokens_per_s
        lines.append(f"  estimate: peak {_gb(e.estimate_peak_gb)}, {f'{est:,.0f} tok/s' if est else 'speed -'}")
    return "\n".join([verdict] + lines)
