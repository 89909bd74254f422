"""Digests of everything that decides a run's future, recorded in each checkpoint.

A resumed run must continue exactly as the uninterrupted run would have (same machine, same
kernels). That holds only if resume restores every piece of state the next step reads. Each
checkpoint's `state.json` therefore carries a SHA-256 per part, taken from the live objects
at save time; resume takes the same digests from the live objects once everything is
restored, before any further step, and names each part that differs:

  trainable   the weights the optimizer updates (the adapter, or the whole model for full)
  optimizer   every tensor and number in the optimizer's state_dict (moments, steps, groups)
  schedule    the learning-rate schedule's inputs at this step (lr is a pure function of them)
  rng         Python's and torch's random states (CUDA's too where used)
  data        the data position: step, epoch order, the data files' SHA-256
  base        the frozen weights and buffers, 4-bit constants and layout included (the DPO
              reference is this base with the adapter off)

The DPO reference path also gets a numeric check: the reference log-probabilities of a fixed
batch are recorded and recomputed on resume (`reference` in the differing parts when they
move by more than a relative 1e-5).

Hashing runs on the CPU copy of each tensor; on CUDA the base part (the whole frozen model)
is summarised on the device instead (per tensor: dtype, shape and float64 sum and sum of
squares), which catches a changed layout or constant without copying gigabytes per checkpoint.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable

PARTS = ("trainable", "optimizer", "schedule", "rng", "data", "base")
REFERENCE_RTOL = 1e-5


def _tensor_bytes(t) -> bytes:
    import torch

    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    t = t.contiguous().reshape(-1)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return t.view(torch.uint8).numpy().tobytes()


def _update(h, key: str, value) -> None:
    """Feed a value of a state tree into the hash: tensors by dtype, shape and bytes."""
    import torch

    h.update(key.encode())
    if isinstance(value, torch.Tensor):
        h.update(f"{value.dtype}{tuple(value.shape)}".encode())
        h.update(_tensor_bytes(value))
    elif isinstance(value, dict):
        for k in sorted(value, key=str):
            _update(h, f"{key}/{k}", value[k])
    elif isinstance(value, (list, tuple)):
        h.update(f"[{len(value)}]".encode())
        for i, v in enumerate(value):
            _update(h, f"{key}[{i}]", v)
    elif isinstance(value, float):
        h.update(repr(value).encode() if math.isfinite(value) else str(value).encode())
    else:
        h.update(repr(value).encode())


def digest_tree(tree) -> str:
    h = hashlib.sha256()
    _update(h, "", tree)
    return h.hexdigest()


def _trainable(model) -> dict:
    return {n: p for n, p in model.named_parameters() if p.requires_grad}


def _quant_states(model) -> dict:
    """bitsandbytes 4-bit layers: their constants and whether the CPU inference layout is on."""
    out = {}
    for name, m in model.named_modules():
        qs = getattr(getattr(m, "weight", None), "quant_state", None)
        if qs is None or not hasattr(qs, "as_dict"):
            continue
        try:
            parts = qs.as_dict(packed=True)
        except Exception:  # a repacked state cannot always be packed again: its flag is the news
            parts = {"absmax": getattr(qs, "absmax", None)}
        parts = {k: v for k, v in parts.items() if v is not None}
        parts["packing_format_for_cpu"] = bool(getattr(qs, "packing_format_for_cpu", False))
        out[name] = parts
    return out


def _device_summary(t) -> list:
    import torch

    x = t.detach().to(torch.float64)
    return [str(t.dtype), list(t.shape), float(x.sum()), float((x * x).sum())]


def _base(model) -> dict:
    frozen = {n: p for n, p in model.named_parameters() if not p.requires_grad}
    buffers = dict(model.named_buffers())
    tree = {"frozen": frozen, "buffers": buffers, "quant": _quant_states(model)}
    on_device = any(t.device.type != "cpu" for t in list(frozen.values()) + list(buffers.values()))
    if on_device:
        tree = {
            "frozen": {n: _device_summary(t) for n, t in frozen.items()},
            "buffers": {n: _device_summary(t) for n, t in buffers.items()},
            "quant": {n: {k: (_device_summary(v) if hasattr(v, "detach") else v) for k, v in q.items()}
                      for n, q in tree["quant"].items()},
        }
    return tree


def rng_state(device_kind: str) -> dict:
    import torch

    state = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if device_kind == "cuda":
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def state_digests(*, model, optimizer, schedule: dict, data: dict, device_kind: str) -> dict[str, str]:
    """One SHA-256 per part of PARTS, from the live objects."""
    return {
        "trainable": digest_tree(_trainable(model)),
        "optimizer": digest_tree(optimizer.state_dict()),
        "schedule": digest_tree(schedule),
        "rng": digest_tree(rng_state(device_kind)),
        "data": digest_tree(data),
        "base": digest_tree(_base(model)),
    }


def differing(saved: dict[str, str], restored: dict[str, str], skip: Iterable[str] = ()) -> list[str]:
    """The parts whose digests differ (a part missing on either side is left out)."""
    skip = set(skip)
    return [p for p in PARTS if p not in skip and p in saved and p in restored and saved[p] != restored[p]]


def reference_differs(saved: list[float] | None, restored: list[float] | None) -> bool:
    if not saved or restored is None:
        return False
    if len(saved) != len(restored):
        return True
    return any(abs(a - b) > REFERENCE_RTOL * max(1.0, abs(a)) for a, b in zip(saved, restored, strict=True))
