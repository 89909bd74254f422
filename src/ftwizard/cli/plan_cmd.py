"""`ftwizard plan --answers FILE [--top N] [--json] [--json-out FILE] [--pdf FILE] [--weights ...]
[--model-dir DIR ...] [--confirm-licence MODEL=LICENCE ...]`.

Prints the advice, the ranked plans and a summary of what was excluded. The task
description in the answers is never printed (it may describe regulated work); it is kept
only inside the saved plan file (--json-out, written 0600).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from ftwizard.base.units import mem_value, settings_money
from ftwizard.cli.common import add_json_flag, catalog_from_args, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("plan", help="rank model x technique x hardware plans from the wizard's answers")
    p.add_argument("--answers", required=True, metavar="FILE", help="answers JSON (see `ftwizard schema answers`)")
    p.add_argument("--top", type=_positive_int, default=5, metavar="N", help="how many plans to keep (default 5)")
    p.add_argument(
        "--weights",
        metavar="NAME=W,...",
        help="score weights, e.g. quality=0.4,cost=0.2 (quality, data_fit, time, cost, inference_cost, "
        "maturity); unnamed parts keep their defaults, then all are normalised to sum 1",
    )
    p.add_argument(
        "--hardware-profile",
        metavar="FILE",
        help="a saved hardware profile JSON to use in 'detect' mode instead of detecting now",
    )
    p.add_argument(
        "--electricity",
        type=float,
        metavar="USD_PER_KWH",
        help="electricity tariff for local runs (default: the estimator's 0.30 USD/kWh)",
    )
    p.add_argument(
        "--no-calibration",
        action="store_true",
        help="ignore the runs recorded on this workstation (`ftwizard calibration list`): physics alone",
    )
    p.add_argument(
        "--model-dir",
        action="append",
        metavar="DIR",
        help="a local model folder (config.json, tokenizer, weights, LICENSE/README) to rank as a candidate "
        "beside the catalog's models; repeatable",
    )
    p.add_argument(
        "--confirm-licence",
        action="append",
        metavar="MODEL=LICENCE",
        help="confirm a --model-dir folder's licence (folder name or local-<name> = a licence id from "
        "`ftwizard catalog list --licences`); an unrecognised licence is otherwise excluded from commercial use",
    )
    p.add_argument("--json-out", metavar="FILE", help="save the whole plan (answers included) as JSON")
    p.add_argument("--pdf", metavar="FILE", help="write the plan as a PDF report")
    p.add_argument(
        "--dataset-report", metavar="FILE",
        help="the JSON of `ftwizard data inspect DATA --report FILE`: the PDF's compliance checklist then "
        "names the dataset file, its SHA-256 and the personal-data scan",
    )
    add_json_flag(p)
    return p


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def run(args: argparse.Namespace) -> int:
    from ftwizard.base.errors import AnswersError, ExportError, PlanError
    from ftwizard.base.jsonio import check_destination
    from ftwizard.recommend.answers import load_answers
    from ftwizard.recommend.plan import parse_weights, save_plan
    from ftwizard.recommend.ranking import recommend

    answers = load_answers(Path(args.answers))
    weights = None
    if args.weights:
        try:
            weights = parse_weights(args.weights)
        except ValueError as exc:
            raise AnswersError(f"--weights: {exc}") from None
    if args.electricity is not None and not args.electricity >= 0:
        raise AnswersError("--electricity: the tariff must be 0 or more USD per kWh")
    catalog = catalog_from_args(args)
    if args.model_dir or args.confirm_licence:
        from ftwizard.recommend.local_models import parse_confirmations, with_local_models

        catalog = with_local_models(catalog, args.model_dir, parse_confirmations(args.confirm_licence))
    hardware = _hardware(args, answers, catalog)
    store = None
    if not args.no_calibration:
        import sys

        from ftwizard.estimate.calibrated import open_default_store

        store, notice = open_default_store()
        if notice:
            print(notice, file=sys.stderr)
    try:
        plan = recommend(
            answers, catalog, hardware, weights=weights, top=args.top, electricity_usd_per_kwh=args.electricity,
            calibration=store,
        )
    except AnswersError as exc:  # name the file the user gave, not just "answers"
        raise AnswersError(str(exc).replace("answers: ", f"{args.answers}: ", 1)) from None
    # Check every destination before writing any, so a bad --pdf leaves no --json-out behind.
    for out, error in ((args.json_out, PlanError), (args.pdf, ExportError)):
        if out:
            check_destination(Path(out), error)
    dataset = None
    if args.dataset_report:
        from ftwizard.base.errors import DatasetError
        from ftwizard.base.jsonio import load_model
        from ftwizard.data.report import DatasetReport

        dataset = load_model(DatasetReport, Path(args.dataset_report), DatasetError)
    if args.json_out:
        save_plan(plan, Path(args.json_out))
    if args.pdf:
        try:
            from ftwizard.report.pdf import write_plan_pdf
        except ImportError:
            raise ExportError("PDF export not available yet") from None
        write_plan_pdf(plan, Path(args.pdf), catalog, dataset=dataset)
    if args.json:
        print_json(plan.summary_dict())
    else:
        _print_human(plan, args)
    return 0


def _hardware(args: argparse.Namespace, answers, catalog):
    if answers.hardware.mode != "detect":
        return None
    from ftwizard.base.errors import HardwareError
    from ftwizard.base.jsonio import load_model
    from ftwizard.hardware.profile import HardwareProfile

    if args.hardware_profile:
        return load_model(HardwareProfile, Path(args.hardware_profile), HardwareError)
    from ftwizard.hardware.detect import detect

    return detect(catalog)


def _print_human(plan, args: argparse.Namespace) -> None:
    a = plan.advice
    print(("Fine-tune: yes. " if a.fine_tune else "Fine-tune: not yet. ") + a.summary)
    for alt in a.alternatives:
        print(f"  alternative: {alt}")
    for note in a.notes:
        print(f"  - {note}")
    print()
    recs = plan.recommendations
    money = settings_money()  # the PDF's currency too: CLI text and PDF agree
    if recs:
        print(f"Ranked plans (top {len(recs)}):")
        head = ("#", "model", "technique", "hardware", "GPU GB", "hours", f"train {money.code}",
                f"monthly {money.code}", "score")
        rows = [
            (
                str(r.rank) + ("!" if r.tier == "warning" else ""),
                r.model_name,
                r.technique + ("" if r.technique != "dpo" else f"/{r.method}"),
                f"{r.hardware.count} x {r.hardware.gpu_name} ({r.hardware.provider})",
                mem_value(r.peak_vram_gb),
                "?" if r.train_hours is None else f"{r.train_hours:.1f}",
                money(r.train_cost_usd, dash="?"),
                money(r.monthly_inference_usd, dash="?"),
                f"{r.score:.3f}",
            )
            for r in recs
        ]
        widths = [max(len(row[i]) for row in (head, *rows)) for i in range(len(head))]
        for row in (head, *rows):
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if any(r.tier == "warning" for r in recs):
            print("  ! warning tier: tight memory, unchecked figures, an untraced price, serving over budget "
                  "or a superseded model (see the plan's warnings)")
        top = recs[0]
        print(f"\nWhy #1 ({top.model_name}, {top.technique}):")
        for r in top.reasons:
            print(f"  - {r}")
        if top.calibration:
            print(f"  - Memory and time are {top.calibration}.")
        for w in top.warnings:
            print(f"  ! {w}")
        p = top.score_parts
        print(
            f"  score {p.total:.3f} = quality {p.quality:.2f}, data fit {p.data_fit:.2f}, time {p.time:.2f}, "
            f"cost {p.cost:.2f}, serving {p.inference_cost:.2f}, maturity {p.maturity:.2f} "
            f"(weights: {', '.join(f'{k} {v:.2f}' for k, v in plan.weights.model_dump().items())})"
        )
    else:
        print("No plan meets every constraint.")
    whole = [e for e in plan.excluded if e.technique is None]
    if whole:
        by = Counter(e.constraint for e in whole)
        print(f"\nExcluded {len(whole)} models: " + ", ".join(f"{n} by {c}" for c, n in by.most_common()) + ".")
        for e in whole[:8]:
            print(f"  - {e.model_id}: {e.reason}")
        if len(whole) > 8:
            print(f"  ... and {len(whole) - 8} more (--json lists every reason).")
    if args.json_out:
        print(f"\nPlan saved to {args.json_out}")
    if args.pdf:
        print(f"PDF written to {args.pdf}")
