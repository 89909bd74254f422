"""CPU, RAM, free disk and OS from the operating system itself (no psutil).

Linux reads /proc; macOS asks sysctl through the runner; Windows asks the kernel through
ctypes. Every fact may come back None: a missing figure is shown as unknown, not guessed.
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

from ftwizard.hardware.base import ProbeError, Runner, gib
from ftwizard.hardware.profile import CpuInfo


@dataclass
class SystemFacts:
    os: str
    os_system: str
    cpu: CpuInfo
    ram_total_gib: float | None = None
    ram_available_gib: float | None = None
    runs_disk_free_gib: float | None = None


def parse_meminfo(text: str) -> tuple[float | None, float | None]:
    """(total GiB, available GiB) from /proc/meminfo, whose 'kB' are KiB."""
    kib: dict[str, int] = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            kib[key.strip()] = int(parts[0])
    total = kib.get("MemTotal")
    avail = kib.get("MemAvailable", kib.get("MemFree"))
    return (
        None if total is None else gib(total * 1024),
        None if avail is None else gib(avail * 1024),
    )


def parse_cpuinfo(text: str) -> tuple[str | None, int | None]:
    """(CPU model, physical cores) from /proc/cpuinfo; cores from distinct (socket, core) ids."""
    model = None
    cores: set[tuple[str, str]] = set()
    phys = core = None
    for line in text.splitlines() + [""]:
        key, _, value = (s.strip() for s in line.partition(":"))
        if key == "model name" and model is None:
            model = value
        elif key == "physical id":
            phys = value
        elif key == "core id":
            core = value
        elif not key:
            if phys is not None and core is not None:
                cores.add((phys, core))
            phys = core = None
    return model, (len(cores) or None)


def _usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def _sysconf_ram_gib() -> float | None:
    try:
        return gib(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def _windows_facts() -> tuple[str | None, float | None, float | None]:  # pragma: no cover - Windows
    import ctypes
    import winreg

    class MEMORYSTATUSEX(ctypes.Structure):
        _fields_ = [
            ("dwLength", ctypes.c_ulong),
            ("dwMemoryLoad", ctypes.c_ulong),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
        ]

    stat = MEMORYSTATUSEX()
    stat.dwLength = ctypes.sizeof(MEMORYSTATUSEX)
    total = avail = None
    if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(stat)):
        total, avail = gib(stat.ullTotalPhys), gib(stat.ullAvailPhys)
    model = None
    try:
        key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"HARDWARE\DESCRIPTION\System\CentralProcessor\0")
        model = str(winreg.QueryValueEx(key, "ProcessorNameString")[0]).strip()
    except OSError:
        pass
    return model, total, avail


def disk_free_gib(folder: Path | None) -> float | None:
    """Free space where runs will be written; the nearest existing parent if it is not made yet."""
    if folder is None:
        return None
    p = Path(folder).absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return gib(shutil.disk_usage(p).free)
    except OSError:
        return None


def system_facts(
    runs_dir: Path | None,
    runner: Runner,
    timeout_s: float,
    os_system: str | None = None,
    proc_root: Path = Path("/proc"),
) -> SystemFacts:
    system = os_system or platform.system()
    facts = SystemFacts(
        os=" ".join(x for x in (system, platform.release(), platform.machine()) if x),
        os_system=system,
        cpu=CpuInfo(logical_cores=os.cpu_count(), usable_cores=_usable_cores()),
        runs_disk_free_gib=disk_free_gib(runs_dir),
    )
    model = physical = None
    if system == "Linux":
        try:
            facts.ram_total_gib, facts.ram_available_gib = parse_meminfo(
                (proc_root / "meminfo").read_text(errors="replace")
            )
        except OSError:
            pass
        try:
            model, physical = parse_cpuinfo((proc_root / "cpuinfo").read_text(errors="replace"))
        except OSError:
            pass
    elif system == "Darwin":
        from ftwizard.hardware.apple import SYSCTL_ARGV, parse_sysctl
        from ftwizard.hardware.base import checked

        try:
            sysctl = parse_sysctl(checked(runner, SYSCTL_ARGV, timeout_s))
            model = sysctl.get("machdep.cpu.brand_string") or None
            physical = int(sysctl["hw.physicalcpu"]) if sysctl.get("hw.physicalcpu", "").isdigit() else None
            if sysctl.get("hw.memsize", "").isdigit():
                facts.ram_total_gib = gib(int(sysctl["hw.memsize"]))
        except ProbeError:
            pass
    elif system == "Windows":  # pragma: no cover - Windows
        model, facts.ram_total_gib, facts.ram_available_gib = _windows_facts()
    if facts.ram_total_gib is None:
        facts.ram_total_gib = _sysconf_ram_gib()
    facts.cpu = facts.cpu.model_copy(
        update={"model": model or platform.processor() or None, "physical_cores": physical}
    )
    return facts
