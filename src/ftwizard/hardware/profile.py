"""What the workstation can do: the `HardwareProfile` that hardware detection writes and the
recommendation engine reads (`recommend(answers, catalog, hardware)`).

Qt-free and torch-free on purpose: it is plain data. Memory is in GiB (2**30 bytes), the
unit nvidia-smi (MiB), NVML and torch report in; the catalog's `memory_gb` is the vendor's
decimal label, so compare through `GpuInfo.memory_total_gb_decimal` when matching.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

SCHEMA_VERSION = 1

# A GPU whose free memory is below this share of its total is in use by someone else.
BUSY_FREE_FRACTION = 0.9

Vendor = Literal["nvidia", "amd", "apple", "intel", "unknown"]
AttemptStatus = Literal["ok", "not_available", "failed", "timed_out", "skipped"]


class _Record(BaseModel):
    # Written by ftwizard, read back by ftwizard: derived fields (busy, summary) are dumped
    # for readers of the JSON and ignored on load, where they are recomputed.
    model_config = ConfigDict(extra="ignore")


class GpuInfo(_Record):
    """One device as a backend reported it, plus the catalog entry it matched (if any)."""

    index: int = Field(ge=0, description="Device index as the backend numbers it (nvidia-smi, ROCm).")
    vendor: Vendor
    name: str = Field(description="Name exactly as the driver tool reports it.")
    backend: str = Field(description="Backend that reported this device: nvml, nvidia-smi, rocm-smi, ...")
    memory_total_gib: float | None = Field(default=None, ge=0)
    memory_free_gib: float | None = Field(default=None, ge=0)
    memory_used_gib: float | None = Field(default=None, ge=0)
    compute_capability: str | None = Field(
        default=None, description="NVIDIA 'major.minor' (8.9 for Ada); AMD gfx target (gfx942)."
    )
    bf16_supported: bool | None = Field(default=None, description="None where the backend cannot tell.")
    driver_version: str | None = None
    cuda_version: str | None = Field(default=None, description="Highest CUDA the driver supports.")
    rocm_version: str | None = None
    uuid: str | None = None
    pci_bus_id: str | None = None
    processes: int | None = Field(
        default=None, ge=0, description="Compute processes running on it, where the backend can tell."
    )
    mig: bool = Field(
        default=False, description="A GPU in MIG mode (its slices are listed) or a MIG slice itself."
    )
    mig_profile: str | None = Field(default=None, description="MIG slice profile, e.g. '3g.40gb'.")
    mig_parent_index: int | None = Field(default=None, description="For a MIG slice: its GPU's index.")
    mig_device_index: int | None = Field(default=None, description="For a MIG slice: index within its GPU.")
    compute_fraction: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Share of the GPU's compute a MIG slice has: Ng of 7 (NVIDIA MIG user guide).",
    )
    unified_memory: bool = Field(default=False, description="Memory shared with the CPU (Apple silicon).")
    gpu_cores: int | None = Field(default=None, gt=0, description="Apple GPU cores.")
    catalog_gpu_id: str | None = Field(default=None, description="Matching catalog GPU, or None.")
    catalog_note: str | None = Field(
        default=None, description="Why no catalog entry matched, or how the match was made."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def busy(self) -> bool:
        """In use by another process: processes running, or free < 90% of total."""
        if self.processes:
            return True
        if self.memory_total_gib and self.memory_free_gib is not None:
            return self.memory_free_gib < BUSY_FREE_FRACTION * self.memory_total_gib
        return False

    @property
    def is_mig_slice(self) -> bool:
        return self.mig and self.mig_parent_index is not None

    @property
    def memory_total_gb_decimal(self) -> float | None:
        """Total in decimal GB (10**9 bytes), the unit vendors print on the box."""
        return None if self.memory_total_gib is None else self.memory_total_gib * 2**30 / 1e9

    def label(self) -> str:
        """'NVIDIA GeForce RTX 4090 (24.0 GiB, 23.1 GiB free)'"""
        name = self.name
        if self.is_mig_slice and self.mig_profile and self.mig_profile not in name:
            name = f"{name} MIG {self.mig_profile}"
        mem = []
        if self.memory_total_gib is not None:
            mem.append(f"{self.memory_total_gib:.1f} GiB{' unified' if self.unified_memory else ''}")
        if self.memory_free_gib is not None:
            mem.append(f"{self.memory_free_gib:.1f} GiB free")
        return f"{name} ({', '.join(mem)})" if mem else name


class BackendAttempt(_Record):
    """One detection backend tried: what it found, or why it could not answer."""

    backend: str
    status: AttemptStatus
    reason: str | None = Field(default=None, description="Why it failed or was skipped; one line.")
    seconds: float = Field(ge=0)
    gpus_found: int = Field(default=0, ge=0)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        return self.status == "ok"


class CpuInfo(_Record):
    model: str | None = None
    logical_cores: int | None = Field(default=None, gt=0)
    physical_cores: int | None = Field(default=None, gt=0)
    usable_cores: int | None = Field(default=None, gt=0, description="Cores this process may run on.")


class HardwareProfile(_Record):
    """Everything detection found on this workstation, at one moment."""

    schema_version: Literal[1] = SCHEMA_VERSION
    detected_at: dt.datetime
    os: str = Field(description="e.g. 'Linux 6.8.0-45-generic x86_64'")
    os_system: str = Field(description="platform.system(): Linux, Darwin, Windows.")
    cpu: CpuInfo
    ram_total_gib: float | None = Field(default=None, ge=0)
    ram_available_gib: float | None = Field(default=None, ge=0)
    runs_dir: str | None = None
    runs_disk_free_gib: float | None = Field(default=None, ge=0)
    gpus: list[GpuInfo] = Field(default_factory=list)
    backends: list[BackendAttempt] = Field(default_factory=list)
    catalog_version: str | None = Field(default=None, description="None if the catalog could not load.")

    def usable_gpus(self) -> list[GpuInfo]:
        """Devices a run can be placed on: a GPU in MIG mode only through its slices."""
        return [g for g in self.gpus if not g.mig or g.is_mig_slice]

    def failed_backends(self) -> list[BackendAttempt]:
        return [b for b in self.backends if b.status in ("failed", "timed_out")]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """One plain sentence for the user."""
        gpus = self.usable_gpus()
        if not gpus:
            cpu = []
            if self.cpu.logical_cores:
                cpu.append(f"{self.cpu.logical_cores} cores")
            if self.ram_total_gib is not None:
                cpu.append(f"{self.ram_total_gib:.1f} GiB RAM")
            tail = f" ({', '.join(cpu)})" if cpu else ""
            whole = [g for g in self.gpus if g.mig]
            if whole:
                names = ", ".join(sorted({g.name for g in whole}))
                return f"No usable GPU: {names} in MIG mode and no MIG slice found; CPU-only{tail}."
            return f"No supported GPU found: CPU-only{tail}."
        groups: dict[str, int] = {}
        for g in gpus:
            groups[g.label()] = groups.get(g.label(), 0) + 1
        text = "; ".join(f"{n} x {label}" for label, n in groups.items())
        busy = sum(1 for g in gpus if g.busy)
        if busy:
            text += f"; {busy} in use by other processes"
        return text + "."
