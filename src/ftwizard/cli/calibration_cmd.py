"""`ftwizard calibration list|export FILE|import FILE|clear`: the local record of runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from ftwizard.cli.common import add_json_flag, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("calibration", help="list, share or clear the estimate-vs-measured records")
    csub = p.add_subparsers(dest="calibration_command", metavar="ACTION", required=True)
    lp = csub.add_parser("list", help="show the recorded runs and probes")
    add_json_flag(lp)
    ep = csub.add_parser("export", help="write the records to a file to share offline")
    ep.add_argument("file")
    ip = csub.add_parser("import", help="add the records of an exported file")
    ip.add_argument("file")
    csub.add_parser("clear", help="delete every record")
    return p


def run(args: argparse.Namespace) -> int:
    import sys

    from ftwizard.estimate.calibration import CalibrationStore

    store = CalibrationStore()
    if store.notice:
        print(store.notice, file=sys.stderr)
    action = args.calibration_command
    if action == "list":
        recs = store.records()
        if args.json:
            print_json({"records": [r.model_dump(mode="json") for r in recs]})
        else:
            if not recs:
                print("No runs recorded yet: estimates are uncalibrated.")
            for r in recs:
                print(
                    f"{r.created_at:%Y-%m-%d} {r.kind:<5} {r.gpu_name:<28} {r.arch_key:<22} {r.method:<5} "
                    f"est {r.estimated_peak_gb:.1f} GB / measured {r.measured_peak_gb:.1f} GB"
                )
    elif action == "export":
        n = store.export(Path(args.file))
        print(f"wrote {n} records to {args.file}")
    elif action == "import":
        n = store.import_file(Path(args.file))
        print(f"added {n} records from {args.file}")
    elif action == "clear":
        n = store.clear()
        print(f"deleted {n} records")
    return 0
