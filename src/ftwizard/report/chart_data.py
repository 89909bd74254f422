"""The numbers behind the three plan charts, as plain data (no Qt), so they can be tested
without a display and the GUI and the PDF draw the same series.

Every value comes straight from the Plan (estimator and ranker output); nothing is
re-estimated here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Where the plan gives no per-component split, the whole peak is one bar segment.
TOTAL_COMPONENT = "peak (no breakdown)"


@dataclass(frozen=True)
class VramBar:
    """One candidate's peak memory per GPU, split into the estimator's components."""

    label: str
    components_gb: dict[str, float]
    peak_vram_gb: float
    gpu_memory_gb: float | None
    gpu_label: str
    chosen: bool = False


@dataclass(frozen=True)
class QualityCostPoint:
    label: str
    train_cost_usd: float
    quality: float
    rank: int
    chosen: bool


@dataclass(frozen=True)
class GpuOption:
    """Training time and cost of one way to run the (chosen) job."""

    label: str
    train_hours: float
    train_cost_usd: float
    chosen: bool = False


@dataclass(frozen=True)
class VramSeries:
    bars: list[VramBar]
    components: list[str] = field(default_factory=list)


def gb_text(x: float) -> str:
    """'24', '51.5': one decimal at most, as every GB figure in the report."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def short_label(rec: Any) -> str:
    """'1. Qwen2.5 7B' over 'QLoRA': rank, model and technique, two lines for axis ticks."""
    return f"{rec.rank}. {rec.model_name}\n{technique_label(rec.technique)}"


def technique_label(technique: str) -> str:
    return {"full": "full", "lora": "LoRA", "qlora": "QLoRA", "dpo": "DPO"}.get(technique, technique)


def gpu_label(hw: Any) -> str:
    """'2 x H100 SXM' over 'Lambda, 80 GB': two lines for axis ticks."""
    mem = f", {gb_text(hw.gpu_memory_gb)} GB" if getattr(hw, "gpu_memory_gb", None) else ""
    where = "local" if hw.where == "local" else hw.provider
    count = f"{hw.count} x " if hw.count > 1 else ""
    return f"{count}{hw.gpu_name}\n{where}{mem}"


def top_recommendations(plan: Any, top: int) -> list[Any]:
    """The first `top` recommendations by rank, keeping the chosen one if it is lower."""
    recs = sorted(plan.recommendations, key=lambda r: r.rank)
    head = recs[:top]
    chosen = plan.chosen
    if chosen is not None and chosen not in head and top > 0:
        head = head[: top - 1] + [chosen]
    return head


def vram_series(
    plan: Any, top: int = 5, breakdowns: Mapping[int, Mapping[str, float]] | None = None
) -> VramSeries:
    """Stacked-bar data: per candidate the components of peak VRAM per GPU.

    `breakdowns` maps a recommendation's rank to the estimator's breakdown_gb; a
    recommendation that carries its own `breakdown_gb` uses it. Without either the bar is
    the peak alone, labelled as such, never an invented split.
    """
    bars: list[VramBar] = []
    order: list[str] = []
    chosen = plan.chosen
    for rec in top_recommendations(plan, top):
        parts = getattr(rec, "breakdown_gb", None) or (breakdowns or {}).get(rec.rank)
        comps = {k: float(v) for k, v in parts.items() if v > 0} if parts else {}
        if not comps:
            comps = {TOTAL_COMPONENT: float(rec.peak_vram_gb)}
        for k in comps:
            if k not in order:
                order.append(k)
        bars.append(
            VramBar(
                label=short_label(rec),
                components_gb=comps,
                peak_vram_gb=float(rec.peak_vram_gb),
                gpu_memory_gb=rec.hardware.gpu_memory_gb,
                gpu_label=gpu_label(rec.hardware),
                chosen=rec is chosen,
            )
        )
    return VramSeries(bars=bars, components=order)


def quality_cost_points(plan: Any, top: int | None = None) -> list[QualityCostPoint]:
    """Each recommendation with a training cost (the first `top` and the chosen one, or
    all): (cost, expected quality score)."""
    chosen = plan.chosen
    recs = plan.recommendations if top is None else top_recommendations(plan, top)
    return [
        QualityCostPoint(
            label=short_label(r),
            train_cost_usd=float(r.train_cost_usd),
            quality=float(r.score_parts.quality),
            rank=r.rank,
            chosen=r is chosen,
        )
        for r in sorted(recs, key=lambda r: r.rank)
        if r.train_cost_usd is not None
    ]


def pareto_front(points: Sequence[QualityCostPoint]) -> list[QualityCostPoint]:
    """Points no other point beats on both axes (cheaper or equal AND better or equal,
    strictly better on one), sorted by cost: the candidates worth arguing about."""
    front = []
    for p in points:
        dominated = any(
            q.train_cost_usd <= p.train_cost_usd
            and q.quality >= p.quality
            and (q.train_cost_usd < p.train_cost_usd or q.quality > p.quality)
            for q in points
        )
        if not dominated:
            front.append(p)
    return sorted(front, key=lambda p: (p.train_cost_usd, -p.quality))


def rank_tags(points: Sequence[QualityCostPoint]) -> dict[tuple[float, float], str]:
    """One tag per position: plans with the same cost and quality share '1, 2'."""
    tags: dict[tuple[float, float], list[int]] = {}
    for p in points:
        tags.setdefault((p.train_cost_usd, p.quality), []).append(p.rank)
    return {pos: ", ".join(str(r) for r in sorted(ranks)) for pos, ranks in tags.items()}


def gpu_options(plan: Any, options: Iterable[GpuOption] | None = None, top: int = 8) -> list[GpuOption]:
    """Time and cost per GPU option. Given `options` (the chosen job priced on several
    GPUs) they are used; otherwise each recommendation's own hardware is one option."""
    if options is not None:
        return sorted(options, key=lambda o: o.train_cost_usd)[:top]
    chosen = plan.chosen
    out = [
        GpuOption(
            label=f"{r.rank}. {gpu_label(r.hardware)}",
            train_hours=float(r.train_hours),
            train_cost_usd=float(r.train_cost_usd),
            chosen=r is chosen,
        )
        for r in top_recommendations(plan, top)
        if r.train_hours is not None and r.train_cost_usd is not None
    ]
    return out
