"""The score parts of one recommendation, each in [0, 1], and the formulas behind them.

Every part is a documented formula over catalog or estimator figures; nothing is looked up
from a hidden table. The weights that combine them live in the plan (`ScoreWeights`).

Quality (expected quality for the task and languages)
    Benchmarks are grouped; a task kind counts the groups below (weights in brackets):
        general      MMLU                                        knowledge and understanding
        code         HumanEval, then EvalPlus, then MBPP         program synthesis
        math         GSM8K, then MATH, then MATH-500             multi-step reasoning
                     (MATH-500: the 500-problem subset of MATH, Lightman et al. 2023, same scale)
        multilingual MMMLU, Multilingual MMLU, Global-MMLU-Lite, then MGSM
    chat, instruction, classification, extraction, summarization, qa: general (1.0)
    code: code (0.7), general (0.3);  reasoning: math (0.7), general (0.3)
    translation: multilingual (0.7), general (0.3)
    Any requested language other than English adds multilingual (0.5) if not counted yet.
    Within a group the first benchmark name the model has counts (a base-model figure before
    an instruct one); only the exact names above count, because different benchmarks
    (MMLU vs MMLU-Pro) are not on one scale. bench = sum(w * score/100) / sum(w) over the
    groups with a figure; coverage = that weight share of all counted groups.
    size = (log10(P) - log10(0.1)) / (log10(400) - log10(0.1)), clamped to [0, 1], where P is
    the parameter count in billions (a larger base gives a higher ceiling after tuning);
    for a mixture of experts P = sqrt(total * active), a common rule of thumb for its
    dense equivalent.
    quality = 0.7 * (coverage * bench + (1 - coverage) * size) + 0.3 * size, plus 0.05 when
    the catalog lists the task kind among the model's strengths, plus 0.08 when the model is
    a specialist for the task (its catalog `capabilities` list what the task needs: code_fim
    (fill-in-the-middle training) for code, since the catalog lists plain "code" for most
    current generalists; math or reasoning for reasoning, multilingual for translation and for
    non-English languages, long_context when the examples' p95 exceeds 8k tokens), capped at 1.
    The specialist bonus (0.08) is about what 3x more parameters add to the size term, so a
    specialist beats a generalist of similar size for its task, not one many times larger.
    A group without a figure of the model's own takes the median figure of that group among
    catalog models of similar size (effective parameters within a factor of 2, at least 3 of
    them; the reasons say so), else falls back on size, and the reasons say so: a missing
    figure is not rewarded above what models of its size publish, and nothing is invented.
    Benchmarks whose catalog `task_kinds` name the task are the task's own evidence: for the
    tasks scored on general knowledge alone (chat, instruction, classification, extraction,
    summarization, qa) their mean counts as a "task" group (0.7) beside general (0.3); for the
    other tasks their mean stands in for the task's main group (code, math, multilingual) when
    the model has none of that group's named benchmarks. MMLU alone is shown as
    general-knowledge evidence, not as a benchmark for the task.

Memory headroom (the fit rule): a plan fits when the memory left on each card after its
estimated peak is at least max(10% of the usable memory, 1.5 GB) (estimator error is
proportional; allocator fragmentation and the CUDA context are not). A plan that fits only
below that margin is in the warning tier: listed after every plan that fits, never the top
pick, and says so. So is a plan whose time or cost is unknown (budget not checked), whose
price could not be traced to a price list, whose serving cost is unknown or over budget, or
whose model is superseded (catalog `superseded_by`) by a successor that meets the constraints,
fits with headroom and has at least its quality score for the task (a successor the catalog has
no evidence for yet does not push back a model with published figures).

Data fit (technique against the data; heuristics from the LoRA and QLoRA papers' findings
that adapters match full tuning on instruction data of thousands of examples)
    dpo (only offered with preference pairs): 1.0; other techniques with pairs: 0.7.
    examples < 2,000:          lora 1.0, qlora 1.0, full 0.3 (full tuning overfits small data)
    2,000 <= examples < 20,000: lora 1.0, qlora 0.95, full 0.6
    20,000 examples or 50 M training tokens and more: full 1.0, lora 0.8, qlora 0.75

Time: 1 / (1 + train_hours / 8): a working day (8 h) scores 0.5. Unknown time: 0.

Cost: 1 - train_cost_usd / budget (0 with no budget unless the cost is 0). Unknown: 0.

Inference cost: with a monthly serving budget B (a hard constraint, so this only orders plans
within it): 1 - 0.5 * (cost - cheapest) / (B - cheapest), in [0.5, 1] (1 for the cheapest);
over B (shown only when nothing fits, flagged): cheapest / cost x B / cost. Without a budget:
cheapest monthly serving cost among the candidates / this one's. Unknown: 0.

Maturity (community and tooling): 0.5 * age + 0.3 * dense + 0.2 * confidence, where age =
min(1, months from release to the catalog date / 12) (tooling, quantised builds and
recipes accumulate over the first year; unknown date: 0.5), dense = 1 for dense models,
0.5 for mixtures of experts (their fine-tuning support in PEFT/bitsandbytes is younger),
confidence = 1 / 0.6 / 0.2 for the catalog's confirmed / partial / unconfirmed entries.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from ftwizard.catalog.entries import Benchmark, ModelEntry

# Group -> benchmark names in order of preference (normalised: lower case, no spaces/dashes).
BENCHMARK_GROUPS: dict[str, tuple[str, ...]] = {
    "general": ("MMLU",),
    "code": ("HumanEval", "EvalPlus", "MBPP"),
    "math": ("GSM8K", "MATH", "MATH-500"),
    "multilingual": ("MMMLU", "Multilingual MMLU", "Global-MMLU-Lite", "MGSM"),
}

GROUP_LABEL = {
    "task": "task-specific",
    "general": "general knowledge",
    "code": "coding",
    "math": "math reasoning",
    "multilingual": "multilingual",
}

TASK_GROUPS: dict[str, dict[str, float]] = {
    "chat": {"general": 1.0},
    "instruction": {"general": 1.0},
    "classification": {"general": 1.0},
    "extraction": {"general": 1.0},
    "summarization": {"general": 1.0},
    "qa": {"general": 1.0},
    "code": {"code": 0.7, "general": 0.3},
    "reasoning": {"math": 0.7, "general": 0.3},
    "translation": {"multilingual": 0.7, "general": 0.3},
}
MULTILINGUAL_EXTRA = 0.5
BENCH_SHARE = 0.7
STRENGTH_BONUS = 0.05
SPECIALIST_BONUS = 0.08
TASK_GROUP_WEIGHT, TASK_GENERAL_WEIGHT = 0.7, 0.3
LONG_CONTEXT_TOKENS = 8192
# Task kind -> capabilities that make a model a specialist for it.
TASK_CAPABILITIES: dict[str, tuple[str, ...]] = {
    # The catalog lists "code" for most current generalists (trained on code too); fill-in-the-
    # middle training is what sets a code model apart for completion work.
    "code": ("code_fim",),
    "reasoning": ("math", "reasoning"),
    "translation": ("multilingual",),
}
HEADROOM_SHARE = 0.10
HEADROOM_MIN_GB = 1.5


def headroom_gb(room_gb: float) -> float:
    """Memory a plan must leave on each card to count as fitting."""
    return max(HEADROOM_SHARE * room_gb, HEADROOM_MIN_GB)


def fits_with_headroom(peak_gb: float, room_gb: float) -> bool:
    return room_gb - peak_gb >= headroom_gb(room_gb)
SIZE_MIN_B, SIZE_MAX_B = 0.1, 400.0

FEW_EXAMPLES = 2_000
MANY_EXAMPLES = 20_000
MANY_TOKENS = 50_000_000
DATA_FIT: dict[str, dict[str, float]] = {
    "few": {"lora": 1.0, "qlora": 1.0, "full": 0.3},
    "medium": {"lora": 1.0, "qlora": 0.95, "full": 0.6},
    "large": {"full": 1.0, "lora": 0.8, "qlora": 0.75},
}
DPO_FIT, SFT_WITH_PAIRS_FIT = 1.0, 0.7
DAY_HOURS = 8.0
CONFIDENCE = {"confirmed": 1.0, "partial": 0.6, "unconfirmed": 0.2}


def _norm(name: str) -> str:
    return name.lower().replace(" ", "").replace("-", "").replace("_", "")


_GROUP_KEYS = {g: tuple(_norm(n) for n in names) for g, names in BENCHMARK_GROUPS.items()}


@dataclass
class Quality:
    score: float
    reasons: list[str] = field(default_factory=list)
    benchmarks_used: list[str] = field(default_factory=list)


def effective_params_b(model: ModelEntry) -> float:
    if model.active_params_b and model.architecture.moe_experts:
        return math.sqrt(model.params_b * model.active_params_b)
    return model.params_b


def size_score(params_b: float) -> float:
    lo, hi = math.log10(SIZE_MIN_B), math.log10(SIZE_MAX_B)
    return min(1.0, max(0.0, (math.log10(params_b) - lo) / (hi - lo)))


def task_groups(task_kind: str, languages: list[str]) -> dict[str, float]:
    groups = dict(TASK_GROUPS[task_kind])
    if any(lang != "en" for lang in languages) and "multilingual" not in groups:
        groups["multilingual"] = MULTILINGUAL_EXTRA
    return groups


def pick_benchmark(model: ModelEntry, group: str) -> Benchmark | None:
    """First preferred name the model has; a base-model figure before an instruct one."""
    by_key: dict[str, list[Benchmark]] = {}
    for b in model.benchmarks:
        by_key.setdefault(_norm(b.name), []).append(b)
    for key in _GROUP_KEYS[group]:
        found = by_key.get(key)
        if found:
            return min(found, key=lambda b: b.variant != "base")
    return None


def task_benchmarks(model: ModelEntry, task_kind: str) -> list[Benchmark]:
    """The model's benchmarks the catalog marks as evidence for this task kind."""
    return [b for b in model.benchmarks if task_kind in (getattr(b, "task_kinds", None) or ())]


