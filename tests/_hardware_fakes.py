"""Stand-ins for the vendor tools and NVML, fed from tests/fixtures/hardware/."""

from __future__ import annotations

import threading
import types
from collections.abc import Sequence
from pathlib import Path

from ftwizard.hardware import apple, nvidia_smi, rocm
from ftwizard.hardware.base import CommandResult, ToolMissing

FIX = Path(__file__).parent / "fixtures" / "hardware"


def fixture(name: str) -> str:
    return (FIX / name).read_text(encoding="utf-8")


class RecordedRunner:
    """Answers known command lines with recorded output; any other tool is 'not on PATH'."""

    def __init__(self, outputs: dict[tuple[str, ...], str | CommandResult | BaseException]):
        self.outputs = outputs
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], timeout_s: float) -> CommandResult:
        key = tuple(argv)
        self.calls.append(key)
        out = self.outputs.get(key)
        if out is None:
            raise ToolMissing(f"{argv[0]} not found on PATH")
        if isinstance(out, BaseException):
            raise out
        if isinstance(out, CommandResult):
            return out
        return CommandResult(key, 0, out, "")


def nvidia_box(csv: str, table: str | None = None, apps: str = "", listing: str | None = None) -> dict:
    """The four nvidia-smi command lines of one machine, from fixture file names."""
    outputs: dict[tuple[str, ...], str | CommandResult | BaseException] = {
        tuple(nvidia_smi.query_argv()): fixture(csv),
        tuple(nvidia_smi.APPS_ARGV): fixture(apps) if apps else "",
    }
    if table:
        outputs[tuple(nvidia_smi.TABLE_ARGV)] = fixture(table)
    if listing:
        outputs[tuple(nvidia_smi.LIST_ARGV)] = fixture(listing)
    return outputs


def rocm_box(json_file: str) -> dict:
    return {tuple(rocm.ROCM_SMI_ARGV): fixture(json_file)}


def apple_box(sysctl_file: str, profiler_file: str | None = None) -> dict:
    out: dict = {tuple(apple.SYSCTL_ARGV): fixture(sysctl_file)}
    if profiler_file:
        out[tuple(apple.PROFILER_ARGV)] = fixture(profiler_file)
    return out


GIB = 2**30


def fake_pynvml(
    devices: list[dict],
    driver: str = "550.54.14",
    cuda: int = 12040,
    init_error: str | None = None,
    init_block: threading.Event | None = None,
) -> types.ModuleType:
    """A module with the pynvml functions the NVML backend calls, over `devices`.

    Each device: name, total_gib, free_gib, cc (tuple), uuid, bus, processes (int),
    and optionally mig_slices: [(name, total_gib, free_gib)] to put it in MIG mode.
    init_error: "no driver" (library not found) or "mismatch"; init_block: nvmlInit hangs
    until the event is set.
    """
    nv = types.ModuleType("pynvml")

    class NVMLError(Exception):
        pass

    class NVMLError_NotSupported(NVMLError):  # noqa: N801 - pynvml's own name
        pass

    class NVMLError_LibraryNotFound(NVMLError):  # noqa: N801
        pass

    class NVMLError_NotFound(NVMLError):  # noqa: N801
        pass

    nv.NVMLError = NVMLError
    nv.NVMLError_NotSupported = NVMLError_NotSupported
    nv.NVMLError_LibraryNotFound = NVMLError_LibraryNotFound
    nv.NVML_DEVICE_MIG_ENABLE = 1
    nv.calls = []

    def init():
        nv.calls.append("init")
        if init_block is not None:
            init_block.wait(30)
        if init_error == "no driver":
            raise NVMLError_LibraryNotFound("NVML Shared Library Not Found")
        if init_error == "mismatch":
            raise NVMLError("Driver/library version mismatch")

    nv.nvmlInit = init
    nv.nvmlShutdown = lambda: nv.calls.append("shutdown")
    nv.nvmlSystemGetDriverVersion = lambda: driver
    nv.nvmlSystemGetCudaDriverVersion = lambda: cuda
    nv.nvmlDeviceGetCount = lambda: len(devices)
    nv.nvmlDeviceGetHandleByIndex = lambda i: ("gpu", i)

    def dev(h):
        return devices[h[1]] if h[0] == "gpu" else devices[h[1]]["mig_slices"][h[2]]

    def name(h):
        d = dev(h)
        return d["name"] if isinstance(d, dict) else d[0]

    def mem(h):
        d = dev(h)
        total, free = (d["total_gib"], d["free_gib"]) if isinstance(d, dict) else (d[1], d[2])
        return types.SimpleNamespace(total=int(total * GIB), free=int(free * GIB), used=int((total - free) * GIB))

    def cc(h):
        return devices[h[1]]["cc"]

    def uuid(h):
        if h[0] == "mig":
            return f"MIG-{h[1]}-{h[2]}"
        return devices[h[1]]["uuid"]

    def procs(h):
        if h[0] == "mig":
            return []
        return [object()] * devices[h[1]].get("processes", 0)

    def mig_mode(h):
        if "mig_slices" not in devices[h[1]]:
            raise NVMLError_NotSupported("Not Supported")
        return (1, 1)

    def mig_handle(h, j):
        slices = devices[h[1]]["mig_slices"]
        if j >= len(slices):
            raise NVMLError_NotFound("Not Found")
        return ("mig", h[1], j)

    nv.nvmlDeviceGetName = name
    nv.nvmlDeviceGetMemoryInfo = mem
    nv.nvmlDeviceGetCudaComputeCapability = cc
    nv.nvmlDeviceGetUUID = uuid
    nv.nvmlDeviceGetPciInfo = lambda h: types.SimpleNamespace(busId=devices[h[1]]["bus"].encode())
    nv.nvmlDeviceGetComputeRunningProcesses = procs
    nv.nvmlDeviceGetMigMode = mig_mode
    nv.nvmlDeviceGetMaxMigDeviceCount = lambda h: 7
    nv.nvmlDeviceGetMigDeviceHandleByIndex = mig_handle
    return nv
