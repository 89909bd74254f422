"""What a MIG slice's profile name says about it, for NVML and nvidia-smi alike.

A profile 'Ng.Mgb' has N of the GPU's compute slices and about M GB of its memory; A100 and
H100 have 7 compute slices, A30 has 4 (NVIDIA MIG user guide, 'Supported MIG Profiles').
"""

from __future__ import annotations

import re

_PROFILE = re.compile(r"(\d+)g\.(\d+)gb", re.IGNORECASE)  # also "1g.10gb+me"


def compute_slices_total(parent_name: str) -> int:
    return 4 if re.search(r"\bA30\b", parent_name) else 7


def mig_slice_facts(parent_name: str, profile: str) -> dict[str, float | None]:
    """{'compute_fraction': N/7, 'memory_total_gib': M} from a profile like '3g.40gb'.

    The memory from the name is the nominal figure; a backend that can measure the slice
    (NVML, the nvidia-smi MIG table) overrides it.
    """
    m = _PROFILE.search(profile)
    if not m:
        return {"compute_fraction": None, "memory_total_gib": None}
    n = int(m.group(1))
    total = compute_slices_total(parent_name)
    return {"compute_fraction": min(1.0, n / total), "memory_total_gib": float(m.group(2))}


def profile_from_name(device_name: str) -> str | None:
    """NVML names a slice 'NVIDIA A100-SXM4-80GB MIG 3g.40gb': return '3g.40gb'."""
    m = re.search(r"MIG\s+(\S+)", device_name)
    return m.group(1) if m else None
