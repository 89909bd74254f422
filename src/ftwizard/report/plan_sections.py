"""What the plan PDF says, section by section, in the order a reader needs it.

Every figure is the Plan's own (ranker and estimator output) or a catalog entry's, shown
with its source; nothing is re-estimated except the VRAM split and the rental prices of the
chosen job (see `pdf.py`). Text from users and the catalog goes through `document.esc`.
Memory reads in the vendors' nameplate GB and money in one display currency
(`core.units`); both conventions are stated once, under the assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ftwizard.core.catalog import Catalog, Licence, ModelEntry
from ftwizard.core.errors import CatalogError
from ftwizard.core.plan import Plan, Recommendation
from ftwizard.core.units import MEMORY_NOTE, Money, gpu_memory_text, mem, mem_gib, mem_value
from ftwizard.report.chart_data import TOTAL_COMPONENT, technique_label
from ftwizard.report.document import Html, esc

# Section titles, in order; tests look for each one in the PDF's text.
SECTIONS: tuple[str, ...] = (
    "Recommendation",
    "Business case",
    "Your answers",
    "Ranked alternatives",
    "Charts",
    "Memory, time and cost",
    "Licence obligations",
    "Compliance checklist",
    "Hardware",
    "Excluded models",
    "Sources",
    "Appendix: run configuration",
)
DASH = "—"
TECHNIQUE_PHRASE = {"full": "full fine-tuning", "lora": "LoRA", "qlora": "QLoRA", "dpo": "DPO"}
# Plans whose reasons and warnings are printed in full; the table lists every plan.
DETAILED_PLANS = 5
# Totals closer than this are presented as a tie. A convention, not a confidence interval:
# the quality part rests on vendor-reported benchmarks whose set-ups (shots, prompts, versions)
# differ between reports by more than this.
TIE_MARGIN = 0.02
USD = Money()
BLANK = "______________________"


def fmt_gb(x: float | None) -> str:
    """A decimal-GB figure from the plan as a nameplate-GB number (no unit)."""
    return mem_value(x)


def fmt_hours(x: float | None) -> str:
    return DASH if x is None else f"{x:.1f}"


def fmt_usd(x: float | None) -> str:
    """'$0.84', '$12.50', '$1,234': cents only where they matter (US dollars)."""
    return USD(x)


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


def shared_card(rec: Recommendation) -> bool:
    """The ranker sized this plan against a shared card's free memory (its warning says so)."""
    return any(w.startswith("The GPU is shared") for w in rec.warnings)


def room_text(rec: Recommendation) -> str:
    """'of 24 GB usable' / 'of 21.9 GB free': what the plan was sized against."""
    if rec.margin_gb is None:
        return ""
    return f" of {mem(rec.peak_vram_gb + rec.margin_gb)} {'free' if shared_card(rec) else 'usable'}"


def model_name(catalog: Catalog | None, model_id: str) -> str:
    m = _model(catalog, model_id) if catalog is not None else None
    return m.name if m else model_id


def _model(catalog: Catalog, model_id: str) -> ModelEntry | None:
    try:
        return catalog.model(model_id)
    except CatalogError:
        return None


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


def ties(plan: Plan, rec: Recommendation) -> list[Recommendation]:
    """Other plans whose total is within TIE_MARGIN of `rec`'s."""
    return [r for r in plan.recommendations if r is not rec and abs(r.score - rec.score) < TIE_MARGIN]


def _tie_note(plan: Plan, rec: Recommendation) -> str:
    tied = ties(plan, rec)
    if not tied:
        return ""
    names = ", ".join(f"#{r.rank}" for r in sorted(tied, key=lambda r: r.rank)[:4])
    return (f" (a tie with {names}: totals within {TIE_MARGIN} are not a ranking, "
            "see the business case)")