def specialist_for(model: ModelEntry, task_kind: str, languages: list[str], p95_tokens: int | None = None) -> list[str]:
    """The capabilities this model lists that the task needs (empty: a generalist here)."""
    caps = set(getattr(model, "capabilities", None) or ())
    need = set(TASK_CAPABILITIES.get(task_kind, ()))
    if any(lang != "en" for lang in languages):
        need.add("multilingual")
    if p95_tokens and p95_tokens > LONG_CONTEXT_TOKENS:
        need.add("long_context")
    return sorted(caps & need)


PEER_SIZE_RATIO = 2.0  # "similar size": effective parameters within a factor of 2
PEER_MIN = 3  # at least this many peers with a figure, else size stands in

_PEERS: dict[tuple[int, str], tuple[object, list[tuple[float, float]]]] = {}


def _group_figures(peers: tuple[ModelEntry, ...], group: str) -> list[tuple[float, float]]:
    key = (id(peers), group)
    hit = _PEERS.get(key)
    if hit is not None and hit[0] is peers:
        return hit[1]
    rows = []
    for m in peers:
        b = pick_benchmark(m, group)
        if b is not None:
            rows.append((effective_params_b(m), b.score / 100.0))
    if len(_PEERS) > 256:
        _PEERS.clear()
    _PEERS[key] = (peers, rows)
    return rows


