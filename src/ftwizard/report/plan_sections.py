"""What the plan PDF says, section by section, in the order a reader needs it.

Every figure is the Plan's own (ranker and estimator output) or a catalog entry's, shown
with its source; nothing is re-estimated except the VRAM split (see `pdf.py`). Text from
users and the catalog goes through `document.esc`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ftwizard.core.catalog import Catalog, Licence, ModelEntry
from ftwizard.core.errors import CatalogError
from ftwizard.core.plan import Plan, Recommendation
from ftwizard.report.chart_data import TOTAL_COMPONENT, gb_text, technique_label
from ftwizard.report.document import Html, esc

# Section titles, in order; tests look for each one in the PDF's text.
SECTIONS: tuple[str, ...] = (
    "Recommendation",
    "Your answers",
    "Ranked alternatives",
    "Charts",
    "Memory, time and cost",
    "Licence obligations",
    "Compliance checklist",
    "Hardware",
    "Run configuration",
    "Excluded models",
    "Sources",
)
DASH = "—"
TECHNIQUE_PHRASE = {"full": "full fine-tuning", "lora": "LoRA", "qlora": "QLoRA", "dpo": "DPO"}
# Plans whose reasons and warnings are printed in full; the table lists every plan.
DETAILED_PLANS = 5


def fmt_gb(x: float | None) -> str:
    return DASH if x is None else f"{x:.1f}"


def fmt_hours(x: float | None) -> str:
    return DASH if x is None else f"{x:.1f}"


def fmt_usd(x: float | None) -> str:
    """'$0.84', '$12.50', '$1,234': cents only where they matter."""
    if x is None:
        return DASH
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def fmt_score(x: float) -> str:
    return f"{x:.3f}"


def yes_no(x: bool | None) -> str:
    return DASH if x is None else ("yes" if x else "no")


@dataclass
class Sources:
    """Numbered references: tables cite [n], the Sources section lists them once."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def cite(self, what: str, source: str | None) -> str:
        if not source:
            return ""
        for i, (_, s) in enumerate(self.items, 1):
            if s == source:
                return f"[{i}]"
        self.items.append((what, source))
        return f"[{len(self.items)}]"


def calibration_sentence(rec: Recommendation) -> str:
    """' Memory and time are calibrated from 3 runs on this GPU ...' or nothing."""
    return f" Memory and time are {rec.calibration}." if rec.calibration else ""


def hardware_short(rec: Recommendation) -> str:
    """'RTX A6000, local' or '2 x H100 SXM, Lambda': for table cells."""
    hw = rec.hardware
    count = f"{hw.count} x " if hw.count > 1 else ""
    return f"{count}{hw.gpu_name}, {'local' if hw.where == 'local' else hw.provider}"


def hardware_text(rec: Recommendation) -> str:
    hw = rec.hardware
    count = f"{hw.count} x " if hw.count > 1 else ""
    where = "your own hardware" if hw.where == "local" else f"{hw.provider} (cloud)"
    shard = f", {hw.strategy}" if hw.strategy != "single" else ""
    return f"{count}{hw.gpu_name} on {where}{shard}"


def _model(catalog: Catalog, model_id: str) -> ModelEntry | None:
    try:
        return catalog.model(model_id)
    except CatalogError:
        return None


def title_page(h: Html, plan: Plan, catalog: Catalog, written_by: str) -> None:
    a = plan.answers
    h.p("Fine-tuning plan", "title")
    h.p(a.project_name or "Untitled project", "subtitle")
    rows = [
        ("Plan made", plan.created_at.strftime("%Y-%m-%d %H:%M %Z").strip()),
        ("Made by", f"ftwizard {plan.ftwizard_version}"),
        ("Catalog", f"version {plan.catalog_version}, as of {plan.catalog_as_of.isoformat()}"),
        ("PDF written by", written_by),
    ]
    if catalog.version != plan.catalog_version:
        rows.append(("Catalog read for this PDF", f"version {catalog.version}, as of {catalog.as_of.isoformat()}"))
    h.key_values(rows, key_width=28)
    h.h2("Contents")
    h.raw("<ol>" + "".join(f"<li>{esc(s)}</li>" for s in SECTIONS) + "</ol>")
    h.p(
        "Every figure in this report comes from the plan file (the estimator and the ranker) or "
        "the model catalog, with its source listed at the end. Memory is per GPU in decimal GB; "
        "money is US dollars.",
        "muted small",
    )


