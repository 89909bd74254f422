"""AMD GPUs through ROCm's tools: `rocm-smi --json`, or `amd-smi` where rocm-smi is gone
(ROCm 6.2 and later deprecate rocm-smi). Keys are matched case-insensitively because their
capitalisation changed between ROCm releases ('Card series' -> 'Card Series')."""

from __future__ import annotations

import json
import re
from typing import Any

from ftwizard.hardware.base import ProbeError, Runner, ToolMissing, checked, gib, mib_to_gib
from ftwizard.hardware.profile import GpuInfo

ROCM_SMI_ARGV = [
    "rocm-smi",
    "--showproductname",
    "--showmeminfo",
    "vram",
    "--showbus",
    "--showuniqueid",
    "--showdriverversion",
    "--json",
]
AMD_SMI_STATIC_ARGV = ["amd-smi", "static", "--asic", "--vram", "--bus", "--driver", "--json"]
AMD_SMI_METRIC_ARGV = ["amd-smi", "metric", "--mem-usage", "--json"]

# bf16 matrix support by gfx target: CDNA 1-3 (gfx908, gfx90a, gfx94x, gfx950), RDNA 3-4
# (gfx11xx, gfx12xx) (ROCm docs, 'Data types and precision support').
_BF16_GFX = re.compile(r"^gfx(908|90a|94\d|95\d|11\d\d|12\d\d)$")


def bf16_from_gfx(gfx: str | None) -> bool | None:
    if not gfx:
        return None
    return True if _BF16_GFX.match(gfx.lower()) else None


def load_json_output(text: str, tool: str) -> Any:
    """Parse a tool's JSON, skipping warnings it prints before it."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise ProbeError(f"{tool} printed no JSON")
    try:
        data, _end = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as exc:
        raise ProbeError(f"{tool} printed invalid JSON (line {exc.lineno}: {exc.msg})") from None
    return data


def _get(d: dict[str, Any], *keys: str) -> Any:
    lower = {k.lower(): v for k, v in d.items()}
    for k in keys:
        v = lower.get(k.lower())
        if v not in (None, "", "N/A"):
            return v
    return None


def _int(v: Any) -> int | None:
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return None


class RocmBackend:
    name = "rocm"

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def probe(self, runner: Runner, timeout_s: float) -> list[GpuInfo]:
        self.warnings = []
        try:
            text = checked(runner, ROCM_SMI_ARGV, timeout_s)
        except ToolMissing:
            return self._amd_smi(runner, timeout_s)
        gpus = parse_rocm_smi(load_json_output(text, "rocm-smi"))
        if not gpus:
            raise ToolMissing("rocm-smi found no AMD GPU")
        return gpus

    def _amd_smi(self, runner: Runner, timeout_s: float) -> list[GpuInfo]:
        try:
            static = load_json_output(checked(runner, AMD_SMI_STATIC_ARGV, timeout_s), "amd-smi")
        except ToolMissing:
            raise ToolMissing("neither rocm-smi nor amd-smi found on PATH") from None
        usage = None
        try:
            usage = load_json_output(checked(runner, AMD_SMI_METRIC_ARGV, timeout_s), "amd-smi")
        except ProbeError as exc:
            self.warnings.append(f"free memory unknown: {exc}")
        gpus = parse_amd_smi(static, usage)
        if not gpus:
            raise ToolMissing("amd-smi found no AMD GPU")
        return gpus


def parse_rocm_smi(data: Any) -> list[GpuInfo]:
    if not isinstance(data, dict):
        raise ProbeError("rocm-smi JSON: expected an object keyed by card")
    driver = _get(data.get("system") or {}, "Driver version")
    gpus = []
    for key, card in data.items():
        m = re.fullmatch(r"card(\d+)", key)
        if not m or not isinstance(card, dict):
            continue
        total_b = _int(_get(card, "VRAM Total Memory (B)"))
        used_b = _int(_get(card, "VRAM Total Used Memory (B)"))
        series = _get(card, "Card Series", "Card series")
        name = series if series and not str(series).startswith("0x") else None
        name = name or _get(card, "Device Name", "Card Model", "Card model", "Card SKU") or "AMD GPU"
        gfx = _get(card, "GFX Version")
        gpus.append(
            GpuInfo(
                index=int(m.group(1)),
                vendor="amd",
                name=str(name).strip(),
                backend="rocm-smi",
                memory_total_gib=None if total_b is None else gib(total_b),
                memory_used_gib=None if used_b is None else gib(used_b),
                memory_free_gib=None if total_b is None or used_b is None else gib(total_b - used_b),
                compute_capability=gfx,
                bf16_supported=bf16_from_gfx(gfx),
                driver_version=driver,
                uuid=_get(card, "Unique ID"),
                pci_bus_id=_get(card, "PCI Bus"),
            )
        )
    return sorted(gpus, key=lambda g: g.index)


def _records(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):  # some releases wrap the list: {"gpu_data": [...]}
        data = next((v for v in data.values() if isinstance(v, list)), [data])
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def _mib(v: Any) -> float | None:
    """amd-smi sizes: {'value': 196592, 'unit': 'MB'} or '196592 MB'; its MB are MiB."""
    if isinstance(v, dict):
        v = v.get("value")
    m = re.match(r"\s*([0-9.]+)", str(v)) if v is not None else None
    return float(m.group(1)) if m else None


def parse_amd_smi(static: Any, usage: Any | None = None) -> list[GpuInfo]:
    used_by_gpu: dict[int, tuple[float | None, float | None]] = {}
    for r in _records(usage):
        mu = r.get("mem_usage") or {}
        used_by_gpu[_int(r.get("gpu")) or 0] = (_mib(mu.get("used_vram")), _mib(mu.get("free_vram")))
    gpus = []
    for r in _records(static):
        index = _int(r.get("gpu"))
        if index is None:
            continue
        asic = r.get("asic") or {}
        vram = r.get("vram") or {}
        total = _mib(vram.get("size"))
        used, free = used_by_gpu.get(index, (None, None))
        gfx = asic.get("target_graphics_version")
        gpus.append(
            GpuInfo(
                index=index,
                vendor="amd",
                name=str(asic.get("market_name") or "AMD GPU").strip(),
                backend="amd-smi",
                memory_total_gib=None if total is None else mib_to_gib(total),
                memory_used_gib=None if used is None else mib_to_gib(used),
                memory_free_gib=None if free is None else mib_to_gib(free),
                compute_capability=gfx,
                bf16_supported=bf16_from_gfx(gfx),
                driver_version=(r.get("driver") or {}).get("version"),
                uuid=asic.get("asic_serial"),
                pci_bus_id=(r.get("bus") or {}).get("bdf"),
            )
        )
    return sorted(gpus, key=lambda g: g.index)
