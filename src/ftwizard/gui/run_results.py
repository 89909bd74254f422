"""The monitor's Result box: before/after evaluation and estimate vs measured, as rich text.
The rows are `core.run_figures`' (the run report prints the same)."""

from __future__ import annotations

import html

from ftwizard.core import run_figures as rf


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th align='{'left' if i == 0 else 'right'}'>{html.escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td align='{'left' if i == 0 else 'right'}'>{html.escape(c)}</td>" for i, c in enumerate(r))
        + "</tr>" for r in rows
    )
    return f"<table cellspacing='0' cellpadding='3'><tr>{head}</tr>{body}</table>"


def result_html(summary) -> str:
    parts = ["<b>Evaluation on the holdout</b>",
             _table(("", "Base model", "Tuned", "Change"), rf.before_after_rows(summary))]
    if summary.predicted_peak_vram_gb is None and summary.predicted_tokens_per_s is None:
        parts.append("<p>No estimate for this machine (no GPU was detected), so nothing to compare the "
                     f"measurements with: peak memory {html.escape(rf.num(summary.peak_mem_gb))} GB "
                     f"({html.escape(rf.memory_label(summary.mem_kind))}), "
                     f"{html.escape(rf.num(summary.tokens_per_s))} tokens/s.</p>")
    else:
        parts += ["<b>Estimate vs measured</b>",
                  _table(("", "Estimated", "Measured", "Measured / estimated"), rf.estimate_rows(summary))]
    if summary.adapter_dir:
        parts.append(f"<p>Adapter: <code>{html.escape(summary.adapter_dir)}</code></p>")
    parts.append(f"<p><small>{html.escape(rf.DEFINITIONS)}</small></p>")
    return "".join(parts)