# -- business case ------------------------------------------------------------------------


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
        "(ftwizard.core.scoring documents each formula). The tuned model's real quality is what the "
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
    gpu = _gpu(catalog, rec.hardware.gpu_id) if catalog is not None else None
    purchase = getattr(gpu, "purchase_usd", None)
    if not purchase or rec.train_hours is None:
        return None
    from ftwizard.core.estimator_constants import HOURS_PER_MONTH
    from ftwizard.core.estimator_cost import AMORTISATION_MONTHS

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
        from ftwizard.core.scoring import task_groups

        groups = task_groups(kind, list(languages))
    except (ImportError, KeyError):
        return "public benchmark scores for that kind of task"
    names = {"general": "general knowledge (MMLU)", "code": "program synthesis (HumanEval or MBPP)",
             "math": "multi-step reasoning (GSM8K or MATH)",
             "multilingual": "multilingual understanding (MMMLU or MGSM)"}
    total = sum(groups.values()) or 1.0
    return " + ".join(f"{w / total:.0%} {names.get(g, g)}" for g, w in groups.items())


def answers(h: Html, plan: Plan, money: Money = USD) -> None:
    a = plan.answers
    h.h2("Your answers")
    gpus = ", ".join(
        f"{g.count} x {g.name}" + (f" ({g.memory_gb:g} GB)" if g.memory_gb else "") for g in a.hardware.gpus
    )
    c = a.compliance
    d = a.data
    try:
        from ftwizard.core.wizard_state import language_summary

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


