"""What every section of the plan PDF shares: the section titles in order, number formats,
hardware phrases, catalog look-ups and the numbered sources.

Every figure is the Plan's own (ranker and estimator output) or a catalog entry's, shown
with its source; nothing is re-estimated except the VRAM split and the rental prices of the
chosen job (see `pdf.py`). Text from users and the catalog goes through `document.esc`.
Memory reads in the vendors' nameplate GB and money in one display currency
(`base.units`); both conventions are stated once, under the assumptions. The sections
themselves are in plan_summary, plan_business, plan_estimates, plan_compliance and plan_appendix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ftwizard.base.errors import CatalogError
from ftwizard.base.units import Money, mem, mem_value
from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.plan import Plan, Recommendation

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
    m = model_entry(catalog, model_id) if catalog is not None else None
    return m.name if m else model_id


def model_entry(catalog: Catalog, model_id: str) -> ModelEntry | None:
    try:
        return catalog.model(model_id)
    except CatalogError:
        return None


def ties(plan: Plan, rec: Recommendation) -> list[Recommendation]:
    """Other plans whose total is within TIE_MARGIN of `rec`'s."""
    return [r for r in plan.recommendations if r is not rec and abs(r.score - rec.score) < TIE_MARGIN]


def gpu_entry(catalog: Catalog, gpu_id: str):
    try:
        return catalog.gpu(gpu_id)
    except CatalogError:
        return None
