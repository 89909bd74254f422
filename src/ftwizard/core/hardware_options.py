"""Which GPUs a plan may use: the listed or detected local cards, or any priced cloud GPU.

Regulated data or an air-gapped site means local hardware only (issue 4): cloud options
are then never offered, whatever the hardware mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, GpuEntry
from ftwizard.core.errors import AnswersError, CatalogError, HardwareError
from ftwizard.core.hardware_profile import HardwareProfile

GIB_TO_GB = 2**30 / 1e9


@dataclass(frozen=True)
class GpuOption:
    """One kind of GPU a run may use."""

    where: str  # "local" or "cloud"
    gpu: GpuEntry
    available: int | None  # local: how many cards; cloud: None (rent as many as needed)
    free_gb: float | None = None  # local detected: least free memory among the cards, decimal GB

    @property
    def max_count(self) -> int:
        return self.available if self.available is not None else 64

    def label(self, count: int = 1) -> str:
        return f"{count} x {self.gpu.name}" if count > 1 else self.gpu.name


def local_only(answers: Answers) -> bool:
    return answers.compliance.air_gapped or answers.compliance.regulated_data


def gpu_options(
    answers: Answers, catalog: Catalog, hardware: HardwareProfile | None
) -> tuple[list[GpuOption], list[str]]:
    """The options, and notes for the user (unknown cards, busy cards, cloud refused)."""
    mode = answers.hardware.mode
    notes: list[str] = []
    if mode == "cloud":
        if local_only(answers):
            why = "the site is air-gapped" if answers.compliance.air_gapped else "the training data is regulated"
            notes.append(
                f"Cloud GPUs are not considered because {why}, and the hardware mode is 'cloud' "
                "with no local GPU listed: choose 'local' or 'detect' and name your GPUs."
            )
            return [], notes
        options = []
        for gpu in catalog.gpus:
            if gpu.memory_gb and catalog.prices_for(gpu.id):
                options.append(GpuOption("cloud", gpu, None))
        return options, notes
    if mode == "local":
        counts: dict[str, int] = {}
        by_id: dict[str, GpuEntry] = {}
        for i, g in enumerate(answers.hardware.gpus):
            entry = catalog.find_gpu(g.name, g.memory_gb)
            if entry is None:
                raise AnswersError(
                    f"answers: $.hardware.gpus[{i}].name: unknown GPU '{g.name}'; use a name from "
                    "`ftwizard catalog list --gpus` or add the card in a user catalog"
                )
            counts[entry.id] = counts.get(entry.id, 0) + g.count
            by_id[entry.id] = entry
        return [GpuOption("local", by_id[i], n) for i, n in counts.items()], notes
    # mode == "detect"
    if hardware is None:
        raise HardwareError(
            "answers: $.hardware.mode is 'detect' but no detected hardware was given; "
            "run detection or list the GPUs with mode 'local'"
        )
    counts = {}
    free: dict[str, float | None] = {}
    for g in hardware.usable_gpus():
        if g.is_mig_slice:
            notes.append(f"{g.label()} is a MIG slice; slices are not planned for, use a whole GPU.")
            continue
        if g.catalog_gpu_id is None:
            notes.append(
                f"{g.label()} is not in the catalog, so its speed is unknown and it is not planned "
                "for; add it in a user catalog file."
            )
            continue
        counts[g.catalog_gpu_id] = counts.get(g.catalog_gpu_id, 0) + 1
        free_gb = None if g.memory_free_gib is None else g.memory_free_gib * GIB_TO_GB
        if g.busy:
            notes.append(f"{g.label()} is in use by other processes; plans assume its free memory.")
            prev = free.get(g.catalog_gpu_id)
            free[g.catalog_gpu_id] = free_gb if prev is None or free_gb is None else min(prev, free_gb)
    options = []
    for gpu_id, n in counts.items():
        try:
            entry = catalog.gpu(gpu_id)
        except CatalogError:  # a profile saved with another catalog version
            notes.append(f"Detected GPU id '{gpu_id}' is not in this catalog; it is not planned for.")
            continue
        options.append(GpuOption("local", entry, n, free.get(gpu_id)))
    if not options:
        notes.append("No usable GPU was detected on this workstation.")
    return options, notes
