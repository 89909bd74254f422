"""Helpers shared by subcommands: JSON output and the catalog with the user overlay."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def print_json(obj: Any) -> None:
    if isinstance(obj, BaseModel):
        text = obj.model_dump_json(indent=2)
    else:
        text = json.dumps(obj, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write(text + "\n")


def catalog_from_args(args: argparse.Namespace):  # -> Catalog
    from ftwizard.catalog.store import load_catalog

    overlay = getattr(args, "user_catalog", None)
    return load_catalog(Path(overlay) if overlay else None)
