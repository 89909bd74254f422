"""The plan PDF's opening sections: the title page, the recommendation, the user's answers and
the ranked alternatives (what is proposed, and what it was chosen from)."""

from __future__ import annotations

from ftwizard.base.units import Money, mem
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.plan import Plan, Recommendation
from ftwizard.report.chart_data import technique_label
from ftwizard.report.document import Html, esc
from ftwizard.report.plan_text import (
    DASH,
    SECTIONS,
    TECHNIQUE_PHRASE,
    TIE_MARGIN,
    USD,
    calibration_sentence,
    fmt_gb,
    fmt_hours,
    fmt_score,
    hardware_short,
    hardware_text,
    room_text,
    ties,
    yes_no,
)

# Plans whose reasons and warnings are printed in full; the table lists every plan.
DETAILED_PLANS = 5


def title_page(h: Html, plan: Plan, catalog: Catalog, written_by: str, money: Money = USD) -> None:
    """Title, versions and the plan at a glance, then the contents: the first page reads alone."""
    a = plan.answers
    h.p("Fine-tuning plan", "title")
    h.p(a.project_name or "Untitled project", "subtitle")
    rec = plan.chosen
    if rec is not None:
        glance = [
            ("Recommended", f"{rec.model_name}, {TECHNIQUE_PHRASE.get(rec.technique, rec.technique)}"),
            ("Where it trains", hardware_text(rec)),
            ("GPU memory", f"{mem(rec.peak_vram_gb)} per GPU{room_text(rec)}"),
            ("Training", f"about {fmt_hours(rec.train_hours)} hours, {money(rec.train_cost_usd)}"
             + (" of electricity" if rec.hardware.pricing == "electricity" else "")),
            ("Serving", f"{money(rec.monthly_inference_usd)} a month" if rec.monthly_inference_usd is not None
             else "not priced"),
            ("Budget", f"{money(a.budget.training_usd)} for training, "
             + (f"{money(a.budget.monthly_inference_usd)} a month for serving"
                if a.budget.monthly_inference_usd is not None else "no serving budget given")),
        ]
    else:
        glance = [("Recommended", "nothing: no plan meets every constraint (see Excluded models)")]
    h.key_values(glance, key_width=28)
    h.h2("Contents")
    h.raw("<ol>" + "".join(f"<li>{esc(s)}</li>" for s in SECTIONS) + "</ol>")
    rows = [
        ("Plan made", plan.created_at.strftime("%Y-%m-%d %H:%M %Z").strip()),
        ("Made by", f"ftwizard {plan.ftwizard_version}"),
        ("Catalog", f"version {plan.catalog_version}, as of {plan.catalog_as_of.isoformat()}"),
        ("PDF written by", written_by),
    ]
    if catalog.version != plan.catalog_version:
        rows.append(("Catalog read for this PDF", f"version {catalog.version}, as of {catalog.as_of.isoformat()}"))
    h.key_values(rows, key_width=28)
    h.p(
        "Every figure in this report comes from the plan file (the estimator and the ranker) or "
        f"the model catalog, with its source listed at the end. Memory is per GPU in GB as GPU "
        f"vendors label it (2^30 bytes); {money.note()[0].lower() + money.note()[1:]}",
        "muted small",
    )


def recommendation(h: Html, plan: Plan, money: Money = USD) -> None:
    h.h2("Recommendation")
    rec = plan.chosen
    adv = plan.advice
    if rec is None:
        h.p("No plan meets every constraint of the answers. " + adv.summary)
    else:
        hours = f"about {fmt_hours(rec.train_hours)} hours" if rec.train_hours is not None else "an unknown time"
        cost = (
            f" for about {money(rec.train_cost_usd)}"
            + (" of electricity" if rec.hardware.pricing == "electricity" else "")
            if rec.train_cost_usd is not None
            else ""
        )
        serve = (
            f" Serving the tuned model costs about {money(rec.monthly_inference_usd)} a month"
            + (f" on {rec.monthly_inference_gpu}" if rec.monthly_inference_gpu else "")
            + "."
            if rec.monthly_inference_usd is not None
            else ""
        )
        h.p(
            f"Fine-tune {rec.model_name} ({rec.params_b:g} B parameters, {rec.hf_repo_id}) with "
            f"{TECHNIQUE_PHRASE.get(rec.technique, rec.technique)} on {hardware_text(rec)}. It needs about "
            f"{mem(rec.peak_vram_gb)} of GPU memory per card{room_text(rec)} and trains in {hours}{cost}."
            f"{calibration_sentence(rec)}{serve} It ranks #{rec.rank} of {len(plan.recommendations)} with a score of "
            f"{fmt_score(rec.score)}{_tie_note(plan, rec)}. {money.in_text(adv.summary)}",
            "lead",
        )
        if rec.warnings:
            h.p_html('<span class="warn">Warnings</span>')
            h.bullets(money.in_text(w) for w in rec.warnings)
        if rec.reasons:
            h.h3("Why")
            h.bullets(money.in_text(r) for r in rec.reasons)
    if adv.alternatives:
        h.h3("Alternatives to consider")
        h.bullets(money.in_text(a) for a in adv.alternatives)
    if adv.notes:
        h.h3("Advice")
        h.bullets(money.in_text(n) for n in adv.notes)


def _tie_note(plan: Plan, rec: Recommendation) -> str:
    tied = ties(plan, rec)
    if not tied:
        return ""
    names = ", ".join(f"#{r.rank}" for r in sorted(tied, key=lambda r: r.rank)[:4])
    return (f" (a tie with {names}: totals within {TIE_MARGIN} are not a ranking, "
            "see the business case)")


def answers(h: Html, plan: Plan, money: Money = USD) -> None:
    a = plan.answers
    h.h2("Your answers")
    gpus = ", ".join(
        f"{g.count} x {g.name}" + (f" ({g.memory_gb:g} GB)" if g.memory_gb else "") for g in a.hardware.gpus
    )
    c = a.compliance
    d = a.data
    try:
        from ftwizard.catalog.languages import language_summary

        languages = language_summary(list(a.languages))
    except ImportError:
        languages = ", ".join(a.languages)
    h.key_values(
        [
            ("Project", a.project_name or DASH),
            ("Task", a.task.kind),
            ("Domain", a.task.domain or DASH),
            ("Task description", a.task.description or DASH),
            ("Languages", languages),
            ("Training budget", money(a.budget.training_usd)),
            ("Monthly serving budget", money(a.budget.monthly_inference_usd)),
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


def ranked(h: Html, plan: Plan, money: Money = USD) -> None:
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
            money(r.train_cost_usd),
            money(r.monthly_inference_usd),
            fmt_score(r.score),
        )
        for r in sorted(plan.recommendations, key=lambda r: r.rank)
    ]
    h.table(
        ["#", "Model", "Method", "Hardware", "GPU memory GB", "Hours", "Training", "Serving a month", "Score"],
        rows,
        widths=[4, 16, 9, 24, 9, 7, 9, 12, 10],
        align="llllrrrrr",
    )
    h.p(f"* the chosen plan. GPU memory is the peak per GPU; money is in {money.name}. "
        f"Score = the weighted sum of the parts below (weights under Your answers); totals within "
        f"{TIE_MARGIN} are a tie.", "muted small")
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
            h.bullets(money.in_text(x) for x in [*r.reasons, *(f"Warning: {w}" for w in r.warnings)])
    if len(ordered) > DETAILED_PLANS:
        h.p(f"Reasons and warnings of the plans ranked below {DETAILED_PLANS} are in the plan file.",
            "muted small")