def recommendation(h: Html, plan: Plan) -> None:
    h.h2("Recommendation", new_page=True)
    rec = plan.chosen
    adv = plan.advice
    if rec is None:
        h.p("No plan meets every constraint of the answers. " + adv.summary)
    else:
        mem = f" of {gb_text(rec.hardware.gpu_memory_gb)} GB" if rec.hardware.gpu_memory_gb else ""
        hours = f"about {fmt_hours(rec.train_hours)} hours" if rec.train_hours is not None else "an unknown time"
        cost = (
            f" for about {fmt_usd(rec.train_cost_usd)}"
            + (" of electricity" if rec.hardware.pricing == "electricity" else "")
            if rec.train_cost_usd is not None
            else ""
        )
        serve = (
            f" Serving the tuned model costs about {fmt_usd(rec.monthly_inference_usd)} a month"
            + (f" on {rec.monthly_inference_gpu}" if rec.monthly_inference_gpu else "")
            + "."
            if rec.monthly_inference_usd is not None
            else ""
        )
        h.p(
            f"Fine-tune {rec.model_name} ({rec.params_b:g} B parameters, {rec.hf_repo_id}) with "
            f"{TECHNIQUE_PHRASE.get(rec.technique, rec.technique)} on {hardware_text(rec)}. It needs about "
            f"{fmt_gb(rec.peak_vram_gb)} GB of GPU memory per card{mem} and trains in {hours}{cost}."
            f"{calibration_sentence(rec)}{serve} It ranks #{rec.rank} of {len(plan.recommendations)} with a score of "
            f"{fmt_score(rec.score)}. {adv.summary}",
            "lead",
        )
        if rec.warnings:
            h.p_html('<span class="warn">Warnings</span>')
            h.bullets(rec.warnings)
        if rec.reasons:
            h.h3("Why")
            h.bullets(rec.reasons)
    if adv.alternatives:
        h.h3("Alternatives to consider")
        h.bullets(adv.alternatives)
    if adv.notes:
        h.h3("Advice")
        h.bullets(adv.notes)


def answers(h: Html, plan: Plan) -> None:
    a = plan.answers
    h.h2("Your answers")
    gpus = ", ".join(
        f"{g.count} x {g.name}" + (f" ({gb_text(g.memory_gb)} GB)" if g.memory_gb else "") for g in a.hardware.gpus
    )
    c = a.compliance
    d = a.data
    h.key_values(
        [
            ("Project", a.project_name or DASH),
            ("Task", a.task.kind),
            ("Domain", a.task.domain or DASH),
            ("Task description", a.task.description or DASH),
            ("Languages", ", ".join(a.languages)),
            ("Training budget", fmt_usd(a.budget.training_usd)),
            ("Monthly serving budget", fmt_usd(a.budget.monthly_inference_usd)),
            ("Training examples", f"{d.examples:,}"),
            ("Mean tokens per example", f"{d.avg_tokens:,}"),
            ("95th percentile tokens", DASH if d.p95_tokens is None else f"{d.p95_tokens:,}"),
            ("Preference pairs (better/worse answers)", yes_no(d.preference_pairs)),
            ("Commercial use", yes_no(c.commercial_use)),
            ("Regulated data", yes_no(c.regulated_data)),
            ("Air-gapped (local hardware, offline)", yes_no(c.air_gapped)),
            ("Only models with published training data", yes_no(c.open_training_data_required)),
            ("Data residency", c.data_residency or DASH),
            ("Hardware", a.hardware.mode + (f": {gpus}" if gpus else "")),
            ("Facts change often", yes_no(a.knowledge_changes_often)),
        ]
    )
    w = plan.weights
    h.p(
        "Score weights: "
        + ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in w.model_dump().items()),
        "muted small",
    )


