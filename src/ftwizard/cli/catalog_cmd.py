"""`ftwizard catalog list|show ID|validate FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ftwizard.cli.common import add_json_flag, catalog_from_args, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("catalog", help="list, show and validate the catalog of models, GPUs and prices")
    csub = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    lp = csub.add_parser("list", help="list models (or GPUs, prices)")
    what = lp.add_mutually_exclusive_group()
    what.add_argument("--gpus", action="store_true", help="list GPUs instead of models")
    what.add_argument("--prices", action="store_true", help="list GPU-hour prices instead of models")
    what.add_argument("--licences", action="store_true", help="list licences instead of models")
    add_json_flag(lp)
    sp = csub.add_parser("show", help="show one model or GPU by id")
    sp.add_argument("id")
    add_json_flag(sp)
    vp = csub.add_parser("validate", help="check a catalog or user catalog file")
    vp.add_argument("file", nargs="?", help="file to check; omit to check the shipped catalog")
    add_json_flag(vp)
    return p


def _model_row(m, cat) -> dict:
    lic = cat.model_licences(m)
    return {
        "id": m.id,
        "name": m.name,
        "hf_repo_id": m.hf_repo_id,
        "params_b": m.params_b,
        "active_params_b": m.active_params_b,
        "context_tokens": m.context_tokens,
        "languages": m.languages,
        "licences": [
            {
                "id": x.id,
                "name": x.name,
                "commercial_use": x.commercial_use,
                "user_threshold_mau": x.user_threshold_mau,
                "attribution": x.attribution,
                "naming": x.naming,
                "output_use_restrictions": x.output_use_restrictions,
            }
            for x in lic
        ],
        "commercial_use": all(x.commercial_use for x in lic),
        "confidence": m.confidence,
    }


def _overlay_ids(cat) -> set[str]:
    """Ids a user overlay added or replaced: audited as the user's own, not as shipped rows."""
    if not cat.overlays:
        return set()
    from ftwizard.base.errors import CatalogError
    from ftwizard.base.jsonio import read_json
    from ftwizard.catalog.entries import UserCatalog

    ids: set[str] = set()
    for path in cat.overlays:  # already validated when the catalog loaded
        overlay = UserCatalog.model_validate(read_json(Path(path), CatalogError))
        ids |= {m.id for m in overlay.models}
    return ids


def run(args: argparse.Namespace) -> int:
    from ftwizard.base.errors import CatalogError
    from ftwizard.catalog.store import audit_models, sources_summary, validate_file

    if args.catalog_command == "validate":
        warnings: list[str] = []
        summary = None
        if args.file:
            what = validate_file(Path(args.file))
            where = args.file
        else:
            cat = catalog_from_args(args)
            shipped = [m for m in cat.models if m.id not in _overlay_ids(cat)]
            errors, warnings = audit_models(shipped, "resources/catalog/models.json")
            if errors:
                more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
                raise CatalogError(errors[0] + more)
            summary = sources_summary(shipped)
            what = f"{len(cat.models)} models, {len(cat.gpus)} GPUs, {len(cat.prices)} prices, {len(cat.licences)} licences"
            where = "shipped catalog"
        if args.json:
            out = {"valid": True, "file": where, "contents": what}
            if summary is not None:
                out["sources"] = summary
                out["warnings"] = warnings
            print_json(out)
        else:
            print(f"{where}: valid ({what})")
            if summary is not None:
                thin = ", ".join(f"{k} {v}" for k, v in summary["third_party_only_by_fact"].items() if v)
                print(
                    f"sources: {summary['with_primary_source']} of {summary['models']} models have a primary source; "
                    f"rows resting on third-party copies only, by fact: {thin or 'none'}"
                )
        return 0

    cat = catalog_from_args(args)
    if args.catalog_command == "show":
        ids = {m.id for m in cat.models}
        if args.id.lower() in ids:
            m = cat.model(args.id)
            data = m.model_dump(mode="json")
            data["licence_terms"] = [x.model_dump(mode="json") for x in cat.model_licences(m)]
        else:
            g = cat.find_gpu(args.id)
            if g is None:
                raise CatalogError(f"unknown model or GPU '{args.id}' (see `ftwizard catalog list`)")
            data = g.model_dump(mode="json")
            data["prices"] = [p.model_dump(mode="json") for p in cat.prices_for(g.id)]
        if args.json:
            print_json(data)
        else:
            for k, v in data.items():
                print(f"{k:>24}: {v}")
        return 0

    # list
    if args.gpus:
        rows = [g.model_dump(mode="json") for g in cat.gpus]
        if args.json:
            print_json({"catalog_version": cat.version, "as_of": str(cat.as_of), "gpus": rows})
        else:
            for g in cat.gpus:
                mem = f"{g.memory_gb:g} GB" if g.memory_gb else "-"
                tf = f"{g.bf16_dense_tflops:g} TF bf16" if g.bf16_dense_tflops else "-"
                print(f"{g.id:<22} {g.name:<36} {mem:>8}  {tf}")
        return 0
    if args.prices:
        rows = [p.model_dump(mode="json") for p in cat.prices]
        if args.json:
            print_json({"catalog_version": cat.version, "as_of": str(cat.as_of), "prices": rows})
        else:
            for p in cat.prices:
                flag = "" if p.verified else ("  (traced, undated: unverified)" if p.traced else "  (unverified)")
                print(f"{p.provider:<26} {p.gpu_id:<18} ${p.usd_per_gpu_hour:.2f}/GPU-h {p.pricing}{flag}")
        return 0
    if args.licences:
        rows = [x.model_dump(mode="json") for x in cat.licences]
        if args.json:
            print_json({"catalog_version": cat.version, "licences": rows})
        else:
            for x in cat.licences:
                print(f"{x.id:<20} commercial={'yes' if x.commercial_use else 'NO':<3} {x.name}")
        return 0
    rows = [_model_row(m, cat) for m in cat.models]
    if args.json:
        print_json({"catalog_version": cat.version, "as_of": str(cat.as_of), "models": rows})
    else:
        for r in rows:
            lic = ", ".join(x["id"] for x in r["licences"])
            com = "commercial" if r["commercial_use"] else "NON-COMMERCIAL"
            print(f"{r['id']:<30} {r['params_b']:>8.2f}B  {com:<15} {lic}")
    return 0