def peer_median(model: ModelEntry, group: str, peers: tuple[ModelEntry, ...]) -> tuple[float, int] | None:
    """Median figure of the group among catalog models of similar size, and how many there are."""
    p = effective_params_b(model)
    near = sorted(
        score for size, score in _group_figures(peers, group)
        if p / PEER_SIZE_RATIO <= size <= p * PEER_SIZE_RATIO
    )
    if len(near) < PEER_MIN:
        return None
    mid = len(near) // 2
    median = near[mid] if len(near) % 2 else (near[mid - 1] + near[mid]) / 2
    return median, len(near)


def quality(
    model: ModelEntry,
    task_kind: str,
    languages: list[str],
    p95_tokens: int | None = None,
    peers: tuple[ModelEntry, ...] | None = None,
) -> Quality:
    groups = task_groups(task_kind, languages)
    own = task_benchmarks(model, task_kind)
    general_only = set(TASK_GROUPS[task_kind]) == {"general"}
    if own and general_only:
        groups = {"task": TASK_GROUP_WEIGHT, **{g: w for g, w in groups.items() if g != "general"},
                  "general": TASK_GENERAL_WEIGHT}
    primary = next(iter(TASK_GROUPS[task_kind]))
    kind_label = f"marked for {task_kind}"
    size = size_score(effective_params_b(model))
    total_w = sum(groups.values())
    have_w, bench_sum = 0.0, 0.0
    used, general, missing, standins = [], [], [], []
    for group, w in groups.items():
        if group == "task":
            have_w += w
            bench_sum += w * sum(b.score for b in own) / len(own) / 100.0
            used += [f"{_bench_text(b)} ({kind_label})" for b in own]
            continue
        b = pick_benchmark(model, group)
        if b is None and own and group == primary:
            # No figure on the group's usual scale, but benchmarks marked for this task: their mean.
            have_w += w
            bench_sum += w * sum(x.score for x in own) / len(own) / 100.0
            used += [f"{_bench_text(x)} ({kind_label})" for x in own]
            continue
        if b is None:
            near = peer_median(model, group, peers) if peers else None
            if near is not None:
                have_w += w
                bench_sum += w * near[0]
                standins.append(f"{GROUP_LABEL[group]} {near[0] * 100:.0f} (median of {near[1]})")
            else:
                missing.append(GROUP_LABEL[group])
            continue
        have_w += w
        bench_sum += w * b.score / 100.0
        if group == "general" and general_only:
            general.append(_bench_text(b))
        else:
            used.append(f"{_bench_text(b)} ({GROUP_LABEL[group]})")
    coverage = have_w / total_w
    bench = bench_sum / have_w if have_w else 0.0
    score = BENCH_SHARE * (coverage * bench + (1 - coverage) * size) + (1 - BENCH_SHARE) * size
    reasons = []
    if used:
        reasons.append(f"Published benchmarks counted for this {task_kind} work: {', '.join(used)}.")
    if general:
        tail = "" if own else f"; the catalog has no benchmark specific to {task_kind} for it"
        reasons.append(f"General-knowledge benchmark (not specific to {task_kind}): {', '.join(general)}{tail}.")
    if standins:
        reasons.append(
            f"The catalog has no published figure of its own for {model.name} here; the median of catalog "
            f"models of similar size stands in: {', '.join(standins)}."
        )
    if missing:
        reasons.append(
            f"The catalog has no published {' or '.join(missing)} benchmark for {model.name}; "
            "its size stands in for that part of the quality score."
        )
    if task_kind in model.task_strengths:
        score += STRENGTH_BONUS
        reasons.append(f"The vendor lists {task_kind} among its strengths.")
    special = specialist_for(model, task_kind, languages, p95_tokens)
    if special:
        score += SPECIALIST_BONUS
        said = ", ".join(CAPABILITY_WORDS.get(c, c.replace("_", " ")) for c in special)
        reasons.append(f"A specialist for this task: trained and evaluated for {said}.")
    return Quality(score=min(1.0, max(0.0, score)), reasons=reasons, benchmarks_used=used + general)


