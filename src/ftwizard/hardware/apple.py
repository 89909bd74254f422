"""Apple silicon: one GPU sharing the machine's unified memory.

`sysctl` gives the chip and the memory; `system_profiler SPDisplaysDataType -json` adds the
GPU core count (it can take a second or two, so it is optional). Free memory is not given:
macOS keeps RAM full of cache, and the GPU may use only part of it (Metal's working-set
limit), which only a Metal call can tell.
"""

from __future__ import annotations

import json

from ftwizard.hardware.base import ProbeError, Runner, ToolMissing, checked, gib
from ftwizard.hardware.profile import GpuInfo

SYSCTL_ARGV = [
    "sysctl",
    "hw.memsize",
    "hw.ncpu",
    "hw.physicalcpu",
    "machdep.cpu.brand_string",
    "hw.model",
    "hw.optional.arm64",
]
PROFILER_ARGV = ["system_profiler", "SPDisplaysDataType", "-json"]


def parse_sysctl(text: str) -> dict[str, str]:
    """'key: value' lines (sysctl without -n), values as text."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def parse_gpu_cores(profiler_json: str) -> int | None:
    try:
        data = json.loads(profiler_json)
    except json.JSONDecodeError:
        return None
    for item in data.get("SPDisplaysDataType", []) if isinstance(data, dict) else []:
        cores = item.get("sppci_cores")
        if cores and str(cores).isdigit():
            return int(cores)
    return None


class AppleBackend:
    name = "apple"

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def probe(self, runner: Runner, timeout_s: float) -> list[GpuInfo]:
        self.warnings = []
        facts = parse_sysctl(checked(runner, SYSCTL_ARGV, timeout_s))
        chip = facts.get("machdep.cpu.brand_string", "")
        if facts.get("hw.optional.arm64") != "1" or not chip.startswith("Apple"):
            raise ToolMissing(f"not Apple silicon ({chip or 'unknown CPU'})")
        try:
            memsize = int(facts["hw.memsize"])
        except (KeyError, ValueError):
            raise ProbeError("sysctl gave no hw.memsize") from None
        cores = None
        try:
            cores = parse_gpu_cores(checked(runner, PROFILER_ARGV, timeout_s))
        except ProbeError as exc:
            self.warnings.append(f"GPU core count unknown: {exc}")
        return [
            GpuInfo(
                index=0,
                vendor="apple",
                name=chip,
                backend="sysctl",
                memory_total_gib=gib(memsize),
                unified_memory=True,
                gpu_cores=cores,
            )
        ]
