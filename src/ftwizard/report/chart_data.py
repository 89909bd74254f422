"""The numbers behind the three plan charts, as plain data (no Qt), so they can be tested
without a display and the GUI and the PDF draw the same series.

Every value comes straight from the Plan (estimator and ranker output); nothing is
re-estimated here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ftwizard.base.units import mem as mem_text
from ftwizard.base.units import number

# Where the plan gives no per-component split, the whole peak is one bar segment.
TOTAL_COMPONENT = "peak (no split available)"
# Components under this share of the tallest bar are drawn as one "other" segment: a legend
# entry for a sliver nobody can see helps no one.
SMALL_SHARE = 0.03
OTHER_COMPONENT = "other (small parts)"


@dataclass(frozen=True)
class VramBar:
    """One candidate's peak memory per GPU, split into the estimator's components."""

    label: str
    components_gb: dict[str, float]
    peak_vram_gb: float
    gpu_memory_gb: float | None
    gpu_label: str
    chosen: bool = False
    recommended: bool = False


@dataclass(frozen=True)
class QualityCostPoint:
    label: str
    train_cost_usd: float
    quality: float
    rank: int
    chosen: bool
    name: str = ""  # 'Qwen3 4B QLoRA': what a point's label says
    recommended: bool = False


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
    return number(x)


def recommended_rank(plan: Any) -> int | None:
    """The ranker's recommendation is its first plan; a row picked in the window is 'selected'."""
    return min((r.rank for r in plan.recommendations), default=None)


def point_name(rec: Any) -> str:
    """'Qwen2.5 7B QLoRA': model and technique, for a point's label."""
    return f"{rec.model_name} {technique_label(rec.technique)}"


def short_label(rec: Any) -> str:
    """'1. Qwen2.5 7B' over 'QLoRA': rank, model and technique, two lines for axis ticks."""
    return f"{rec.rank}. {rec.model_name}\n{technique_label(rec.technique)}"


def technique_label(technique: str) -> str:
    return {"full": "full", "lora": "LoRA", "qlora": "QLoRA", "dpo": "DPO"}.get(technique, technique)


def gpu_label(hw: Any) -> str:
    """'2 x H100 SXM' over 'Lambda, 80 GB': two lines for axis ticks."""
    mem = f", {mem_text(hw.gpu_memory_gb)}" if getattr(hw, "gpu_memory_gb", None) else ""
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
    chosen = plan.chosen
    best = recommended_rank(plan)
    recs = top_recommendations(plan, top)
    split = [_components(rec, breakdowns) for rec in recs]
    tallest = max((sum(c.values()) for c in split), default=0.0)
    small = {k for k in {k for c in split for k in c}
             if k != TOTAL_COMPONENT and max(c.get(k, 0.0) for c in split) < SMALL_SHARE * tallest}
    order: list[str] = []
    for rec, comps in zip(recs, split, strict=True):
        if len(small) > 1:  # one small part keeps its own name: merging it would say less
            merged = {k: v for k, v in comps.items() if k not in small}
            rest = sum(v for k, v in comps.items() if k in small)
            comps = {**merged, **({OTHER_COMPONENT: rest} if rest > 0 else {})}
        for k in comps:
            if k not in order:
                order.append(k)
        room = rec.peak_vram_gb + rec.margin_gb if rec.margin_gb is not None else rec.hardware.gpu_memory_gb
        bars.append(
            VramBar(
                label=short_label(rec),
                components_gb=comps,
                peak_vram_gb=float(rec.peak_vram_gb),
                gpu_memory_gb=room,
                gpu_label=gpu_label(rec.hardware),
                chosen=rec is chosen,
                recommended=rec.rank == best,
            )
        )
    if OTHER_COMPONENT in order:  # the catch-all goes on top, last in the legend
        order.remove(OTHER_COMPONENT)
        order.append(OTHER_COMPONENT)
    if TOTAL_COMPONENT in order:
        order.remove(TOTAL_COMPONENT)
        order.append(TOTAL_COMPONENT)
    return VramSeries(bars=bars, components=order)


def _components(rec: Any, breakdowns: Mapping[int, Mapping[str, float]] | None) -> dict[str, float]:
    parts = getattr(rec, "breakdown_gb", None) or (breakdowns or {}).get(rec.rank)
    comps = {k: float(v) for k, v in parts.items() if v > 0} if parts else {}
    return comps or {TOTAL_COMPONENT: float(rec.peak_vram_gb)}


