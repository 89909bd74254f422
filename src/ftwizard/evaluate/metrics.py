"""Task metrics of the base and the tuned answers in `samples.jsonl`, before/after, with a
bootstrap confidence interval on each change so that a change within noise is called so.

    evaluate_samples(samples, kind, ...) -> EvalReport
    evaluate_run(run_dir, metrics="auto") -> EvalReport   (also writes eval.json)

This module holds the report: choosing the task kind, judging a run, reading eval.json back
and its table. The metrics of each kind are in kinds.py, the bootstrap intervals and the
report's rows in intervals.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ftwizard.base.errors import FtwizardError
from ftwizard.base.jsonio import load_model, write_model
from ftwizard.evaluate.intervals import CONFIDENCE, RESAMPLES, SEED, EvalError, MetricRow
from ftwizard.evaluate.kinds import (
    WIN_RULE,
    _chat,
    _classification,
    _extraction,
    _qa,
    _summarisation,
    _translation,
    loss_rows,
    normalise_label,
    parse_json_answer,
)
from ftwizard.evaluate.samples import EVAL, Sample, read_samples

Kind = Literal["classification", "extraction", "summarisation", "translation", "qa", "chat"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
# The plan's task kinds (catalog.entries.TaskKind) to the metric family that judges them.
PLAN_KIND: dict[str, str] = {
    "chat": "chat", "instruction": "chat", "code": "chat", "reasoning": "chat", "classification": "classification",
    "extraction": "extraction", "summarization": "summarisation", "qa": "qa", "translation": "translation",
}


class EvalReport(BaseModel):
    schema_version: Literal[1] = 1
    created_at: str
    kind: Kind
    kind_reason: str = Field(description="Why this kind: asked for, the plan's task, or what the references look like.")
    n: int = Field(ge=0, description="Samples judged.")
    metrics: list[MetricRow]
    bootstrap: str = Field(description="How the intervals were computed.")
    wins: int | None = None
    ties: int | None = None
    losses: int | None = None
    win_rule: str | None = None


# -- choosing the kind --------------------------------------------------------------------------------
def guess_kind(refs: list[str], plan_kind: str | None = None) -> tuple[str, str]:
    """(kind, why) for --metrics auto: the plan's task when the run kept its plan, else what
    the reference answers look like."""
    if plan_kind in PLAN_KIND:
        return PLAN_KIND[plan_kind], f"the plan's task is {plan_kind}"
    if refs:
        def is_json(s):
            try:
                return isinstance(parse_json_answer(s), dict | list)
            except ValueError:
                return False

        if all(is_json(r) for r in refs):
            return "extraction", "every reference answer is a JSON object or list"
        labels = {normalise_label(r) for r in refs}
        if len(refs) >= 4 and len(labels) <= max(2, len(refs) // 3) and all(len(r.split()) <= 3 for r in refs):
            return "classification", (f"the {len(refs)} reference answers are {len(labels)} distinct short "
                                      "labels (3 words at most)")
    return "chat", ("free-text answers: judged as chat; ask for summarisation, translation or qa "
                    "explicitly if that is the task")


def evaluate_samples(samples: list[Sample], kind: str, kind_reason: str = "asked for",
                     manifest_metrics=None) -> EvalReport:
    if not samples:
        raise EvalError("no samples to judge")
    if kind not in KINDS:
        raise EvalError(f"--metrics: {kind!r} is not one of auto, {', '.join(KINDS)}")
    refs, base, tuned = [s.reference for s in samples], [s.base for s in samples], [s.tuned for s in samples]
    report: dict = {}
    if kind == "chat":
        rows, outcome = _chat(refs, base, tuned)
        rows += loss_rows(manifest_metrics)
        report = {"wins": outcome.count(1.0), "ties": outcome.count(0.5), "losses": outcome.count(0.0),
                  "win_rule": WIN_RULE}
    else:
        rows = {"classification": _classification, "extraction": _extraction, "summarisation": _summarisation,
                "translation": _translation, "qa": _qa}[kind](refs, base, tuned)
    return EvalReport(
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), kind=kind, kind_reason=kind_reason,
        n=len(samples), metrics=rows, **report,
        bootstrap=(f"{CONFIDENCE:.0%} interval of tuned - base: scipy.stats.bootstrap, {RESAMPLES} resamples of "
                   f"the {len(samples)} prompts (paired), percentile method, seed {SEED}; an interval that holds 0 "
                   "is within noise"),
    )


def _plan_kind(run_dir: Path) -> str | None:
    from ftwizard.runs.history import PLAN

    if not (run_dir / PLAN).exists():
        return None
    try:
        from ftwizard.recommend.plan import load_plan

        return load_plan(run_dir / PLAN).answers.task.kind
    except FtwizardError:
        return None  # a broken plan is reported by the run report; the references decide here


def evaluate_run(run_dir: Path, metrics: str = "auto", write: bool = True) -> EvalReport:
    """Judge `run_dir`'s samples.jsonl; writes eval.json beside it (atomic)."""
    from ftwizard.runs.history import MANIFEST
    from ftwizard.runs.manifest import Manifest

    run_dir = Path(run_dir)
    got = read_samples(run_dir)
    refs = [s.reference for s in got.samples]
    if metrics == "auto":
        kind, why = guess_kind(refs, _plan_kind(run_dir))
    else:
        kind, why = metrics, "asked for"
    manifest_metrics = None
    if (run_dir / MANIFEST).exists():
        manifest_metrics = load_model(Manifest, run_dir / MANIFEST, EvalError).metrics
    report = evaluate_samples(got.samples, kind, why, manifest_metrics)
    if write:
        write_model(run_dir / EVAL, report)
    return report


def read_eval(run_dir: Path) -> EvalReport | None:
    path = Path(run_dir) / EVAL
    return load_model(EvalReport, path, EvalError) if path.exists() else None


def fmt(x: float | None, scale: str) -> str:
    if x is None:
        return "—"
    return f"{x:.1f}" if scale == "0-100" else f"{x:.3g}" if scale in ("nats", "ratio") else f"{x:.2f}"


def table_rows(report: EvalReport) -> list[tuple[str, str, str, str, str]]:
    """(metric, base, tuned, change with its interval, verdict) for the GUI, CLI and PDF."""
    out = []
    for m in report.metrics:
        diff = fmt(m.difference, m.scale)
        if m.difference is not None and not diff.startswith("-"):
            diff = "+" + diff
        if m.ci_low is not None:
            diff += f" [{fmt(m.ci_low, m.scale)}, {fmt(m.ci_high, m.scale)}]"
        out.append((m.name, fmt(m.base, m.scale) if m.base is not None else "(draw 0.50)" if m.name.startswith("Win")
                    else "—", fmt(m.tuned, m.scale), diff, m.verdict))
    return out
