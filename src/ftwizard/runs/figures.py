"""The figures a finished run is judged by, as rows of text: the before/after evaluation and
the estimate against what was measured. The monitor and the run report print the same rows.

Definitions (the runner's, `runs.events` and `runs.manifest`): eval loss is the mean
cross-entropy over the assistant tokens of the holdout; perplexity = exp(eval loss); peak
memory is the GPU's peak allocation on CUDA and the process's peak resident memory otherwise;
tokens/s counts trained (non-padding) tokens over the training loop's seconds.
"""

from __future__ import annotations

import re

from ftwizard.base.units import gib_from_gb
from ftwizard.runs.history import RunSummary
from ftwizard.runs.progress import RunProgress

DASH = "—"
DEFINITIONS = (
    "Eval loss: mean cross-entropy over the assistant tokens of the holdout; perplexity = exp(eval loss). "
    "Peak memory: GPU peak allocation on CUDA, the process's peak resident memory on the CPU, in GB as "
    "GPU vendors count them (2^30 bytes). "
    "Tokens/s: trained tokens over the training loop's seconds."
)


def num(x: float | None, digits: int = 3) -> str:
    if x is None:
        return DASH
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.{digits}g}"


# The runner's log lines (train.__main__: "%(asctime)s %(levelname)s %(name)s: %(message)s").
_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:,\d+)? (?P<level>[A-Z]+) (?P<name>[^\s:]+): ")
_OURS = ("ftwizard", "__main__")


def user_log(text: str) -> str:
    """The runner's log as the run page shows it: ftwizard's own lines, and errors from anyone;
    library chatter (py.warnings, transformers, torch ... below ERROR, with the lines that
    continue each record) is left out and counted on a last line. runner.log keeps everything."""
    kept: list[str] = []
    hidden = 0
    show = True
    for line in text.splitlines():
        m = _LOG_LINE.match(line)
        if m:
            show = m["name"].startswith(_OURS) or m["level"] in ("ERROR", "CRITICAL")
        if show:
            kept.append(line)
        else:
            hidden += 1
    if hidden:
        kept.append(f"({hidden:,} lines of library messages left out here; runner.log in the run folder has them)")
    return "\n".join(kept)


def mem_num(gb: float | None) -> str:
    """A decimal-GB figure (the runner's bytes / 1e9) in the vendors' GB (2^30 bytes), as every
    memory figure a person reads (base.units)."""
    return num(None if gb is None else gib_from_gb(gb))


def change(before: float | None, after: float | None) -> str:
    """after relative to before, in percent."""
    if before is None or after is None or before == 0:
        return DASH
    return f"{(after - before) / before:+.0%}"


def ratio(measured: float | None, predicted: float | None) -> str:
    """measured / predicted: 1.00 is a perfect estimate, above 1 the estimate was low."""
    if measured is None or not predicted:
        return DASH
    return f"{measured / predicted:.2f}"


def before_after_rows(s: RunSummary) -> list[tuple[str, str, str, str]]:
    """(metric, base model, tuned, change)."""
    return [
        ("Eval loss", num(s.eval_loss_before, 4), num(s.eval_loss_after, 4), change(s.eval_loss_before, s.eval_loss_after)),
        ("Perplexity", num(s.perplexity_before, 4), num(s.perplexity_after, 4),
         change(s.perplexity_before, s.perplexity_after)),
    ]


def memory_label(mem_kind: str | None) -> str:
    return {"gpu": "GPU", "process": "process, CPU run"}.get(mem_kind or "", "measured")


def estimate_rows(s: RunSummary) -> list[tuple[str, str, str, str]]:
    """(quantity, estimated, measured, measured / estimated)."""
    return [
        ("Peak memory (GB)", mem_num(s.predicted_peak_vram_gb), f"{mem_num(s.peak_mem_gb)} ({memory_label(s.mem_kind)})"
         if s.peak_mem_gb is not None else DASH, ratio(s.peak_mem_gb, s.predicted_peak_vram_gb)),
        ("Speed (tokens/s)", num(s.predicted_tokens_per_s), num(s.tokens_per_s),
         ratio(s.tokens_per_s, s.predicted_tokens_per_s)),
    ]


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return DASH
    s = max(0, round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def status_line(p: RunProgress) -> str:
    """'Step 12 of 40 · loss 2.31 · 2,750 tokens/s · peak 0.45 GB (process, CPU run) · 0:00:04 left'"""
    if p.start is None:
        return "Starting the runner: loading the model and the data…"
    if p.last_step is None:
        return f"Evaluating the base model on {p.start.holdout_examples:,} held-out examples…" \
            if p.eval_before is None and p.start.holdout_examples else "Training: waiting for the first step…"
    st = p.last_step
    mem = f"{mem_num(st.peak_mem_gb)} GB ({memory_label(p.start.mem_kind)})"
    return (f"Step {st.step} of {st.max_steps} · loss {st.loss:.3g} · {st.tokens_per_s:,.0f} tokens/s · "
            f"peak {mem} · {eta_text(st.eta_s)} left")