def memory_time_cost(
    h: Html, plan: Plan, catalog: Catalog, breakdown: Mapping[str, float] | None, src: Sources,
    money: Money = USD,
) -> None:
    h.h2("Memory, time and cost")
    rec = plan.chosen
    if rec is None:
        h.p("No plan was chosen, so there is nothing to size.")
        return
    h.h3(f"Peak GPU memory of the chosen plan: {mem(rec.peak_vram_gb)} per GPU")
    if rec.calibration:
        h.p(f"These figures are {rec.calibration}; the table's 'calibration' line is that correction.")
    parts = {k: v for k, v in (breakdown or {}).items() if k != TOTAL_COMPONENT}
    if parts:
        total = sum(parts.values()) or 1.0
        rows = [(k.replace("_", " "), mem_value(v, 2), f"{100 * v / total:.0f}%") for k, v in parts.items()]
        rows.append(("total (the plan's peak)", fmt_gb(rec.peak_vram_gb), "100%"))
        h.table(["Component", "GB per GPU", "Share"], rows, widths=[60, 20, 20], align="lrr")
    else:
        h.p("The estimator's component split is not available for this plan; the peak is the plan's figure.")
    hw = rec.hardware
    gpu = _gpu(catalog, hw.gpu_id)
    h.key_values(
        [
            ("GPU", f"{hw.count} x {hw.gpu_name} {src.cite(f'GPU {hw.gpu_name}', gpu.source if gpu else None)}"),
            ("GPU memory", f"{gpu.memory_gb:g} GB per GPU, {mem(hw.gpu_memory_gb)} usable" if gpu and gpu.memory_gb
             else f"{mem(hw.gpu_memory_gb)} per GPU"),
            ("Margin", f"{mem(rec.margin_gb)} left{room_text(rec)}"),
            ("Training time", f"{fmt_hours(rec.train_hours)} hours"),
            (
                "Price",
                f"{money(hw.usd_per_gpu_hour)} per GPU-hour, {hw.pricing or DASH}, "
                f"{'verified' if hw.price_verified else 'not verified'}, "
                f"as of {hw.price_as_of or 'date not given'} "
                f"{src.cite(f'Price: {hw.provider} {hw.gpu_name}', hw.price_source)}",
            ),
            (
                "Training cost",
                f"{money(rec.train_cost_usd)} = {fmt_hours(rec.train_hours)} h x {hw.count} GPU x "
                f"{money(hw.usd_per_gpu_hour)}",
            ),
            ("Monthly serving", money(rec.monthly_inference_usd)
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
            x.provider, x.gpu_name, money(x.usd_per_gpu_hour), x.pricing or DASH,
            yes_no(x.price_verified), x.price_as_of or DASH,
            src.cite(f"Price: {x.provider} {x.gpu_name}", x.price_source) or DASH,
        ))
    h.table(["Provider", "GPU", f"{money.code} per GPU-hour", "Pricing", "Verified", "As of", "Source"], rows,
            widths=[14, 24, 14, 14, 10, 14, 10], align="llrllll")
    h.h3("Assumptions behind the figures")
    h.bullets([MEMORY_NOTE, money.note(), *(assumption_text(a) for a in plan.assumptions or
                                             ["The plan lists no other assumptions."])])


def assumption_text(text: str) -> str:
    """The estimator's own line on units reads as a second convention beside MEMORY_NOTE."""
    return text.replace("Memory is per GPU in decimal GB (1e9 bytes)", "The estimator computes memory per GPU")


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


def compliance(h: Html, plan: Plan, catalog: Catalog | None = None, dataset: Any | None = None) -> None:
    """What the compliance officer checks and signs: every place the data and the weights go,
    with residency; the personal-data scan; the dataset file and its hash; licence duties; the
    model's source; then one sign-off per role."""
    h.h2("Compliance checklist", new_page=True)  # the page the officer signs, whole
    a = plan.answers
    rec = plan.chosen
    rc = plan.run_config
    residency = a.compliance.data_residency or "none stated"
    local = rec is None or rec.hardware.where == "local"
    train_at = "your own workstation" if local else f"{rec.hardware.provider} (cloud): region as booked"
    if dataset is not None:
        data_file = str(dataset.file)
    elif rc is not None:
        data_file = f"{rc.data_path} (the plan's placeholder: the run set-up names the real file)"
    else:
        data_file = DASH
    out_dir = str(rc.output_dir) if rc is not None else DASH
    rows: list[tuple[str, str, str]] = [
        ("Dataset at rest", data_file, "where it is kept today: approved storage?"),
        ("Training", train_at + ("; the data is copied there" if not local else "; nothing leaves the machine"),
         _residency_status(local, residency)),
        ("Evaluation (holdout)", "the same machine as training", _residency_status(local, residency)),
        ("Serving the tuned model",
         (f"priced on {rec.monthly_inference_gpu}" if rec is not None and rec.monthly_inference_gpu
          else "not decided"),
         "choose a host within " + residency if a.compliance.data_residency or a.compliance.regulated_data
         else "no residency asked"),
        ("Checkpoints, adapter, logs", out_dir + " on the training machine",
         "derived from the data: keep with it"),
        ("Backups", BLANK, f"must stay within {residency}" if a.compliance.data_residency else "per your policy"),
        ("Model weights (in)", f"{rec.hf_repo_id} from Hugging Face, copied in once" if rec else DASH,
         "no data goes out with them"),
    ]
    h.h3("Where data and weights go")
    h.table(["What", "Where", "Residency / check", "OK"], [(*r, "\u2610") for r in rows],
            widths=[20, 44, 28, 8], align="lllc")

    h.h3("Data and model")
    h.key_values(_data_rows(plan, dataset) + _model_rows(plan), key_width=30)
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
    items = [
        ("Air gap", gap),
        ("Regulated data", "yes: keep it on approved storage" if a.compliance.regulated_data else "no"),
        ("Holdout evaluation plan", "; ".join(hold) or "not set"),
        ("Logging of dataset contents", "None. Logs hold steps, losses, learning rates, memory and timings; "
         "never dataset text or the task description."),
        ("Licence duties", _licence_duties(plan, catalog)),
    ]
    h.h3("Controls")
    h.table(["Item", "Status", "OK"], [(k, v, "\u2610") for k, v in items], widths=[22, 70, 8], align="llc")
    h.h3("Sign-off")
    h.table(["Role", "Name", "Signature", "Date"],
            [("ML lead (technical plan)", "", "", ""),
             ("Manager (budget and business case)", "", "", ""),
             ("Data-protection officer (data, residency)", "", "", "")],
            widths=[36, 24, 24, 16])


def _residency_status(local: bool, residency: str) -> str:
    if local:
        return f"on site{'' if residency == 'none stated' else ': within ' + residency}"
    return f"required: {residency}; confirm the provider's region"


def _data_rows(plan: Plan, dataset: Any | None) -> list[tuple[str, str]]:
    if dataset is None:
        return [
            ("Dataset file", "not inspected for this plan: run `ftwizard data inspect FILE --report R.json` "
             "and `ftwizard plan --dataset-report R.json`, or inspect it on the Data page"),
            ("Dataset SHA-256", BLANK),
            ("Personal-data scan", "not run"),
        ]
    pii = dataset.pii
    if pii is None:
        scan = "turned off for this inspection"
    elif pii.rows_with_any == 0:
        scan = f"no likely personal data found in {pii.scanned_rows:,} rows (pattern scan)"
    else:
        kinds = ", ".join(f"{f.kind.replace('_', ' ')} {f.rows:,} rows" for f in pii.findings if f.rows)
        first = sorted({ln for f in pii.findings for ln in f.lines})[:8]
        scan = (f"{pii.rows_with_any:,} of {pii.scanned_rows:,} rows look like they hold personal data ({kinds}); "
                f"first lines: {', '.join(str(x) for x in first)}. {pii.note}")
    return [
        ("Dataset file", f"{dataset.file} ({dataset.rows_good:,} usable rows of {dataset.rows_read:,}, "
                         f"{dataset.format} format)"),
        ("Dataset SHA-256", dataset.file_sha256 or "not computed (inspection cancelled)"),
        ("Personal-data scan", scan),
    ]


def _model_rows(plan: Plan) -> list[tuple[str, str]]:
    rec = plan.chosen
    if rec is None:
        return [("Model", DASH)]
    return [
        ("Model source", f"{rec.hf_repo_id} (Hugging Face)"
         + (f"; instruct variant {rec.instruct_repo_id}" if rec.instruct_repo_id else "")),
        ("Model revision / hash", f"{BLANK}  (each run records the SHA-256 of the model's files in its "
         "manifest.json; the run report's Run record lists them: copy them here)"),
    ]


def _licence_duties(plan: Plan, catalog: Catalog | None) -> str:
    rec = plan.chosen
    if rec is None:
        return DASH
    duties: list[str] = []
    for lid in rec.licences:
        try:
            lic = catalog.licence(lid) if catalog is not None else None
        except KeyError:
            lic = None
        if lic is None:
            duties.append(f"{lid}: read the licence")
            continue
        bits = [lic.attribution or "", lic.naming or ""]
        if lic.acceptable_use_policy:
            bits.append("acceptable use policy passes to your users")
        if lic.user_threshold_mau:
            bits.append(f"separate licence above {lic.user_threshold_mau:,} monthly active users")
        if not lic.commercial_use:
            bits.append("no commercial use")
        duties.append(f"{lic.name}: " + ("; ".join(b for b in bits if b) or "keep the licence notice"))
    return " / ".join(duties) + " (details under Licence obligations)" if duties else "none listed"


def hardware(h: Html, plan: Plan) -> None:
    h.h2("Hardware")
    hw = plan.hardware
    if hw is None:
        gpus = ", ".join(f"{g.count} x {g.name}" for g in plan.answers.hardware.gpus) or "none listed"
        h.p(f"Not detected: the answers chose '{plan.answers.hardware.mode}' hardware ({gpus}).")
        return
    h.key_values(
        [
            ("Detected", hw.detected_at.strftime("%Y-%m-%d %H:%M %Z").strip()),
            ("Operating system", hw.os),
            ("CPU", f"{hw.cpu.model or DASH}, {hw.cpu.logical_cores or DASH} logical cores"),
            ("Memory (RAM)", f"{mem_gib(hw.ram_total_gib)} total, {mem_gib(hw.ram_available_gib)} available"),
            ("Free disk for runs", mem_gib(hw.runs_disk_free_gib, 0)),
        ]
    )
    if hw.gpus:
        h.table(
            ["#", "GPU", "Memory", "Compute", "Driver", "CUDA", "In use"],
            [
                (g.index, g.name, gpu_memory_text(g.memory_total_gib, g.memory_free_gib,
                                                  unified=bool(getattr(g, "unified_memory", False))) or DASH,
                 g.compute_capability or DASH, g.driver_version or DASH, g.cuda_version or DASH, yes_no(g.busy))
                for g in hw.gpus
            ],
            widths=[4, 34, 22, 10, 12, 8, 10],
            align="lllllll",
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
