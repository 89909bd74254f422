"""The Catalog: the shipped files plus a user overlay, loaded, linked and audited.

Shipped as JSON under `resources/catalog/` (read through importlib.resources, so it works
from a wheel or an installer), validated by the row models of entries.py at load. A user
catalog file can overlay it (sites without network receive updates on a USB stick): its
entries replace shipped entries with the same id and add new ones. `validate_file` checks one
file for `ftwizard catalog validate`; `audit_models` and `sources_summary` say which facts rest
only on third-party copies.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from ftwizard.base.errors import CatalogError
from ftwizard.base.jsonio import json_path, read_json, validate_model
from ftwizard.catalog.entries import (
    SECTIONS,
    GpuEntry,
    Licence,
    ModelEntry,
    PriceEntry,
    TechniqueEntry,
    UserCatalog,
)


class Catalog(BaseModel):
    """Everything the estimator and ranker read, with lookups by id."""

    model_config = ConfigDict(frozen=True)

    version: str
    as_of: dt.date
    models: tuple[ModelEntry, ...]
    gpus: tuple[GpuEntry, ...]
    prices: tuple[PriceEntry, ...]
    licences: tuple[Licence, ...]
    techniques: tuple[TechniqueEntry, ...]
    overlays: tuple[str, ...] = ()

    @cached_property
    def _models_by_id(self) -> dict[str, ModelEntry]:
        return {m.id: m for m in self.models}

    @cached_property
    def _gpus_by_id(self) -> dict[str, GpuEntry]:
        return {g.id: g for g in self.gpus}

    @cached_property
    def _licences_by_id(self) -> dict[str, Licence]:
        return {lic.id: lic for lic in self.licences}

    def model(self, model_id: str) -> ModelEntry:
        try:
            return self._models_by_id[model_id.lower()]
        except KeyError:
            raise CatalogError(f"unknown model '{model_id}' (see `ftwizard catalog list`)") from None

    def gpu(self, gpu_id: str) -> GpuEntry:
        try:
            return self._gpus_by_id[gpu_id.lower()]
        except KeyError:
            raise CatalogError(f"unknown GPU '{gpu_id}' (see `ftwizard catalog list --gpus`)") from None

    def licence(self, licence_id: str) -> Licence:
        return self._licences_by_id[licence_id]

    def model_licences(self, model: ModelEntry) -> list[Licence]:
        return [self._licences_by_id[i] for i in model.licences]

    def find_gpu(self, name: str, memory_gb: float | None = None) -> GpuEntry | None:
        """Match a reported device name (NVML, nvidia-smi, ROCm) or a catalog id/name.

        Case-insensitive, '_' treated as ' ' (vLLM writes names with underscores). Cards
        sharing a name (RTX 4060 Ti 8/16 GB) are told apart by memory: the closest wins.
        """
        key = _norm(name)
        hits = [
            g
            for g in self.gpus
            if key in {_norm(n) for n in g.match_names} or key in (_norm(g.id), _norm(g.name))
        ]
        if not hits:
            return None
        if memory_gb is None or len(hits) == 1:
            return hits[0]
        return min(hits, key=lambda g: abs((g.memory_gb or 0) - memory_gb))

    def prices_for(self, gpu_id: str) -> list[PriceEntry]:
        return [p for p in self.prices if p.gpu_id == gpu_id]

    def technique(self, technique_id: str) -> TechniqueEntry:
        for t in self.techniques:
            if t.id == technique_id:
                return t
        raise CatalogError(f"unknown technique '{technique_id}'")


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").lower().split())


def _shipped_text(section: str) -> tuple[str, Any]:
    res = resources.files("ftwizard.resources").joinpath("catalog", f"{section}.json")
    label = f"resources/catalog/{section}.json"
    with resources.as_file(res) as path:
        return label, read_json(Path(path), CatalogError)


def _check_links(
    source: str,
    models: list[ModelEntry],
    gpus: list[GpuEntry],
    prices: list[PriceEntry],
    licence_ids: set[str],
    gpu_ids: set[str],
    model_offsets: dict[str, int] | None = None,
) -> None:
    """Cross-references: every licence and GPU id must exist; ids must be unique."""
    for kind, items in (("models", models), ("gpus", gpus), ("prices", prices)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                raise CatalogError(f"{source}: {json_path((kind, i, 'id'))}: duplicate id '{item.id}'")
            seen.add(item.id)
    for i, m in enumerate(models):
        for j, lic in enumerate(m.licences):
            if lic not in licence_ids:
                raise CatalogError(
                    f"{source}: {json_path(('models', i, 'licences', j))}: unknown licence '{lic}'"
                )
    for i, p in enumerate(prices):
        if p.gpu_id not in gpu_ids:
            raise CatalogError(f"{source}: {json_path(('prices', i, 'gpu_id'))}: unknown GPU '{p.gpu_id}'")


AUDITED_FACTS = ("architecture", "licence", "languages", "benchmarks", "release_date")


def audit_models(models: list[ModelEntry] | tuple[ModelEntry, ...], source: str,
                 known_ids: frozenset[str] | set[str] = frozenset()) -> tuple[list[str], list[str]]:
    """What an auditor would object to in shipped rows: (errors, warnings).

    Errors: a row with no primary source at all (vendor card, config, code or licence; a
    paper; a measurement), an empty language list, a superseded_by naming no catalog row.
    Warnings: facts whose every recorded source is a third-party copy (shown, not hidden)."""
    errors: list[str] = []
    warnings: list[str] = []
    ids = {m.id for m in models} | set(known_ids)  # a section file may name the shipped rows
    for i, m in enumerate(models):
        where = f"{source}: {json_path(('models', i))} ({m.id})"
        if not any(e.primary for e in m.evidence):
            errors.append(f"{where}.evidence: no primary source (vendor card, config, code or licence text, paper or measurement)")
        if not m.languages:
            errors.append(f"{where}.languages: empty; list the vendor's languages (ISO 639-1)")
        if m.superseded_by and m.superseded_by not in ids:
            errors.append(f"{where}.superseded_by: unknown model '{m.superseded_by}'")
        for fact in AUDITED_FACTS:
            refs = [e for e in m.evidence if e.fact == fact]
            if refs and not any(e.primary for e in refs):
                warnings.append(f"{m.id}: {fact} sourced from third-party copies only")
    return errors, warnings


def sources_summary(models: list[ModelEntry] | tuple[ModelEntry, ...]) -> dict[str, Any]:
    """Counts for `catalog validate`: rows, and per fact how many rows rest on third-party copies only."""
    third_only: dict[str, int] = {}
    for fact in AUDITED_FACTS:
        n = 0
        for m in models:
            refs = [e for e in m.evidence if e.fact == fact]
            if refs and not any(e.primary for e in refs):
                n += 1
        third_only[fact] = n
    return {
        "models": len(models),
        "with_primary_source": sum(1 for m in models if any(e.primary for e in m.evidence)),
        "third_party_only_by_fact": third_only,
    }


def validate_file(path: Path) -> str:
    """Validate one catalog file (shipped section or user overlay). Returns what it holds.

    The section is recognised from the keys present; references to licences and GPUs are
    checked against the shipped catalog plus the file itself.
    """
    data = read_json(path, CatalogError)
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: $: expected a JSON object")
    present = [k for k in SECTIONS if k in data]
    source = str(path)
    if len(present) == 1 and set(data) <= {"schema_version", "version", "as_of", present[0]}:
        section = present[0]
        parsed = validate_model(SECTIONS[section], data, source, CatalogError)
        base = load_catalog(None)
        items = getattr(parsed, section)
        licence_ids = {x.id for x in (items if section == "licences" else base.licences)}
        gpu_ids = {x.id for x in (items if section == "gpus" else base.gpus)}
        _check_links(
            source,
            items if section == "models" else [],
            items if section == "gpus" else [],
            items if section == "prices" else [],
            licence_ids,
            gpu_ids,
        )
        if section == "models":
            errors, _ = audit_models(items, source, {m.id for m in base.models})
            if errors:
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                raise CatalogError(errors[0] + more)
        return f"{section}: {len(items)} entries"
    overlay = validate_model(UserCatalog, data, source, CatalogError)
    load_catalog(Path(path))  # checks references against the shipped catalog
    n = len(overlay.models) + len(overlay.gpus) + len(overlay.prices) + len(overlay.licences)
    return f"user catalog: {n} entries"


def _merge(base: list[Any], extra: list[Any]) -> list[Any]:
    by_id = {x.id: x for x in base}
    for x in extra:
        by_id[x.id] = x
    return list(by_id.values())


_SHIPPED: Catalog | None = None


def load_catalog(user_catalog: Path | None = None) -> Catalog:
    """The shipped catalog, with a user overlay file applied if given.

    The shipped part is parsed once per process (it is immutable); overlays are re-read.
    """
    global _SHIPPED
    if _SHIPPED is None:
        files: dict[str, Any] = {}
        for section, model in SECTIONS.items():
            label, data = _shipped_text(section)
            files[section] = validate_model(model, data, label, CatalogError)
        _check_links(
            "resources/catalog",
            files["models"].models,
            files["gpus"].gpus,
            files["prices"].prices,
            {x.id for x in files["licences"].licences},
            {x.id for x in files["gpus"].gpus},
        )
        _SHIPPED = Catalog(
            version=files["models"].version,
            as_of=max(f.as_of for f in files.values()),
            models=tuple(files["models"].models),
            gpus=tuple(files["gpus"].gpus),
            prices=tuple(files["prices"].prices),
            licences=tuple(files["licences"].licences),
            techniques=tuple(files["techniques"].techniques),
        )
    if user_catalog is None:
        return _SHIPPED
    data = read_json(user_catalog, CatalogError)
    overlay = validate_model(UserCatalog, data, str(user_catalog), CatalogError)
    base = _SHIPPED
    licences = _merge(list(base.licences), overlay.licences)
    gpus = _merge(list(base.gpus), overlay.gpus)
    _check_links(
        str(user_catalog),
        overlay.models,
        overlay.gpus,
        overlay.prices,
        {x.id for x in licences},
        {x.id for x in gpus},
    )
    return Catalog(
        version=f"{base.version}+{overlay.version}",
        as_of=max(base.as_of, overlay.as_of),
        models=tuple(_merge(list(base.models), overlay.models)),
        gpus=tuple(gpus),
        prices=tuple(_merge(list(base.prices), overlay.prices)),
        licences=tuple(licences),
        techniques=base.techniques,
        overlays=(str(user_catalog),),
    )