def quality_cost_points(plan: Any, top: int | None = None) -> list[QualityCostPoint]:
    """Each recommendation with a training cost (the first `top` and the chosen one, or
    all): (cost, expected quality score)."""
    chosen = plan.chosen
    best = recommended_rank(plan)
    recs = plan.recommendations if top is None else top_recommendations(plan, top)
    return [
        QualityCostPoint(
            label=short_label(r),
            train_cost_usd=float(r.train_cost_usd),
            quality=float(r.score_parts.quality),
            rank=r.rank,
            chosen=r is chosen,
            name=point_name(r),
            recommended=r.rank == best,
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


def front_labels(front: Sequence[QualityCostPoint]) -> list[tuple[QualityCostPoint, str]]:
    """One label per position on the front: plans at the same cost and quality share it
    ('Phi-4 LoRA / QLoRA'), in rank order; the recommendation is said to be one."""
    groups: dict[tuple[float, float], list[QualityCostPoint]] = {}
    for p in front:
        groups.setdefault((p.train_cost_usd, p.quality), []).append(p)
    out = []
    for members in groups.values():
        members = sorted(members, key=lambda p: p.rank)
        names = [members[0].name or members[0].label.replace("\n", " ")]
        model = names[0].rsplit(" ", 1)[0]
        for m in members[1:]:
            n = m.name or m.label.replace("\n", " ")
            names.append(n.rsplit(" ", 1)[-1] if n.rsplit(" ", 1)[0] == model else n)
        text = " / ".join(names)
        if any(m.recommended for m in members):
            text = "recommended: " + text
        out.append((members[0], text))
    return out


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, o: Box) -> bool:
        return self.x < o.x + o.w and o.x < self.x + self.w and self.y < o.y + o.h and o.y < self.y + self.h


GAP_PX = 7.0  # between a point and its label
MARK_PX = 6.0  # half the size of a point's marker


def _candidates(x: float, y: float, w: float, h: float) -> list[Box]:
    """Boxes a label may take around (x, y), in the order tried: right, left, above, below."""
    g = GAP_PX
    return [Box(x + g, y - h, w, h), Box(x + g, y, w, h), Box(x - g - w, y - h, w, h), Box(x - g - w, y, w, h),
            Box(x - w / 2, y - h - g, w, h), Box(x - w / 2, y + g, w, h),
            Box(x + g, y - 2 * h, w, h), Box(x - g - w, y + h, w, h)]


def _crosses(box: Box, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Does the segment a-b pass through the box? (Sampled every 2 px: exact enough for text.)"""
    steps = max(1, int(max(abs(b[0] - a[0]), abs(b[1] - a[1])) / 2))
    for i in range(steps + 1):
        x = a[0] + (b[0] - a[0]) * i / steps
        y = a[1] + (b[1] - a[1]) * i / steps
        if box.x < x < box.x + box.w and box.y < y < box.y + box.h:
            return True
    return False


def place_labels(
    spots: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]], area: tuple[float, float],
    marks: Sequence[tuple[float, float]] = (), line: Sequence[tuple[float, float]] = (),
) -> list[tuple[float, float] | None]:
    """Greedy label placement in pixels (x right, y down): for each point the first box around
    it that stays inside `area` and overlaps no label placed before, no marker in `marks`, and,
    where it can, does not cross the polyline `line` (the Pareto front). Returns TextItem
    anchors ((x - left) / w, (y - top) / h), or None where every place collides (that label is
    left off rather than drawn over another)."""
    placed: list[Box] = []
    dots = [Box(mx - MARK_PX, my - MARK_PX, 2 * MARK_PX, 2 * MARK_PX) for mx, my in marks]
    segments = list(zip(line, line[1:], strict=False))
    out: list[tuple[float, float] | None] = []
    width, height = area
    for (x, y), (w, h) in zip(spots, sizes, strict=True):
        free = []
        for box in _candidates(x, y, w, h):
            if box.x < 0 or box.y < 0 or box.x + box.w > width or box.y + box.h > height:
                continue
            if any(box.overlaps(b) for b in placed) or any(box.overlaps(d) for d in dots):
                continue
            free.append(box)
        # A place clear of the line first; crossing the line beats leaving the name off.
        clear = [b for b in free if not any(_crosses(b, p, q) for p, q in segments)]
        chosen = None
        for box in (clear or free)[:1]:
            chosen = ((x - box.x) / w, (y - box.y) / h)
            placed.append(box)
            break
        out.append(chosen)
    return out


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
