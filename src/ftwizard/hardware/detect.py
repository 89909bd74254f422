"""Hardware detection: try each backend in order, never hang, never crash, say what failed.

Order: NVML, then nvidia-smi (only if NVML found nothing), ROCm, Apple (on macOS); then
CPU, RAM, disk and OS. Each GPU is matched to the catalog by name, told apart by memory.
"""

from __future__ import annotations

import datetime as dt
import platform
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ftwizard.hardware.apple import AppleBackend
from ftwizard.hardware.base import Backend, ProbeError, Runner, run_command
from ftwizard.hardware.nvidia_smi import NvidiaSmiBackend
from ftwizard.hardware.nvml import NvmlBackend
from ftwizard.hardware.profile import BackendAttempt, GpuInfo, HardwareProfile
from ftwizard.hardware.rocm import RocmBackend
from ftwizard.hardware.system import system_facts

if TYPE_CHECKING:
    from ftwizard.catalog.entries import GpuEntry
    from ftwizard.catalog.store import Catalog

# A catalog match whose memory differs more than this from the reported memory is flagged.
MEMORY_MISMATCH_FRACTION = 0.15


def default_backends() -> list[Backend]:
    return [NvmlBackend(), NvidiaSmiBackend(), RocmBackend(), AppleBackend()]


def detect(
    catalog: Catalog | None = None,
    runs_dir: Path | None = None,
    timeout_s: float = 3.0,
    runner: Runner | None = None,
    backends: list[Backend] | None = None,
    os_system: str | None = None,
) -> HardwareProfile:
    """Detect this workstation's GPUs, CPU, RAM, disk and OS.

    `catalog`: a core Catalog (loaded if None; detection still works if it cannot load).
    `runs_dir`: where runs will be written (default: the user's runs folder), for free disk.
    `timeout_s`: per external command, and per in-process backend (NVML).
    `runner`, `backends`, `os_system`: for tests (recorded outputs, fake NVML, another OS).
    """
    runner = runner or run_command
    system = os_system or platform.system()
    if runs_dir is None:
        from ftwizard.base.paths import default_runs_dir

        runs_dir = default_runs_dir()
    attempts: list[BackendAttempt] = []
    gpus: list[GpuInfo] = []
    for backend in backends if backends is not None else default_backends():
        skip = _skip_reason(backend.name, system, gpus)
        if skip:
            attempts.append(BackendAttempt(backend=backend.name, status="skipped", reason=skip, seconds=0))
            continue
        found, attempt = _attempt(backend, runner, timeout_s)
        attempts.append(attempt)
        gpus += found

    t0 = time.perf_counter()
    facts = system_facts(runs_dir, runner, timeout_s, os_system=system)
    attempts.append(BackendAttempt(backend="system", status="ok", seconds=time.perf_counter() - t0))

    catalog_version = None
    catalog_problem = None
    try:
        if catalog is None:
            from ftwizard.catalog.store import load_catalog

            catalog = load_catalog()
        catalog_version = catalog.version
    except Exception as exc:  # a broken catalog must not stop detection
        catalog_problem = f"catalog unavailable ({_one_line(exc)})"
        catalog = None
    gpus = [_with_catalog_match(g, catalog, catalog_problem, gpus) for g in gpus]

    return HardwareProfile(
        detected_at=dt.datetime.now(dt.UTC),
        os=facts.os,
        os_system=facts.os_system,
        cpu=facts.cpu,
        ram_total_gib=facts.ram_total_gib,
        ram_available_gib=facts.ram_available_gib,
        runs_dir=str(runs_dir),
        runs_disk_free_gib=facts.runs_disk_free_gib,
        gpus=gpus,
        backends=attempts,
        catalog_version=catalog_version,
    )


def _skip_reason(name: str, system: str, found: list[GpuInfo]) -> str | None:
    if name == "nvidia-smi" and any(g.vendor == "nvidia" for g in found):
        return "NVML already listed the NVIDIA GPUs"
    if name == "apple" and system != "Darwin":
        return f"not macOS ({system})"
    if name == "rocm" and system == "Darwin":
        return "ROCm does not run on macOS"
    return None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


# In-process backends that hung in this process: their thread may still be stuck in the
# driver, so asking again would only stack more stuck threads (the GUI can re-detect).
_HUNG: set[object] = set()