def ranked(h: Html, plan: Plan) -> None:
    h.h2("Ranked alternatives")
    if not plan.recommendations:
        h.p("None: every model was excluded (see Excluded models).")
        return
    rows = [
        (
            f"{r.rank}{' *' if r is plan.chosen else ''}",
            r.model_name,
            technique_label(r.technique),
            hardware_short(r),
            fmt_gb(r.peak_vram_gb),
            fmt_hours(r.train_hours),
            fmt_usd(r.train_cost_usd),
            fmt_usd(r.monthly_inference_usd),
            fmt_score(r.score),
        )
        for r in sorted(plan.recommendations, key=lambda r: r.rank)
    ]
    h.table(
        ["#", "Model", "Method", "Hardware", "VRAM GB", "Hours", "Training", "Serving a month", "Score"],
        rows,
        widths=[4, 16, 9, 24, 8, 7, 9, 13, 10],
        align="llllrrrrr",
    )
    h.p("* the chosen plan. VRAM is the peak per GPU; training and serving are US dollars. "
        "Score = the weighted sum of the parts below (weights under Your answers).", "muted small")
    h.table(
        ["#", "Quality", "Data fit", "Time", "Cost", "Serving cost", "Maturity", "Total"],
        [
            (r.rank, *(f"{getattr(r.score_parts, k):.2f}" for k in
                       ("quality", "data_fit", "time", "cost", "inference_cost", "maturity")),
             fmt_score(r.score_parts.total))
            for r in sorted(plan.recommendations, key=lambda r: r.rank)
        ],
        align="lrrrrrrr",
    )
    ordered = sorted(plan.recommendations, key=lambda r: r.rank)
    for r in ordered[:DETAILED_PLANS]:
        if r is not plan.chosen and (r.reasons or r.warnings):
            h.h3(f"#{r.rank} {r.model_name}, {technique_label(r.technique)}")
            h.bullets([*r.reasons, *(f"Warning: {w}" for w in r.warnings)])
    if len(ordered) > DETAILED_PLANS:
        h.p(f"Reasons and warnings of the plans ranked below {DETAILED_PLANS} are in the plan file.",
            "muted small")


def memory_time_cost(
    h: Html, plan: Plan, catalog: Catalog, breakdown: Mapping[str, float] | None, src: Sources
) -> None:
    h.h2("Memory, time and cost")
    rec = plan.chosen
    if rec is None:
        h.p("No plan was chosen, so there is nothing to size.")
        return
    h.h3(f"Peak GPU memory of the chosen plan: {fmt_gb(rec.peak_vram_gb)} GB per GPU")
    if rec.calibration:
        h.p(f"These figures are {rec.calibration}; the table's 'calibration' line is that correction.")
    parts = {k: v for k, v in (breakdown or {}).items() if k != TOTAL_COMPONENT}
    if parts:
        total = sum(parts.values()) or 1.0
        rows = [(k.replace("_", " "), f"{v:.2f}", f"{100 * v / total:.0f}%") for k, v in parts.items()]
        rows.append(("total (the plan's peak_vram_gb)", fmt_gb(rec.peak_vram_gb), "100%"))
        h.table(["Component", "GB per GPU", "Share"], rows, widths=[60, 20, 20], align="lrr")
    else:
        h.p("The estimator's component split is not available for this plan; the peak is the plan's figure.")
    hw = rec.hardware
    gpu = _gpu(catalog, hw.gpu_id)
    h.key_values(
        [
            ("GPU", f"{hw.count} x {hw.gpu_name} {src.cite(f'GPU {hw.gpu_name}', gpu.source if gpu else None)}"),
            ("GPU memory", f"{fmt_gb(hw.gpu_memory_gb)} GB per GPU"),
            ("Margin", f"{fmt_gb(rec.margin_gb)} GB"),
            ("Training time", f"{fmt_hours(rec.train_hours)} hours"),
            (
                "Price",
                f"{fmt_usd(hw.usd_per_gpu_hour)} per GPU-hour, {hw.pricing or DASH}, "
                f"{'verified' if hw.price_verified else 'not verified'}, "
                f"as of {hw.price_as_of or 'date not given'} "
                f"{src.cite(f'Price: {hw.provider} {hw.gpu_name}', hw.price_source)}",
            ),
            (
                "Training cost",
                f"{fmt_usd(rec.train_cost_usd)} = {fmt_hours(rec.train_hours)} h x {hw.count} GPU x "
                f"{fmt_usd(hw.usd_per_gpu_hour)}",
            ),
            ("Monthly serving", fmt_usd(rec.monthly_inference_usd)
             + (f" on {rec.monthly_inference_gpu}" if rec.monthly_inference_gpu else "")),
        ]
    )
    h.h3("Prices of every ranked plan")
    seen: set[tuple[str, str, str]] = set()
    rows = []
    for r in sorted(plan.recommendations, key=lambda r: r.rank):
        x = r.hardware
        key = (x.provider, x.gpu_id, x.pricing or "")
        if key in seen:
            continue
        seen.add(key)
        rows.append((
            x.provider, x.gpu_name, fmt_usd(x.usd_per_gpu_hour), x.pricing or DASH,
            yes_no(x.price_verified), x.price_as_of or DASH,
            src.cite(f"Price: {x.provider} {x.gpu_name}", x.price_source) or DASH,
        ))
    h.table(["Provider", "GPU", "USD per GPU-hour", "Pricing", "Verified", "As of", "Source"], rows,
            widths=[14, 24, 14, 14, 10, 14, 10], align="llrllll")
    h.h3("Assumptions behind the figures")
    h.bullets(plan.assumptions or ["The plan lists no assumptions."])


