"""A candidate plan (`Candidate`: a model, technique and placement with its figures) and why
one is out (`Failure`: the constraint and the reason shown to the user).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ftwizard.catalog.entries import ModelEntry
from ftwizard.estimate.cost import usable_memory_gb
from ftwizard.estimate.request import CostOption, Estimate
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.hardware_options import GpuOption
from ftwizard.recommend.plan import Hyperparameters

if TYPE_CHECKING:
    from ftwizard.estimate.calibration import Correction


@dataclass
class Candidate:
    model: ModelEntry
    technique: str
    method: str
    objective: str
    option: GpuOption
    count: int
    strategy: str  # single, or fsdp over several GPUs
    hp: Hyperparameters
    peak_gb: float  # per GPU, for this placement
    est: Estimate | None  # the estimate behind the figures (None: from the cloud sweep)
    cost: CostOption | None  # the offer's cost line (local lines come with the full estimate)
    hours: float | None
    tokens_per_s: float | None
    cost_usd: float | None = None
    parts: dict[str, float] = field(default_factory=dict)
    total: float = 0.0
    too_big_for_one: bool = False  # sharded because one card cannot hold it (else: a group offer)
    quality_reasons: list[str] = field(default_factory=list)
    correction: Correction | None = None  # from runs recorded on this GPU; None: physics alone
    flags: list[str] = field(default_factory=list)  # why the plan is in the warning tier (see tier_flags)
    sft: Candidate | None = None  # DPO from a base checkpoint: the SFT step it starts with

    @property
    def peak_vram_gb(self) -> float:
        return self.peak_gb

    @property
    def room_gb(self) -> float | None:
        """Memory the plan may use per GPU: free memory of a shared card, else usable memory."""
        if self.option.free_gb is not None:
            return self.option.free_gb
        return usable_memory_gb(self.option.gpu)

    @property
    def train_cost_usd(self) -> float | None:
        """The whole plan's cost: a DPO plan from a base checkpoint includes its SFT step."""
        own = self.cost.usd if self.cost is not None else self.cost_usd
        if self.sft is None or own is None:
            return own
        step = self.sft.train_cost_usd
        return None if step is None else round(own + step, 2)

    @property
    def total_hours(self) -> float | None:
        """Training time of the whole plan (SFT step included where there is one)."""
        if self.sft is None or self.hours is None:
            return self.hours
        return None if self.sft.hours is None else self.hours + self.sft.hours


@dataclass
class Failure:
    constraint: str
    reason: str
    peak_gb: float | None = None  # set for memory failures: heavier techniques are skipped


def room_gb(o: GpuOption) -> float | None:
    return o.free_gb if o.free_gb is not None else usable_memory_gb(o.gpu)


def _over_budget(c: Candidate, answers: Answers) -> bool:
    return c.train_cost_usd is not None and c.train_cost_usd > answers.budget.training_usd
