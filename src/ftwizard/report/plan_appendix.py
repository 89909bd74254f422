"""The plan PDF's back matter: the excluded models and why, the numbered sources, and the
appendix with the chosen run's configuration grouped by theme."""

from __future__ import annotations

from typing import Any

from ftwizard.base.units import Money, mem
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.plan import Plan
from ftwizard.report.chart_data import technique_label
from ftwizard.report.document import Html, esc
from ftwizard.report.plan_text import (
    USD,
    Sources,
    model_entry,
    model_name,
)

# Run configuration fields by theme, in the order a reader checks them; `None` keys are the
# theme's title. Fields not listed here land under "Other" so nothing is ever left out.
RUN_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Model and data", ("catalog_model_id", "model_dir", "data_path", "holdout_path", "holdout_fraction",
                        "output_dir")),
    ("Method", ("method", "objective", "dpo_beta", "dpo_loss_type", "lora_r", "lora_alpha", "lora_dropout",
                "lora_targets", "precision", "optimizer")),
    ("Schedule", ("learning_rate", "lr_schedule", "warmup_fraction", "weight_decay", "max_grad_norm", "epochs",
                  "max_steps")),
    ("Batches and length", ("seq_len", "micro_batch", "grad_accum", "grad_ckpt", "packing", "seed")),
    ("Checkpoints and evaluation", ("eval_every", "save_every", "keep_checkpoints", "log_every", "resume",
                                    "auto_fallback", "probe", "merge")),
    ("Safety", ("trust_remote_code", "allow_pickle_weights")),
)
ESTIMATE_LABELS = {"peak_vram_gb": "estimated peak GPU memory", "tokens_per_s": "estimated tokens per second",
                   "source": "estimate made by"}


def run_configuration(h: Html, plan: Plan) -> None:
    h.h2("Appendix: run configuration", new_page=True)
    rc = plan.run_config
    if rc is None:
        h.p("The plan has no run configuration (no plan was chosen).")
        return
    h.p("Exactly what `python -m ftwizard.train RUN.json` receives for the chosen plan, by theme; "
        "relative paths are taken from the RUN.json file's folder. Preference-tuning (DPO) fields "
        "are shown only for a DPO run.", "muted small")
    data = rc.model_dump(mode="json")
    if data.get("objective") != "dpo":
        for k in ("dpo_beta", "dpo_loss_type"):
            data.pop(k, None)
    estimate = data.pop("estimate", None)
    data.pop("schema_version", None)
    listed: set[str] = set()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for title, keys in RUN_GROUPS:
        rows = [(k, _plain(data[k])) for k in keys if k in data]
        listed.update(keys)
        if rows:
            groups.append((title, rows))
    rest = [(k, _plain(v)) for k, v in data.items() if k not in listed]
    if rest:
        groups.append(("Other", rest))
    if isinstance(estimate, dict):
        est_rows = []
        for k, v in estimate.items():
            if v is None:
                continue
            value = mem(v) if k == "peak_vram_gb" else (f"{v:,.0f}" if isinstance(v, float) else _plain(v))
            est_rows.append((f"estimate.{k} ({ESTIMATE_LABELS.get(k, k)})", value))
        if est_rows:
            groups.append(("Estimate carried with the run", est_rows))
    for title, rows in groups:
        h.h3(title)
        h.table(["Field", "Value"], rows, widths=[34, 66])


def _plain(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def excluded(h: Html, plan: Plan, catalog: Catalog | None = None, money: Money = USD) -> None:
    h.h2("Excluded models")
    if not plan.excluded:
        h.p("No model was excluded.")
        return
    h.p(f"{len(plan.excluded)} exclusions. A row without a technique rules out the whole model.", "muted small")
    rows = [
        (model_name(catalog, e.model_id), technique_label(e.technique) if e.technique else "all", e.constraint,
         money.in_text(e.reason))
        for e in sorted(plan.excluded, key=lambda e: (e.constraint, model_name(catalog, e.model_id), e.technique or ""))
    ]
    h.table(["Model", "Method", "Constraint", "Why"], rows, widths=[21, 9, 12, 58])


def model_sources(plan: Plan, catalog: Catalog, src: Sources) -> None:
    """Cite the architecture, licence and benchmark sources of every ranked model."""
    for r in sorted(plan.recommendations, key=lambda r: r.rank):
        m = model_entry(catalog, r.model_id)
        if m is None:
            continue
        s = m.sources
        src.cite(f"{m.name}: architecture", s.architecture)
        src.cite(f"{m.name}: licence", s.licence)
        if s.benchmarks:
            src.cite(f"{m.name}: benchmarks", s.benchmarks)
        if s.languages:
            src.cite(f"{m.name}: languages", s.languages)


def sources(h: Html, plan: Plan, src: Sources) -> None:
    h.h2("Sources")
    h.p("Catalog version " + plan.catalog_version + ", as of " + plan.catalog_as_of.isoformat()
        + ". Formulas: ftwizard.estimate.estimator (memory, time, cost) and ftwizard.recommend.scoring (ranking).",
        "muted small")
    h.raw("<ol>" + "".join(f"<li><b>{esc(what)}</b>: {esc(s)}</li>" for what, s in src.items) + "</ol>")
