"""`ftwizard export recipe|pdf ...`: take a saved plan past this program."""

from __future__ import annotations

import argparse
from pathlib import Path

from ftwizard.cli.common import add_json_flag, catalog_from_args, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("export", help="export a saved plan: a multi-GPU recipe or the PDF")
    esub = p.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    rp = esub.add_parser(
        "recipe",
        help="a folder to run the plan on several GPUs or nodes with an existing engine",
        description="Writes run.json, the engine's config, launch.sh (and job.sbatch for Slurm) and a README.",
    )
    rp.add_argument("--plan", required=True, metavar="PLAN.json")
    rp.add_argument(
        "--engine", required=True, choices=("accelerate-fsdp", "deepspeed-zero3", "torchrun", "slurm")
    )
    rp.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder")
    rp.add_argument("--index", type=int, help="recommendation index (default: the chosen one)")
    rp.add_argument("--cpu-offload", action="store_true", help="FSDP/ZeRO-3: parameters and optimizer state in CPU memory")
    add_json_flag(rp)
    pp = esub.add_parser("pdf", help="the plan as a PDF")
    pp.add_argument("--plan", required=True, metavar="PLAN.json")
    pp.add_argument("--out", required=True, metavar="OUT.pdf")
    add_json_flag(pp)
    return p


def run(args: argparse.Namespace) -> int:
    from ftwizard import __version__
    from ftwizard.base.errors import ExportError
    from ftwizard.recommend.plan import load_plan

    plan = load_plan(Path(args.plan))
    if args.export_command == "pdf":
        try:
            from ftwizard.report.pdf import write_plan_pdf
        except ImportError:
            raise ExportError("PDF export is not available in this build") from None
        write_plan_pdf(plan, Path(args.out), catalog_from_args(args))
        written = [Path(args.out)]
    else:
        from ftwizard.recommend.recipes import render_recipe, write_recipe

        if args.index is not None and not 0 <= args.index < len(plan.recommendations):
            raise ExportError(f"{args.plan}: --index {args.index}: the plan has {len(plan.recommendations)} recommendations")
        files = render_recipe(plan, args.engine, __version__, args.index, args.cpu_offload)
        written = write_recipe(files, Path(args.out))
    if args.json:
        print_json({"written": [str(p) for p in written]})
    else:
        for p in written:
            print(p)
    return 0
