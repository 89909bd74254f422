"""The plan PDF's sizing sections: "Memory, time and cost" (the chosen plan's memory split,
time, prices of every ranked plan, the assumptions) and "Hardware" (what was detected)."""

from __future__ import annotations

from collections.abc import Mapping

from ftwizard.base.units import MEMORY_NOTE, Money, gpu_memory_text, mem, mem_gib, mem_value
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.plan import Plan
from ftwizard.report.chart_data import TOTAL_COMPONENT
from ftwizard.report.document import Html
from ftwizard.report.plan_text import (
    DASH,
    USD,
    Sources,
    fmt_gb,
    fmt_hours,
    gpu_entry,
    room_text,
    yes_no,
)


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
    gpu = gpu_entry(catalog, hw.gpu_id)
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
