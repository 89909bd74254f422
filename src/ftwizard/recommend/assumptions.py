"""The plan's assumptions: catalog, score and quality rules, the fit rule and tiers, serving and
training cost formulas, models the bound skipped, calibrated figures, and each shown plan's
estimator assumptions and prices (each line once).
"""

from __future__ import annotations

from ftwizard.catalog.entries import price_traced
from ftwizard.catalog.store import Catalog
from ftwizard.estimate import constants as K
from ftwizard.estimate.cost import AMORTISATION_MONTHS
from ftwizard.recommend import scoring
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.candidate_types import Candidate
from ftwizard.recommend.cloud import DOWNLOAD_MB_PER_S, STARTUP_HOURS
from ftwizard.recommend.plan import Recommendation


def quality_rule_text(answers: Answers) -> str:
    """How the quality score is defined for this task (shown in the Assumptions tab and the PDF)."""
    kind = answers.task.kind
    groups = scoring.task_groups(kind, answers.languages)
    parts = ", ".join(
        f"{scoring.GROUP_LABEL[g]} {w:g} ({' or '.join(scoring.BENCHMARK_GROUPS[g])})" for g, w in groups.items()
    )
    caps = set(scoring.TASK_CAPABILITIES.get(kind, ()))
    if any(lang != "en" for lang in answers.languages):
        caps.add("multilingual")
    if (answers.data.p95_tokens or 0) > scoring.LONG_CONTEXT_TOKENS:
        caps.add("long_context")
    special = (
        f" plus {scoring.SPECIALIST_BONUS:g} for a specialist (the catalog lists {' or '.join(sorted(caps))} "
        "among its capabilities)" if caps else ""
    )
    own = ""
    if set(scoring.TASK_GROUPS[kind]) == {"general"}:
        own = (
            f" Benchmarks the catalog marks as evidence for {kind} count as a task group "
            f"({scoring.TASK_GROUP_WEIGHT:g}) beside general knowledge ({scoring.TASK_GENERAL_WEIGHT:g}); "
            "MMLU alone is labelled general-knowledge evidence, not a benchmark for the task."
        )
    return (
        f"Quality for {kind}: benchmark groups weighted {parts}; score = {scoring.BENCH_SHARE:g} x (coverage x "
        f"benchmark mean + (1 - coverage) x size) + {1 - scoring.BENCH_SHARE:.1f} x size, size on a log scale from "
        f"{scoring.SIZE_MIN_B:g} B to {scoring.SIZE_MAX_B:g} B parameters; a group without the model's own figure "
        f"takes the median of catalog models of similar size (within {scoring.PEER_SIZE_RATIO:g}x, at least "
        f"{scoring.PEER_MIN}), else size; plus {scoring.STRENGTH_BONUS:g} when the "
        f"vendor lists {kind} among the model's strengths{special}.{own} Context shorter than your examples' "
        "95th-percentile length excludes a model (training would cut them)."
    )


def _assumptions(
    shown: list[Candidate],
    catalog: Catalog,
    skipped: int,
    top: int | None,
    recs: list[Recommendation],
    answers: Answers | None = None,
) -> list[str]:
    out = [
        f"Catalog {catalog.version} (as of {catalog.as_of.isoformat()}).",
        "Scores: quality from the task's published benchmarks and model size, data fit, time, "
        "training cost, monthly serving cost and maturity; formulas in ftwizard.recommend.scoring.",
    ]
    if answers is not None:
        out.append(quality_rule_text(answers))
    out += [
        f"Fit rule: a plan fits when each card keeps at least {scoring.HEADROOM_SHARE:.0%} of its usable memory or "
        f"{scoring.HEADROOM_MIN_GB:g} GB, whichever is more, free after the estimated peak. Plans below that "
        "margin, plans whose time or cost is unknown (budget not checked), plans on an untraced price, "
        "plans whose serving cost is unknown or over the monthly budget and plans of a model whose catalog successor "
        "meets the constraints, fits and scores at least as well for the task are in the warning tier: listed after "
        "every plan that fits, never first when one fits. The top 3 hold one row per model.",
        "Monthly serving cost, where serving may happen: on your own cards when they hold the tuned model "
        f"(16-bit, else 4-bit; board power x {K.POWER_FRACTION_OF_TDP} x your tariff x 730 h, plus the cards' price "
        f"over {AMORTISATION_MONTHS} months where the catalog records one); otherwise, unless the site is "
        "air-gapped, the cheapest allowed on-demand cloud offer (traced prices first) holding it plus its KV cache, "
        "730 hours a month, in 4-bit when 16-bit is over the budget. Over the monthly serving budget: excluded, "
        "or shown flagged when nothing fits it.",
        "Local runs are charged for the cards' electricity only.",
        f"Cloud training cost: billed hours x GPUs x price, billed hours = training + {STARTUP_HOURS * 60:.0f} min "
        f"start-up + the 16-bit weights' download at {DOWNLOAD_MB_PER_S:g} MB/s, at least the offer's minimum "
        "billing (24 h for a capacity block).",
    ]
    if skipped:
        out.append(
            f"{skipped} models that meet the constraints could not reach the top {top} even at zero "
            "time and cost, so they were not estimated (plan without a limit to see them)."
        )
    calibrated = [r for r in recs if r.calibration]
    if calibrated:
        ranks = ", ".join(f"#{r.rank}" for r in calibrated)
        out.append(
            f"Calibrated figures: the peak memory, time and cost of plan{'s' if len(calibrated) > 1 else ''} "
            f"{ranks} are corrected from runs recorded on their GPU (each plan says from how many); "
            "the others are the estimator's physics alone. Formula: ftwizard.estimate.calibration."
        )
    seen = set(out)
    for c in shown:
        lines = list(c.est.assumptions) if c.est is not None else []
        cost = c.cost
        if cost is not None:
            date = f"as of {cost.as_of}" if cost.as_of else "date unknown"
            lines.append(
                f"{cost.provider} {cost.gpu}: ${cost.usd_per_gpu_hour:g} per GPU-hour ({cost.pricing}, {date}"
                f"{'' if cost.verified else (', undated, so unverified' if price_traced(cost) else ', not traced to a price list')}"
                f"); source: {cost.source}."
            )
        for line in lines:
            if line not in seen:
                seen.add(line)
                out.append(line)
    return out
