"""Put the catalog together: CSV rows + fixes + new models, each normalised by the schema.

Runs after csv_models.build_models. Needs src/ on sys.path (build_catalog.py puts it there):
parameter counts come from the estimator's own counter (ftwizard.estimate.arch), so
the catalog and the estimator cannot disagree, and every entry is validated and dumped by
the pydantic schema (field order = schema order; defaults written out).
"""

from __future__ import annotations

import copy
from typing import Any

from .capabilities import BENCH_TASK_KINDS, capabilities_for
from .new_models import NEW_MODELS
from .row_fixes import ROW_FIXES
from .row_tables import FAMILY_VENDOR
from .sources import ev, evidence_from_sources
from .vendor_shapes import VENDOR_SHAPES


def check_vendor_shapes(entry: dict[str, Any]) -> list[dict]:
    """The vendor evidence for a row's shapes, only if every field the vendor states equals the
    row's; a difference stops the build (a vendor source must not be cited for other shapes)."""
    found = VENDOR_SHAPES.get(entry["id"])
    if found is None:
        return []
    url, note, fields = found
    arch = entry["architecture"]
    wrong = {k: (v, arch.get(k)) for k, v in fields.items() if arch.get(k) != v}
    if wrong:
        raise SystemExit(f"{entry['id']}: the vendor source {url} states other shapes: {wrong} (vendor, catalog)")
    return [ev("architecture", url, "vendor", note)]


def _normalise(entry: dict[str, Any]) -> dict[str, Any]:
    from ftwizard.catalog.entries import ModelEntry

    return ModelEntry.model_validate(entry).model_dump(mode="json")


def _finish(entry: dict[str, Any]) -> dict[str, Any]:
    """Computed counts, benchmark task kinds, capabilities."""
    from ftwizard.catalog.entries import Architecture
    from ftwizard.estimate.arch import active_params, mamba2_mixer_params, shapes

    mamba = entry.pop("_mamba2", None)
    if mamba:
        entry["architecture"]["linear_params_per_layer"] = mamba2_mixer_params(
            entry["architecture"]["hidden_size"], **mamba
        )
    arch = Architecture.model_validate(entry["architecture"])
    if "params_b" not in entry:
        entry["params_b"] = round(shapes(arch).total_params / 1e9, 3)
    if arch.moe_experts and entry.get("active_params_b") is None:
        include_embedding = entry["family"] != "gpt-oss"  # OpenAI's convention (see active_params)
        entry["active_params_b"] = round(active_params(arch, include_embedding) / 1e9, 3)
    for b in entry["benchmarks"]:
        b.setdefault("task_kinds", BENCH_TASK_KINDS.get(b["name"], []))
    caps, refs = capabilities_for(entry)
    entry["capabilities"] = caps
    entry["evidence"] = entry.get("evidence", []) + refs
    return entry


def assemble_models(csv_models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in csv_models:
        entry = copy.deepcopy(row)
        fix = copy.deepcopy(ROW_FIXES.get(entry["id"], {}))
        fixed_evidence = fix.pop("_evidence", {})
        extra_evidence = fix.pop("_extra_evidence", [])  # added beside the CSV's sources
        entry.update(fix)
        for fact, refs in fixed_evidence.items():
            if fact in entry["sources"]:
                entry["sources"][fact] = "; ".join(r["url"] for r in refs)
        entry["evidence"] = evidence_from_sources(
            entry["sources"], fixed_evidence, FAMILY_VENDOR.get(entry["family"])
        ) + extra_evidence + check_vendor_shapes(entry)
        out.append(_normalise(_finish(entry)))
    for new in NEW_MODELS:
        out.append(_normalise(_finish(copy.deepcopy(new))))
    return out