def _attempt(backend: Backend, runner: Runner, timeout_s: float) -> tuple[list[GpuInfo], BackendAttempt]:
    t0 = time.perf_counter()
    hang_key = getattr(backend, "hang_key", backend.name)
    if hang_key in _HUNG:
        return [], BackendAttempt(
            backend=backend.name,
            status="timed_out",
            reason=f"{backend.name} hung earlier in this session; not asked again until restart",
            seconds=0,
        )
    result: dict[str, Any] = {}

    def call() -> None:
        try:
            result["gpus"] = backend.probe(runner, timeout_s)
        except BaseException as exc:  # reported, never raised: detection goes on
            result["error"] = exc

    if getattr(backend, "in_process", False):
        # A library call cannot be killed: give it a deadline on a thread we can abandon.
        worker = threading.Thread(target=call, name=f"ftwizard-detect-{backend.name}", daemon=True)
        worker.start()
        worker.join(timeout_s)
        if worker.is_alive():
            _HUNG.add(hang_key)
            return [], BackendAttempt(
                backend=backend.name,
                status="timed_out",
                reason=f"{backend.name} did not answer within {timeout_s:g} s (left running in the background)",
                seconds=time.perf_counter() - t0,
            )
    else:
        call()
    seconds = time.perf_counter() - t0
    exc = result.get("error")
    if exc is not None:
        if isinstance(exc, ProbeError):
            status, reason = exc.status, str(exc)
        elif isinstance(exc, KeyboardInterrupt | SystemExit):
            raise exc
        else:
            status, reason = "failed", f"unexpected output or error: {_one_line(exc)}"
        return [], BackendAttempt(backend=backend.name, status=status, reason=reason, seconds=seconds)
    gpus = result.get("gpus") or []
    warnings = getattr(backend, "warnings", None) or []
    return gpus, BackendAttempt(
        backend=backend.name,
        status="ok",
        reason="; ".join(warnings) or None,
        seconds=seconds,
        gpus_found=len(gpus),
    )


def _strip_vendor(name: str) -> str:
    for prefix in ("NVIDIA ", "AMD ", "Apple "):
        if name.upper().startswith(prefix.upper()):
            return name[len(prefix):]
    return name


def _with_catalog_match(
    gpu: GpuInfo, catalog: Any | None, problem: str | None, all_gpus: list[GpuInfo]
) -> GpuInfo:
    if catalog is None:
        return gpu.model_copy(update={"catalog_gpu_id": None, "catalog_note": problem})
    # A MIG slice is matched through its GPU: the card's figures, scaled by the slice.
    parent = next(
        (
            g
            for g in all_gpus
            if gpu.is_mig_slice
            and g.vendor == gpu.vendor
            and g.index == gpu.mig_parent_index
            and not g.is_mig_slice
        ),
        None,
    )
    ref = parent or gpu
    mem_gb = ref.memory_total_gb_decimal
    entry = catalog.find_gpu(ref.name, mem_gb) or catalog.find_gpu(_strip_vendor(ref.name), mem_gb)
    how = None
    if entry is None:
        entry = _prefix_match(catalog, ref.name, mem_gb)
        how = f"matched '{entry.name}' by the start of its name" if entry else None
    if entry is None:
        mem = f", {ref.memory_total_gib:.1f} GiB" if ref.memory_total_gib is not None else ""
        note = f"not in catalog: '{ref.name}'{mem}; estimates use the reported memory, no speed figures"
        return gpu.model_copy(update={"catalog_gpu_id": None, "catalog_note": note})
    note = how
    if gpu.is_mig_slice:
        frac = f"{gpu.compute_fraction:.0%} of its compute" if gpu.compute_fraction else "part of its compute"
        note = f"MIG slice {gpu.mig_profile or ''} of {entry.name}: {frac}".replace("  ", " ")
    elif entry.memory_gb and mem_gb and abs(mem_gb - entry.memory_gb) > MEMORY_MISMATCH_FRACTION * entry.memory_gb:
        note = (
            f"matched '{entry.name}' by name, but it reports {gpu.memory_total_gib:.1f} GiB "
            f"where the catalog says {entry.memory_gb:g} GB"
        )
    return gpu.model_copy(update={"catalog_gpu_id": entry.id, "catalog_note": note})


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


def _prefix_match(catalog: Catalog, name: str, mem_gb: float | None) -> GpuEntry | None:
    """A catalog name that starts the reported one at a word boundary ('AMD Instinct MI300X'
    for 'AMD Instinct MI300X OAM'); the longest wins, then the closest memory."""
    reported = _norm(name)
    best: list[tuple[int, GpuEntry]] = []
    for g in catalog.gpus:
        for n in {_norm(x) for x in (*g.match_names, g.name)}:
            if reported.startswith(n + " "):
                best.append((len(n), g))
    if not best:
        return None
    longest = max(n for n, _ in best)
    hits = [g for n, g in best if n == longest]
    if mem_gb is None:
        return hits[0]
    return min(hits, key=lambda g: abs((g.memory_gb or 0) - mem_gb))
