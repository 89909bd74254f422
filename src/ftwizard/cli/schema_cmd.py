"""`ftwizard schema [NAME]`: the JSON schema of every persisted format."""

from __future__ import annotations

import argparse

from ftwizard.cli.common import add_json_flag, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("schema", help="print the JSON schema of a persisted format")
    p.add_argument("name", nargs="?", help="format name; omit to list them")
    add_json_flag(p)
    return p


def run(args: argparse.Namespace) -> int:
    from ftwizard.schemas import json_schema, schema_names

    if args.name is None:
        if args.json:
            print_json({"formats": schema_names()})
        else:
            print("\n".join(schema_names()))
        return 0
    print_json(json_schema(args.name))
    return 0
