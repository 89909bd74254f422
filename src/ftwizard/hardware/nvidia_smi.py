"""NVIDIA GPUs through the `nvidia-smi` tool: the fallback where NVML bindings are missing.

One CSV query gives the facts per GPU; the compute-apps query says who else is on it; the
plain `nvidia-smi` table gives the CUDA version and per-slice MIG memory; `nvidia-smi -L`
names the MIG slices. Only the first query is required; the others add detail.
"""

from __future__ import annotations

import csv
import math
import re

from ftwizard.hardware.base import ProbeError, Runner, checked, mib_to_gib
from ftwizard.hardware.mig import mig_slice_facts
from ftwizard.hardware.profile import GpuInfo

FIELDS = (
    "index",
    "name",
    "memory.total",
    "memory.free",
    "memory.used",
    "compute_cap",
    "driver_version",
    "uuid",
    "pci.bus_id",
    "mig.mode.current",
)
# Drivers before R510 know neither compute_cap nor (on consumer cards) MIG: ask less.
BASIC_FIELDS = FIELDS[:5] + ("driver_version", "uuid", "pci.bus_id")


def query_argv(fields: tuple[str, ...] = FIELDS) -> list[str]:
    return ["nvidia-smi", f"--query-gpu={','.join(fields)}", "--format=csv,noheader,nounits"]


APPS_ARGV = ["nvidia-smi", "--query-compute-apps=gpu_uuid,pid", "--format=csv,noheader"]
LIST_ARGV = ["nvidia-smi", "-L"]
TABLE_ARGV = ["nvidia-smi"]


class NvidiaSmiBackend:
    name = "nvidia-smi"

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def probe(self, runner: Runner, timeout_s: float) -> list[GpuInfo]:
        self.warnings = []
        try:
            text = checked(runner, query_argv(), timeout_s)
            fields = FIELDS
        except ProbeError as exc:
            if "not a valid field" not in str(exc).lower():
                raise
            text = checked(runner, query_argv(BASIC_FIELDS), timeout_s)
            fields = BASIC_FIELDS
        gpus = parse_query_csv(text, fields)
        if not gpus:
            raise ProbeError("nvidia-smi listed no GPUs")

        table = self._optional(runner, TABLE_ARGV, timeout_s, "CUDA version")
        cuda = parse_cuda_version(table) if table else None
        for g in gpus:
            g.cuda_version = cuda

        apps = self._optional(runner, APPS_ARGV, timeout_s, "process count")
        if apps is not None:
            counts = parse_compute_apps(apps)
            for g in gpus:
                g.processes = counts.get(g.uuid or "", 0)

        if any(g.mig for g in gpus):
            listing = self._optional(runner, LIST_ARGV, timeout_s, "MIG slices")
            if listing:
                gpus += mig_slices(gpus, listing, parse_mig_memory(table or ""))
        return gpus

    def _optional(self, runner: Runner, argv: list[str], timeout_s: float, what: str) -> str | None:
        try:
            return checked(runner, argv, timeout_s)
        except ProbeError as exc:
            self.warnings.append(f"{what} unknown: {exc}")
            return None


def _value(cell: str) -> str | None:
    cell = cell.strip()
    return None if not cell or cell.startswith("[") or cell in ("N/A", "Not Supported") else cell


def _float(cell: str) -> float | None:
    """A memory figure in MiB; anything but a finite number >= 0 is unknown."""
    v = _value(cell)
    try:
        x = None if v is None else float(v)
    except ValueError:
        return None
    return x if x is not None and math.isfinite(x) and x >= 0 else None


def bf16_from_cc(cc: str | None) -> bool | None:
    """bf16 tensor cores start with Ampere, compute capability 8.0 (CUDA C guide, 'Compute Capabilities')."""
    if not cc:
        return None
    try:
        return int(cc.split(".")[0]) >= 8
    except ValueError:
        return None


def _csv_rows(text: str) -> list[list[str]]:
    """CSV rows; a stray carriage return or quote in a driver's output ends the row, not the parse."""
    rows = []
    for line in text.splitlines():
        try:
            rows.extend(csv.reader([line]))
        except csv.Error:
            rows.append(line.split(","))
    return rows


