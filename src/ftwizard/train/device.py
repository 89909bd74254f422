"""Where the run computes and in what precision, how its peak memory is measured, and what
the manifest records about the machine and the libraries."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from importlib import metadata

LIBRARIES = ("ftwizard", "torch", "transformers", "peft", "trl", "accelerate", "bitsandbytes",
             "safetensors", "tokenizers", "pydantic", "numpy", "jinja2")


@dataclass
class Device:
    kind: str  # cuda, mps or cpu
    name: str
    memory_gb: float | None
    bf16: bool
    index: int = 0  # the GPU of this process (LOCAL_RANK under torchrun)

    @property
    def torch_device(self):
        import torch

        return torch.device("cuda", self.index) if self.kind == "cuda" else torch.device(self.kind)


def pick_device(local_rank: int = 0) -> Device:
    import torch

    if torch.cuda.is_available():
        if local_rank >= torch.cuda.device_count():
            from ftwizard.base.errors import RunConfigError

            raise RunConfigError(f"LOCAL_RANK {local_rank}: this machine has {torch.cuda.device_count()} GPU(s); "
                                 "start at most one process per GPU (--nproc_per_node)")
        torch.cuda.set_device(local_rank)  # peak-memory stats and bare .cuda() calls follow it
        props = torch.cuda.get_device_properties(local_rank)
        return Device("cuda", props.name, props.total_memory / 1e9, torch.cuda.is_bf16_supported(), local_rank)
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return Device("mps", "Apple GPU (MPS)", None, True)
    return Device("cpu", platform.processor() or platform.machine(), None, True)


def compute_dtype_name(precision: str, device: Device) -> str:
    """auto: bf16 where the GPU has it, fp16 on older GPUs (QLoRA paper uses bf16 compute),
    fp32 on CPU (no speed gain from 16-bit there, and no loss-scaling needed)."""
    if precision != "auto":
        if precision == "bf16" and device.kind == "cuda" and not device.bf16:
            return "fp16"  # said plainly in the start event's notes
        return precision
    if device.kind == "cpu":
        return "fp32"
    return "bf16" if device.bf16 else "fp16"


def torch_dtype(name: str):
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def bitsandbytes_available(device: Device) -> tuple[bool, str]:
    """Whether NF4 and 8-bit optimizers work here, and why not when they do not."""
    if device.kind == "mps":
        return False, "bitsandbytes has no Apple MPS build"
    try:
        import bitsandbytes  # noqa: F401
    except Exception as exc:  # ImportError, or a CUDA/ROCm library mismatch at import
        return False, f"bitsandbytes cannot be loaded ({type(exc).__name__})"
    if device.kind == "cuda":
        import torch

        if getattr(torch.version, "hip", None) and not _bnb_has_rocm():
            return False, "this bitsandbytes build has no AMD ROCm support"
    return True, ""


def _bnb_has_rocm() -> bool:
    try:
        from bitsandbytes.cextension import BNB_BACKEND  # type: ignore[attr-defined]

        return BNB_BACKEND == "ROCm"
    except Exception:
        return False


class PeakMemory:
    """GPU peak reserved memory on CUDA (what the card must hold, fragmentation included);
    the process's peak resident memory elsewhere."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self.kind = "gpu" if device.kind == "cuda" else "process"

    def reset(self) -> None:
        if self.device.kind == "cuda":
            import torch

            torch.cuda.reset_peak_memory_stats()

    def peak_gb(self) -> float:
        if self.device.kind == "cuda":
            import torch

            return torch.cuda.max_memory_reserved() / 1e9
        return _peak_rss_bytes() / 1e9

    def allocated_peak_gb(self) -> float | None:
        if self.device.kind == "cuda":
            import torch

            return torch.cuda.max_memory_allocated() / 1e9
        return None


def _peak_rss_bytes() -> int:
    try:
        import resource

        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return rss if sys.platform == "darwin" else rss * 1024  # macOS reports bytes, Linux KiB
    except ImportError:  # Windows
        try:
            import psutil  # type: ignore[import-not-found]

            return psutil.Process().memory_info().peak_wset
        except Exception:
            return 0


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    try:
        import torch

        out["cuda"] = torch.version.cuda or "none"
        if getattr(torch.version, "hip", None):
            out["rocm"] = torch.version.hip
    except ImportError:
        pass
    return out


def hardware_info(device: Device) -> dict:
    return {
        "device": device.kind,
        "device_name": device.name,
        "device_memory_gb": round(device.memory_gb, 2) if device.memory_gb else None,
        "bf16_supported": device.bf16,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count() or 1,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