def _gpu(catalog: Catalog, gpu_id: str):
    try:
        return catalog.gpu(gpu_id)
    except CatalogError:
        return None


def licence_obligations(h: Html, plan: Plan, catalog: Catalog, src: Sources) -> None:
    h.h2("Licence obligations")
    rec = plan.chosen
    if rec is None:
        h.p("No plan was chosen.")
        return
    model = _model(catalog, rec.model_id)
    ids = list(model.licences) if model else list(rec.licences)
    licences: list[Licence] = []
    for lid in ids:
        try:
            licences.append(catalog.licence(lid))
        except KeyError:
            h.p(f"Licence '{lid}' is not in the loaded catalog: read the model card before use.", "warn")
    h.p(f"{rec.model_name} ({rec.hf_repo_id}) is released under: "
        + (", ".join(lic.name for lic in licences) or ", ".join(ids) or DASH) + ".")
    for lic in licences:
        h.h3(lic.name + (f" ({lic.spdx})" if lic.spdx else ""))
        threshold = (
            f"above {lic.user_threshold_mau:,} monthly active users a separate licence is needed"
            if lic.user_threshold_mau
            else "none"
        )
        h.key_values(
            [
                ("Commercial use", "allowed" if lic.commercial_use else "NOT allowed"),
                ("User threshold", threshold),
                ("Attribution", lic.attribution or "none required beyond the licence notice"),
                ("Naming of derived models", lic.naming or "no rule"),
                ("Limits on using outputs", lic.output_use_restrictions or "none stated"),
                ("Acceptable use policy passes to your users", yes_no(lic.acceptable_use_policy)),
                ("Summary", lic.summary),
                ("Source", f"{src.cite(f'Licence {lic.name}', lic.source)}"
                 + ("" if lic.terms_read_in_full else " (terms not read in full: check the text)")),
            ]
        )
    if plan.answers.compliance.commercial_use and any(not lic.commercial_use for lic in licences):
        h.p("This model's licence does not allow the commercial use your answers describe.", "warn")


def compliance(h: Html, plan: Plan) -> None:
    h.h2("Compliance checklist")
    a = plan.answers
    rec = plan.chosen
    rc = plan.run_config
    local = rec is None or rec.hardware.where == "local"
    if rc is not None:
        data_where = f"training data {rc.data_path}; adapter and checkpoints {rc.output_dir}"
    else:
        data_where = "no run configuration in the plan"
    if local:
        where = f"On your own workstation: {data_where}."
    else:
        where = (f"Uploaded to {rec.hardware.provider} for training ({data_where}); "
                 f"residency required: {a.compliance.data_residency or 'none stated'}.")
    if a.compliance.air_gapped:
        gap = ("Required. The run uses local hardware only; ftwizard opens no network connection; "
               "model weights are copied in once.") if local else (
               "Required, but the chosen plan trains in the cloud: choose a local plan.")
    else:
        gap = "Not required by the answers; ftwizard itself opens no network connection."
    adv = plan.advice
    hold = []
    if adv.holdout_examples is not None:
        hold.append(f"{adv.holdout_examples:,} examples kept aside and never trained on")
    if rc is not None:
        hold.append(f"holdout file {rc.holdout_path}" if rc.holdout_path
                    else f"{rc.holdout_fraction:.0%} of the data split off before training")
    if adv.evaluation_metrics:
        hold.append("base vs tuned model compared on: " + ", ".join(adv.evaluation_metrics))
    rows = [
        ("Where the data lives", where),
        ("Air gap", gap),
        ("Regulated data", "yes: keep it on approved storage" if a.compliance.regulated_data else "no"),
        ("Holdout evaluation plan", "; ".join(hold) or "not set"),
        ("Logging of dataset contents", "None. Logs hold steps, losses, learning rates, memory and timings; "
         "never dataset text or the task description."),
        ("Model weights", f"{rec.hf_repo_id}, downloaded once and kept locally" if rec else DASH),
    ]
    h.table(["Item", "Status", "Checked"], [(k, v, "\u2610") for k, v in rows], widths=[22, 66, 12], align="llc")
    h.p("Checked by: ______________________    Date: ____________", "muted")