def parse_query_csv(text: str, fields: tuple[str, ...] = FIELDS) -> list[GpuInfo]:
    gpus = []
    for lineno, row in enumerate(_csv_rows(text), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != len(fields):
            raise ProbeError(
                f"nvidia-smi output line {lineno}: expected {len(fields)} fields, got {len(row)}"
            )
        cell = dict(zip(fields, row, strict=True))
        try:
            index = int(cell["index"].strip())
        except ValueError:
            index = -1
        if index < 0:
            raise ProbeError(f"nvidia-smi output line {lineno}: index '{cell['index'].strip()}' is not a GPU number")
        total, free, used = (_float(cell[k]) for k in ("memory.total", "memory.free", "memory.used"))
        cc = _value(cell.get("compute_cap", ""))
        mig_mode = (_value(cell.get("mig.mode.current", "")) or "").lower()
        gpus.append(
            GpuInfo(
                index=index,
                vendor="nvidia",
                name=cell["name"].strip(),
                backend="nvidia-smi",
                memory_total_gib=None if total is None else mib_to_gib(total),
                memory_free_gib=None if free is None else mib_to_gib(free),
                memory_used_gib=None if used is None else mib_to_gib(used),
                compute_capability=cc,
                bf16_supported=bf16_from_cc(cc),
                driver_version=_value(cell["driver_version"]),
                uuid=_value(cell["uuid"]),
                pci_bus_id=_value(cell["pci.bus_id"]),
                mig=mig_mode == "enabled",
            )
        )
    return gpus


_CUDA_RE = re.compile(r"CUDA Version:\s*([0-9][0-9.]*)")


def parse_cuda_version(table: str) -> str | None:
    m = _CUDA_RE.search(table)
    return m.group(1) if m else None


def parse_compute_apps(text: str) -> dict[str, int]:
    """GPU uuid -> number of compute processes on it."""
    counts: dict[str, int] = {}
    for row in _csv_rows(text):
        if len(row) >= 2 and row[0].strip().startswith(("GPU-", "MIG-")):
            key = row[0].strip()
            counts[key] = counts.get(key, 0) + 1
    return counts


# "|  0    1   0   0  |   19MiB / 40192MiB  | 42 ..." in the "MIG devices:" table
_MIG_ROW = re.compile(r"^\|\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\|\s*(\d+)MiB\s*/\s*(\d+)MiB")


def parse_mig_memory(table: str) -> dict[tuple[int, int], tuple[float, float]]:
    """(GPU index, MIG device index) -> (used MiB, total MiB) from the plain nvidia-smi table."""
    out: dict[tuple[int, int], tuple[float, float]] = {}
    in_mig = False
    for line in table.splitlines():
        if "MIG devices:" in line:
            in_mig = True
        elif "Processes:" in line:
            in_mig = False
        elif in_mig and (m := _MIG_ROW.match(line)):
            out[(int(m.group(1)), int(m.group(4)))] = (float(m.group(5)), float(m.group(6)))
    return out


_GPU_LINE = re.compile(r"^GPU\s+(\d+):\s*(.+?)\s*\(UUID:\s*(\S+?)\)")
_MIG_LINE = re.compile(r"^\s+MIG\s+(\S+)\s+Device\s+(\d+):\s*\(UUID:\s*(\S+?)\)")


def mig_slices(
    gpus: list[GpuInfo], listing: str, memory: dict[tuple[int, int], tuple[float, float]]
) -> list[GpuInfo]:
    """MIG slices from `nvidia-smi -L`, each a device of its own under its GPU."""
    by_index = {g.index: g for g in gpus}
    slices: list[GpuInfo] = []
    parent: GpuInfo | None = None
    for line in listing.splitlines():
        if m := _GPU_LINE.match(line):
            parent = by_index.get(int(m.group(1)))
        elif (m := _MIG_LINE.match(line)) and parent is not None and parent.mig:
            profile, dev = m.group(1), int(m.group(2))
            used_total = memory.get((parent.index, dev))
            facts = mig_slice_facts(parent.name, profile)
            total_gib = mib_to_gib(used_total[1]) if used_total else facts["memory_total_gib"]
            used_gib = mib_to_gib(used_total[0]) if used_total else None
            slices.append(
                parent.model_copy(
                    update={
                        "memory_total_gib": total_gib,
                        "memory_used_gib": used_gib,
                        "memory_free_gib": None if used_gib is None or total_gib is None else total_gib - used_gib,
                        "uuid": m.group(3),
                        "pci_bus_id": parent.pci_bus_id,
                        "mig_profile": profile,
                        "mig_parent_index": parent.index,
                        "mig_device_index": dev,
                        "compute_fraction": facts["compute_fraction"],
                        "processes": None,
                    }
                )
            )
    return slices