# The catalog's capability ids as a reason reads them.
CAPABILITY_WORDS = {"code_fim": "code completion (fill-in-the-middle)", "long_context": "long contexts",
                    "tool_use": "tool use"}


def _bench_text(b: Benchmark) -> str:
    return f"{b.name} {b.score:g}" + (" (instruct)" if b.variant == "instruct" else "")


def data_size_band(examples: int, avg_tokens: int) -> str:
    if examples >= MANY_EXAMPLES or examples * avg_tokens >= MANY_TOKENS:
        return "large"
    return "few" if examples < FEW_EXAMPLES else "medium"


def data_fit(technique: str, method: str, examples: int, avg_tokens: int, preference_pairs: bool) -> float:
    if technique == "dpo":
        return DPO_FIT
    fit = DATA_FIT[data_size_band(examples, avg_tokens)][method]
    return min(fit, SFT_WITH_PAIRS_FIT) if preference_pairs else fit


def time_score(train_hours: float | None) -> float:
    return 0.0 if train_hours is None else 1.0 / (1.0 + train_hours / DAY_HOURS)


def cost_score(train_cost_usd: float | None, budget_usd: float) -> float:
    if train_cost_usd is None:
        return 0.0
    if budget_usd <= 0:
        return 1.0 if train_cost_usd <= 0 else 0.0
    return min(1.0, max(0.0, 1.0 - train_cost_usd / budget_usd))


def inference_cost_score(
    monthly_usd: float | None, monthly_budget_usd: float | None, cheapest_usd: float | None
) -> float:
    if monthly_usd is None:
        return 0.0
    if monthly_usd <= 0:
        return 1.0
    part = 1.0 if cheapest_usd is None else min(1.0, cheapest_usd / monthly_usd)
    if monthly_budget_usd is not None and monthly_usd > monthly_budget_usd:
        return part * monthly_budget_usd / monthly_usd
    if monthly_budget_usd is not None and cheapest_usd is not None and monthly_budget_usd > cheapest_usd:
        return max(0.5, 1.0 - 0.5 * max(0.0, monthly_usd - cheapest_usd) / (monthly_budget_usd - cheapest_usd))
    return part


def maturity(model: ModelEntry, as_of: dt.date) -> float:
    if model.release_date is None:
        age = 0.5
    else:
        months = (as_of - model.release_date).days / 30.44
        age = min(1.0, max(0.0, months / 12.0))
    dense = 0.5 if model.architecture.moe_experts else 1.0
    return 0.5 * age + 0.3 * dense + 0.2 * CONFIDENCE[model.confidence]