def hardware(h: Html, plan: Plan) -> None:
    h.h2("Hardware")
    hw = plan.hardware
    if hw is None:
        gpus = ", ".join(f"{g.count} x {g.name}" for g in plan.answers.hardware.gpus) or "none listed"
        h.p(f"Not detected: the answers chose '{plan.answers.hardware.mode}' hardware ({gpus}).")
        return
    h.p(hw.summary)
    h.key_values(
        [
            ("Detected", hw.detected_at.strftime("%Y-%m-%d %H:%M %Z").strip()),
            ("Operating system", hw.os),
            ("CPU", f"{hw.cpu.model or DASH}, {hw.cpu.logical_cores or DASH} logical cores"),
            ("Memory", f"{fmt_gb(hw.ram_total_gib)} GiB total, {fmt_gb(hw.ram_available_gib)} GiB available"),
            ("Free disk for runs", DASH if hw.runs_disk_free_gib is None else f"{hw.runs_disk_free_gib:,.0f} GiB"),
        ]
    )
    if hw.gpus:
        h.table(
            ["#", "GPU", "Memory GiB", "Free GiB", "Compute", "Driver", "CUDA", "In use"],
            [
                (g.index, g.name, fmt_gb(g.memory_total_gib), fmt_gb(g.memory_free_gib),
                 g.compute_capability or DASH, g.driver_version or DASH, g.cuda_version or DASH, yes_no(g.busy))
                for g in hw.gpus
            ],
            widths=[4, 32, 11, 10, 10, 13, 9, 11],
            align="llrrllll",
        )


def run_configuration(h: Html, plan: Plan) -> None:
    h.h2("Run configuration")
    rc = plan.run_config
    if rc is None:
        h.p("The plan has no run configuration (no plan was chosen).")
        return
    h.p("Exactly what `python -m ftwizard.train RUN.json` receives for the chosen plan; "
        "relative paths are taken from the RUN.json file's folder.", "muted small")
    fields: list[tuple[str, str]] = []
    for key, value in rc.model_dump(mode="json").items():
        if isinstance(value, dict):
            fields += [(f"{key}.{k}", _plain(v)) for k, v in value.items()]
        else:
            fields.append((key, _plain(value)))
    # Two field/value pairs per row: the whole configuration on about half a page.
    half = (len(fields) + 1) // 2
    left, right = fields[:half], fields[half:] + [("", "")] * (2 * half - len(fields))
    h.table(["Field", "Value", "Field", "Value"], [(*a, *b) for a, b in zip(left, right, strict=True)],
            widths=[20, 30, 20, 30])


def _plain(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def excluded(h: Html, plan: Plan) -> None:
    h.h2("Excluded models")
    if not plan.excluded:
        h.p("No model was excluded.")
        return
    h.p(f"{len(plan.excluded)} exclusions. A row without a technique rules out the whole model.", "muted small")
    rows = [
        (e.model_id, technique_label(e.technique) if e.technique else "all", e.constraint, e.reason)
        for e in sorted(plan.excluded, key=lambda e: (e.constraint, e.model_id, e.technique or ""))
    ]
    h.table(["Model", "Method", "Constraint", "Why"], rows, widths=[21, 9, 12, 58])


def model_sources(plan: Plan, catalog: Catalog, src: Sources) -> None:
    """Cite the architecture, licence and benchmark sources of every ranked model."""
    for r in sorted(plan.recommendations, key=lambda r: r.rank):
        m = _model(catalog, r.model_id)
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
        + ". Formulas: ftwizard.core.estimator (memory, time, cost) and ftwizard.core.scoring (ranking).",
        "muted small")
    h.raw("<ol>" + "".join(f"<li><b>{esc(what)}</b>: {esc(s)}</li>" for what, s in src.items) + "</ol>")
