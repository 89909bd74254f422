"""NVIDIA GPUs through NVML (`nvidia-ml-py`, module `pynvml`), imported only when probed.

NVML is the driver's own library: no process to start, exact bytes, running processes and
MIG slices. It runs in-process, so detect() calls it on a worker thread with a deadline.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from ftwizard.hardware.base import ProbeError, Runner, ToolMissing, gib
from ftwizard.hardware.mig import mig_slice_facts, profile_from_name
from ftwizard.hardware.nvidia_smi import bf16_from_cc
from ftwizard.hardware.profile import GpuInfo


def _text(value: Any) -> str:
    # nvidia-ml-py before 11.515 returned bytes
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def cuda_version_text(v: int) -> str:
    """NVML encodes CUDA 12.4 as 12040 (nvmlSystemGetCudaDriverVersion docs)."""
    return f"{v // 1000}.{(v % 1000) // 10}"


class NvmlBackend:
    name = "nvml"
    in_process = True

    def __init__(self, module: ModuleType | Any | None = None) -> None:
        self._module = module  # tests pass a stand-in for pynvml
        self.warnings: list[str] = []

    @property
    def hang_key(self) -> object:
        """What a hang is remembered by: the bindings module (one driver per process)."""
        return ("nvml", id(self._module)) if self._module is not None else ("nvml", "pynvml")

    def _load(self) -> Any:
        if self._module is not None:
            return self._module
        try:
            import pynvml  # lazy: the optional dependency nvidia-ml-py
        except ImportError:
            raise ToolMissing("nvidia-ml-py (pynvml) not installed") from None
        return pynvml

    def probe(self, runner: Runner, timeout_s: float) -> list[GpuInfo]:
        self.warnings = []
        nv = self._load()
        error = getattr(nv, "NVMLError", Exception)
        try:
            nv.nvmlInit()
        except error as exc:
            reason = _text(exc)
            if "not found" in reason.lower() or "LibraryNotFound" in type(exc).__name__:
                raise ToolMissing(f"NVML library not found (no NVIDIA driver): {reason}") from None
            raise ProbeError(f"NVML could not start: {reason}") from None
        try:
            return self._devices(nv, error)
        except error as exc:
            raise ProbeError(f"NVML: {_text(exc)}") from None
        finally:
            try:
                nv.nvmlShutdown()
            except error:
                pass

    def _devices(self, nv: Any, error: type[BaseException]) -> list[GpuInfo]:
        driver = _text(nv.nvmlSystemGetDriverVersion())
        cuda = None
        try:
            cuda = cuda_version_text(int(nv.nvmlSystemGetCudaDriverVersion()))
        except error as exc:
            self.warnings.append(f"CUDA version unknown: {_text(exc)}")
        gpus: list[GpuInfo] = []
        for i in range(int(nv.nvmlDeviceGetCount())):
            h = nv.nvmlDeviceGetHandleByIndex(i)
            name = _text(nv.nvmlDeviceGetName(h))
            mem = nv.nvmlDeviceGetMemoryInfo(h)
            cc = self._optional(error, lambda h=h: "{}.{}".format(*nv.nvmlDeviceGetCudaComputeCapability(h)))
            gpu = GpuInfo(
                index=i,
                vendor="nvidia",
                name=name,
                backend=self.name,
                memory_total_gib=gib(mem.total),
                memory_free_gib=gib(mem.free),
                memory_used_gib=gib(mem.used),
                compute_capability=cc,
                bf16_supported=bf16_from_cc(cc),
                driver_version=driver,
                cuda_version=cuda,
                uuid=self._optional(error, lambda h=h: _text(nv.nvmlDeviceGetUUID(h))),
                pci_bus_id=self._optional(error, lambda h=h: _text(nv.nvmlDeviceGetPciInfo(h).busId)),
                processes=self._optional(error, lambda h=h: len(nv.nvmlDeviceGetComputeRunningProcesses(h))),
                mig=self._mig_enabled(nv, error, h),
            )
            gpus.append(gpu)
            if gpu.mig:
                gpus += self._slices(nv, error, h, gpu)
        return gpus

    @staticmethod
    def _optional(error: type[BaseException], fn: Any) -> Any:
        try:
            return fn()
        except error:
            return None  # NotSupported on this card or driver: the fact stays unknown

    @staticmethod
    def _mig_enabled(nv: Any, error: type[BaseException], h: Any) -> bool:
        try:
            current, _pending = nv.nvmlDeviceGetMigMode(h)
        except error:
            return False  # cards without MIG answer NotSupported
        return current == getattr(nv, "NVML_DEVICE_MIG_ENABLE", 1)

    def _slices(self, nv: Any, error: type[BaseException], h: Any, parent: GpuInfo) -> list[GpuInfo]:
        slices = []
        for j in range(int(nv.nvmlDeviceGetMaxMigDeviceCount(h))):
            try:
                mh = nv.nvmlDeviceGetMigDeviceHandleByIndex(h, j)
            except error:
                continue  # an empty slot
            name = _text(nv.nvmlDeviceGetName(mh))
            profile = profile_from_name(name)
            mem = nv.nvmlDeviceGetMemoryInfo(mh)
            facts = mig_slice_facts(parent.name, profile or "")
            slices.append(
                parent.model_copy(
                    update={
                        "memory_total_gib": gib(mem.total),
                        "memory_free_gib": gib(mem.free),
                        "memory_used_gib": gib(mem.used),
                        "uuid": self._optional(error, lambda mh=mh: _text(nv.nvmlDeviceGetUUID(mh))),
                        "mig_profile": profile,
                        "mig_parent_index": parent.index,
                        "mig_device_index": j,
                        "compute_fraction": facts["compute_fraction"],
                        "processes": self._optional(
                            error, lambda mh=mh: len(nv.nvmlDeviceGetComputeRunningProcesses(mh))
                        ),
                    }
                )
            )
        return slices
