"""The recorded runs applied to estimates: which correction goes with which estimate.

`estimate.calibration` stores the records and turns the matching ones into a `Correction`;
`estimate(req, catalog, calibration)` applies one. This module sits between: it reads the
records once and looks a correction up once per (GPU, architecture, method), so a ranking
over the whole catalog pays a dictionary lookup per estimate, and nothing at all for GPUs
without records.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from typing import Union

from ftwizard.catalog.entries import Architecture, GpuEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.calibration import (
    CalibrationRecord,
    CalibrationStore,
    Correction,
    correction_from,
)
from ftwizard.estimate.estimator import estimate, resolve_architecture
from ftwizard.estimate.request import Estimate, EstimateRequest

log = logging.getLogger(__name__)

# What callers may hand over: the store, records they already hold (tests, the benchmark,
# an imported team file), a lookup built earlier, or None for "uncalibrated".
CalibrationSource = Union[CalibrationStore, Iterable[CalibrationRecord], "CalibrationLookup", None]


class CalibrationLookup:
    """Corrections from one read of the records, cached per (GPU, architecture, method)."""

    def __init__(self, records: Iterable[CalibrationRecord]):
        self.records = list(records)
        # Indexed as correction_from matches: by catalog id, else (no id recorded) by driver name;
        # within a GPU and method, by exact architecture and by family (its tiers).
        self._by_id: dict[tuple[str, str], list[CalibrationRecord]] = {}
        self._by_name: dict[tuple[str, str], list[CalibrationRecord]] = {}
        for r in self.records:
            if r.gpus != 1:  # corrections are learned and applied per layout; the ranker's are single-GPU
                continue
            if r.gpu_id:
                self._by_id.setdefault((r.gpu_id, r.method), []).append(r)
            else:
                self._by_name.setdefault((r.gpu_name.lower(), r.method), []).append(r)
        self._tiers: dict[tuple, tuple[dict, dict, list]] = {}
        self._cache: dict[tuple, Correction | None] = {}
        # Stable across reads of the same records, cheap to build: keys the ranker's caches.
        self.key = f"{len(self.records)}:{hash(tuple(_fingerprint(r) for r in self.records)):x}"

    @classmethod
    def of(cls, source: CalibrationSource) -> CalibrationLookup | None:
        """A lookup for `source`, or None when it holds no records (then nothing is calibrated)."""
        if source is None or isinstance(source, CalibrationLookup):
            return source if source is None or source.records else None
        try:
            records = source.records() if isinstance(source, CalibrationStore) else list(source)
        except sqlite3.Error as exc:  # locked or damaged since it was opened: plan uncalibrated
            log.warning("calibration records unreadable: %s", exc)
            return None
        return cls(records) if records else None

    def correction(self, gpu: GpuEntry | None, arch: Architecture, method: str) -> Correction | None:
        """The correction for an estimate on `gpu`, or None when no record matches."""
        if gpu is None:
            return None
        group = (gpu.id, gpu.name.lower(), method)
        tiers = self._tiers.get(group)
        if tiers is None:
            on_gpu = self._by_id.get((gpu.id, method), []) + self._by_name.get((gpu.name.lower(), method), [])
            by_arch: dict[str, list[CalibrationRecord]] = {}
            by_type: dict[str, list[CalibrationRecord]] = {}
            for r in on_gpu:
                by_arch.setdefault(r.arch_key, []).append(r)
                by_type.setdefault(r.model_type, []).append(r)
            tiers = self._tiers[group] = (by_arch, by_type, on_gpu)
        by_arch, by_type, on_gpu = tiers
        if not on_gpu:
            return None
        # The closest tier alone goes to correction_from, which labels it the same way; models
        # falling back to the same tier share one computation.
        arch_key = f"{arch.model_type}:{arch.hidden_size}x{arch.num_hidden_layers}"
        if arch_key in by_arch:
            tier, which = by_arch[arch_key], ("model", arch_key)
        elif arch.model_type in by_type:
            tier, which = by_type[arch.model_type], ("family", arch.model_type)
        else:
            tier, which = on_gpu, ("gpu",)
        key = (group, which)
        if key not in self._cache:
            c = correction_from(
                tier, gpu.id, gpu.name, arch.model_type, arch.hidden_size, arch.num_hidden_layers, method
            )
            self._cache[key] = c if c.calibrated else None
        return self._cache[key]

    def for_request(self, req: EstimateRequest, catalog: Catalog) -> Correction | None:
        if req.gpu_id is None or req.world_size > 1:
            return None  # sharded runs are not calibrated from single-GPU records
        arch, _ = resolve_architecture(req, catalog)
        return self.correction(catalog.gpu(req.gpu_id), arch, req.method)


def _fingerprint(r: CalibrationRecord) -> tuple:
    return (r.created_at, r.gpu_id, r.gpu_name, r.arch_key, r.method, r.estimated_peak_gb, r.measured_peak_gb,
            r.estimated_tokens_per_s, r.measured_tokens_per_s)


def estimate_calibrated(req: EstimateRequest, catalog: Catalog, source: CalibrationSource) -> Estimate:
    """`estimate` with the correction the records give for this request's GPU and model."""
    lookup = CalibrationLookup.of(source)
    return estimate(req, catalog, lookup.for_request(req, catalog) if lookup else None)


def open_default_store() -> tuple[CalibrationStore | None, str | None]:
    """The user's store and a notice to show (a corrupt database moved aside), or (None, why)
    when it cannot be opened at all: calibration never stops a plan or an estimate."""
    try:
        store = CalibrationStore()
    except OSError as exc:
        log.warning("calibration store unavailable: %s", exc)
        return None, f"Calibration records could not be opened ({exc}); figures are uncalibrated."
    return store, store.notice
