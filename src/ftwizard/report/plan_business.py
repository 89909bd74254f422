"""The plan PDF's business case: the whole cost of the chosen plan (not only electricity or
rent), the real alternatives with their figures, the risks, and what the score does and does
not say; what the manager signs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ftwizard.base.units import Money, mem
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.plan import Plan, Recommendation
from ftwizard.report.chart_data import technique_label
from ftwizard.report.document import Html
from ftwizard.report.plan_text import (
    BLANK,
    TIE_MARGIN,
    USD,
    fmt_hours,
    fmt_score,
    gpu_entry,
    hardware_short,
    ties,
)


def business_case(
    h: Html, plan: Plan, money: Money = USD, rentals: Sequence[Any] | None = None, catalog: Catalog | None = None
) -> None:
    """What the manager signs: the whole cost (not only electricity), risks, real alternatives
    with their figures, and what the score does and does not say."""
    h.h2("Business case")
    rec = plan.chosen
    a = plan.answers
    if rec is None:
        h.p("No plan meets every constraint, so there is no cost to put to a budget holder. "
            "See Excluded models for what to change.")
        return
    hw = rec.hardware
    h.h3("Cost")
    rows: list[tuple[str, str, str]] = []
    run = money(rec.train_cost_usd)
    if hw.pricing == "electricity":
        rows.append(("Training run: electricity", run,
                     f"{fmt_hours(rec.train_hours)} h x {hw.count} GPU x {money(hw.usd_per_gpu_hour)} per GPU-hour "
                     f"(board power x the tariff of {money(plan.electricity_usd_per_kwh)} per kWh)"))
        rent = _own_gpu_rental(rentals, hw.gpu_id)
        amort = _amortisation(catalog, rec)
        if amort is not None:
            rows.append(amort[:1] + (money(amort[1]),) + amort[2:])
        if rent is not None:
            rows.append(("GPU time at rental price", money(rent.train_cost_usd),
                         f"the same job on a rented {rent.label.splitlines()[0]} ({rent.provider}): what this "
                         "card's hours are worth, a fair stand-in for its amortisation"))
        elif amort is None:
            rows.append(("GPU amortisation", BLANK,
                         "purchase price / useful hours x training hours: fill in from your asset register"))
    else:
        rows.append(("Training run: GPU rent", run,
                     f"{fmt_hours(rec.train_hours)} h x {hw.count} GPU x {money(hw.usd_per_gpu_hour)} per GPU-hour, "
                     f"{(hw.pricing or 'unknown').replace('_', '-')} at {hw.provider}"))
    rows.append(("Repeat runs", BLANK, "a first project usually trains several times (data fixes, settings); "
                 "multiply the run's cost by the runs you plan"))
    rows.append(("People time", BLANK, "an input: data collection and review, evaluation, integration; "
                 "days x day rate"))
    rows.append(("Serving, per month", money(rec.monthly_inference_usd),
                 f"self-hosted on {rec.monthly_inference_gpu}" if rec.monthly_inference_gpu else "not priced"))
    rows.append(("Budget", money(a.budget.training_usd) + " training",
                 (f"{money(a.budget.monthly_inference_usd)} a month for serving"
                  if a.budget.monthly_inference_usd is not None else "no serving budget given")))
    h.table(["Item", "Amount", "How it is reckoned"], rows, widths=[24, 16, 60], align="lrl")
    h.h3("Alternatives, with their figures")
    h.table(["Option", "Training", "Serving a month", "Expected quality", "Notes"],
            _alternative_rows(plan, rec, money), widths=[24, 13, 15, 13, 35], align="lrrrl")
    h.h3("Risks")
    h.bullets(money.in_text(r) for r in _risks(plan, rec))
    h.h3("What the score means")
    h.p(
        f"The score ({fmt_score(rec.score)} for the recommendation) is a weighted sum of six parts in 0-1 "
        "(the weights are listed with the answers). Quality is a prior, not a measurement on your task: for a "
        f"{a.task.kind} task it is {_quality_definition(a.task.kind, a.languages)}, blended with model size "
        "(ftwizard.recommend.scoring documents each formula). The tuned model's real quality is what the "
        "holdout evaluation measures (Compliance checklist). Totals within "
        f"{TIE_MARGIN} of each other are a tie, not a ranking to present: that is less than the spread "
        "between published benchmark set-ups."
    )
    tied = ties(plan, rec)
    if tied:
        h.p("Tied with the recommendation: " + "; ".join(
            f"#{r.rank} {r.model_name} {technique_label(r.technique)} ({fmt_score(r.score)})"
            for r in sorted(tied, key=lambda r: r.rank)[:5])
            + ". Choose among them on cost, licence and what your holdout shows.", "muted")


def _amortisation(catalog: Catalog | None, rec: Recommendation) -> tuple[str, float, str] | None:
    """The cards' purchase price written off straight-line over AMORTISATION_MONTHS of round-the-clock
    hours, for the training hours; None where the catalog records no purchase price."""
    gpu = gpu_entry(catalog, rec.hardware.gpu_id) if catalog is not None else None
    purchase = getattr(gpu, "purchase_usd", None)
    if not purchase or rec.train_hours is None:
        return None
    from ftwizard.estimate.constants import HOURS_PER_MONTH
    from ftwizard.estimate.cost import AMORTISATION_MONTHS

    n = rec.hardware.count
    usd = n * purchase / (AMORTISATION_MONTHS * HOURS_PER_MONTH) * rec.train_hours
    return ("GPU amortisation", usd, f"{n} x the card's purchase price written off over {AMORTISATION_MONTHS} "
            f"months of {HOURS_PER_MONTH:g} h, for {fmt_hours(rec.train_hours)} h")


def _own_gpu_rental(rentals: Sequence[Any] | None, gpu_id: str):
    for r in rentals or []:
        if getattr(r, "gpu_id", None) == gpu_id and getattr(r, "where", "") == "cloud" and getattr(r, "traced", r.verified):
            return r
    return None


def _alternative_rows(plan: Plan, rec: Recommendation, money: Money) -> list[tuple[str, ...]]:
    a = plan.answers
    rows = [(f"Recommended: {rec.model_name} {technique_label(rec.technique)}", money(rec.train_cost_usd),
             money(rec.monthly_inference_usd), f"{rec.score_parts.quality:.2f}", hardware_short(rec))]
    rows.append(("Prompting the instruct model, no tuning", money(0), money(rec.monthly_inference_usd),
                 "measure it", "the baseline the tuned model must beat on the holdout; costs people time only"))
    rows.append(("Retrieval (RAG) over your documents", money(0), "serving + search index", "measure it",
                 "advised first: facts change often, retrieval keeps answers current without retraining"
                 if a.knowledge_changes_often else
                 "when answers must quote current documents; combines with a tuned model"))
    others = [r for r in plan.recommendations if r is not rec and r.train_cost_usd is not None]
    smaller = min((r for r in others if r.params_b < rec.params_b), key=lambda r: (r.params_b, r.rank), default=None)
    larger = max((r for r in others if r.params_b > rec.params_b), key=lambda r: (r.params_b, -r.rank), default=None)
    for label, r in (("Smaller", smaller), ("Larger", larger)):
        if r is not None:
            rows.append((f"{label}: {r.model_name} {technique_label(r.technique)} (#{r.rank})",
                         money(r.train_cost_usd), money(r.monthly_inference_usd), f"{r.score_parts.quality:.2f}",
                         f"{hardware_short(r)}; {mem(r.peak_vram_gb)} per GPU; {fmt_hours(r.train_hours)} h"))
    return rows


def _risks(plan: Plan, rec: Recommendation) -> list[str]:
    a = plan.answers
    out = [
        "Quality is not known until measured: evaluate the base and the tuned model on the held-out "
        "examples before anyone relies on it.",
    ]
    if a.data.examples < 500:
        out.append(f"{a.data.examples:,} examples is few: the model may copy their style more than learn the task.")
    if rec.hardware.price_verified is False:
        out.append("The training price is not verified against the provider's page; check it before booking.")
    out += [w for w in rec.warnings if not w.startswith("The GPU is shared")][:4]
    if rec.margin_gb is not None and rec.margin_gb < 0.1 * (rec.peak_vram_gb + rec.margin_gb):
        out.append("Memory is tight: a longer example or another program on the GPU can stop the run "
                   "(it then resumes from its last checkpoint).")
    if a.compliance.regulated_data:
        out.append("Regulated data: the data-protection officer signs the checklist before any data is copied.")
    return out


def _quality_definition(kind: str, languages: Sequence[str]) -> str:
    try:
        from ftwizard.recommend.scoring import task_groups

        groups = task_groups(kind, list(languages))
    except (ImportError, KeyError):
        return "public benchmark scores for that kind of task"
    names = {"general": "general knowledge (MMLU)", "code": "program synthesis (HumanEval or MBPP)",
             "math": "multi-step reasoning (GSM8K or MATH)",
             "multilingual": "multilingual understanding (MMMLU or MGSM)"}
    total = sum(groups.values()) or 1.0
    return " + ".join(f"{w / total:.0%} {names.get(g, g)}" for g, w in groups.items())
