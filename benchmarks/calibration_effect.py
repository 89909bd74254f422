"""Does calibrating from recorded runs make the estimator's memory figures closer?

"Recorded runs" are the measured rows of ../shared/data/finetune_memory_measured.csv that
`estimator_accuracy.py` evaluates (its row loading, requests and like-for-like statistic are
reused, not copied). Each (source, GPU) group plays one team's workstation: leave-one-out,
each row is estimated with the correction learned from the *other* rows of its group, turned
into CalibrationRecords (estimated = the estimator's figure on the source's footing, measured
= the source's figure), and matched by the product's own rules (`correction_from`: same model,
else same family, else same GPU and method). Baseline, in the same run: the uncalibrated
estimate of the same rows. Where a row's throughput converts to tokens/s per GPU, speed is
treated the same way.

A second part times `recommend()` on the example answers with and without a store of
records on the recommended GPUs (the ranker must stay under 50 ms).

Usage: .venv/bin/python benchmarks/calibration_effect.py [--rows] [--append] [--runs N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import estimator_accuracy as ea  # noqa: E402 (the sibling benchmark: rows, requests, footing)

from ftwizard.catalog.store import Catalog, load_catalog
from ftwizard.estimate.calibration import (  # noqa: E402
    CalibrationRecord,
    CalibrationStore,
    Correction,
    correction_from,
)
from ftwizard.estimate.estimator import estimate  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Calibration"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _record(res: dict, row: dict, gpu_id: str | None, tps: tuple[float, float] | None) -> CalibrationRecord:
    req = res["case"].req
    a = req.architecture
    return CalibrationRecord(
        gpu_name=row["gpu"].strip(), gpu_id=gpu_id, model_type=a.model_type,
        params_b=res["est"].total_params / 1e9, hidden_size=a.hidden_size,
        num_hidden_layers=a.num_hidden_layers, method=req.method, seq_len=req.seq_len,
        micro_batch=req.micro_batch, grad_ckpt=req.grad_ckpt, optimizer=req.optimizer,
        estimated_peak_gb=res["pred_gb"], measured_peak_gb=res["measured_gb"],
        estimated_tokens_per_s=tps[0] if tps else None, measured_tokens_per_s=tps[1] if tps else None,
    )


def leave_one_out(csv_path: Path) -> list[dict]:
    """One entry per measured row: error before and after calibration from its group's others."""
    catalog = load_catalog()
    results, _ = ea.run(csv_path)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    measured = [r for r in results if "ape" in r]
    speed: dict[int, tuple[float, float]] = {}  # case index -> (estimated, measured) tokens/s per GPU
    for r in measured:
        c = r["case"]
        _, gpu_id = ea._gpus(rows[c.index])
        got = ea.measured_tokens_per_s(rows[c.index])
        if gpu_id and got:
            est = estimate(c.req.model_copy(update={"gpu_id": gpu_id}), catalog)
            if est.tokens_per_s:
                speed[c.index] = (est.tokens_per_s / c.req.world_size, got)
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in measured:
        row = rows[r["case"].index]
        count, gpu_id = ea._gpus(row)
        groups.setdefault((r["case"].source, gpu_id or row["gpu"].strip()), []).append(r)
    out = []
    for (source, _), members in groups.items():
        for held in members:
            c = held["case"]
            row = rows[c.index]
            _, gpu_id = ea._gpus(row)
            others = [
                _record(o, rows[o["case"].index], gpu_id, speed.get(o["case"].index))
                for o in members if o is not held
            ]
            a = c.req.architecture
            corr = correction_from(others, gpu_id, row["gpu"].strip(), a.model_type, a.hidden_size,
                                   a.num_hidden_layers, c.req.method)
            out.append(_evaluate(held, corr, catalog, source, gpu_id, speed.get(c.index)))
    return out


def _evaluate(held: dict, corr: Correction, catalog: Catalog, source: str, gpu_id: str | None,
              tps: tuple[float, float] | None) -> dict:
    c = held["case"]
    est = estimate(c.req, catalog, corr)  # the product's path: the total is corrected
    pred = ea.comparable_gb(c, est.breakdown_gb, est.peak_vram_gb)
    m = held["measured_gb"]
    entry = {
        "index": c.index, "source": source, "label": c.label, "runs": corr.runs, "matched_on": corr.matched_on,
        "factor": corr.memory_factor, "measured_gb": m, "before_gb": held["pred_gb"], "after_gb": pred,
        "before": abs(held["pred_gb"] - m) / m, "after": abs(pred - m) / m,
    }
    if tps is not None and gpu_id:
        after = estimate(c.req.model_copy(update={"gpu_id": gpu_id}), catalog, corr).tokens_per_s
        entry["speed_before"] = abs(tps[0] / tps[1] - 1)
        entry["speed_after"] = abs(after / c.req.world_size / tps[1] - 1)
        entry["speed_runs"] = corr.speed_runs
    return entry


def table(entries: list[dict]) -> str:
    p = ea._p
    by: dict[str, list[dict]] = {}
    for e in entries:
        by.setdefault(e["source"], []).append(e)
    lines = [
        "| rows | n | with >= 1 matching record | median before | median after | p90 before | p90 after |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(name: str, es: list[dict]) -> str:
        b = [e["before"] for e in es]
        a = [e["after"] for e in es]
        hit = sum(e["runs"] > 0 for e in es)
        return (f"| {name} | {len(es)} | {hit} | {p(b, .5):.1%} | {p(a, .5):.1%} | "
                f"{p(b, .9):.1%} | {p(a, .9):.1%} |")

    for name in sorted(by):
        lines.append(row(name, by[name]))
    lines.append(row("**all measured rows**", entries))
    matched = [e for e in entries if e["runs"] > 0]
    lines.append(row("**rows with >= 1 matching record**", matched))
    better = sum(e["after"] < e["before"] - 1e-9 for e in matched)
    worse = sum(e["after"] > e["before"] + 1e-9 for e in matched)
    tiers: dict[str, int] = {}
    for e in matched:
        key = e["matched_on"].split(" '")[0]
        tiers[key] = tiers.get(key, 0) + 1
    lines.append("")
    lines.append(f"Of the {len(matched)} calibrated rows, {better} got closer and {worse} further; matched on: "
                 + ", ".join(f"{k} {n}" for k, n in sorted(tiers.items(), key=lambda kv: -kv[1])) + ".")
    sp = [e for e in entries if "speed_before" in e]
    if sp:
        sb = [e["speed_before"] for e in sp]
        sa = [e["speed_after"] for e in sp]
        hit = sum(e["speed_runs"] > 0 for e in sp)
        lines.append(f"Speed (tokens/s per GPU, {len(sp)} rows whose unit converts, {hit} with a speed record in "
                     f"their group): median abs error {p(sb, .5):.0%} before, {p(sa, .5):.0%} after; "
                     f"p90 {p(sb, .9):.0%} before, {p(sa, .9):.0%} after.")
    return "\n".join(lines)


def rank_speed(runs: int) -> str:
    """recommend() with and without records on the plans' GPUs; medians of `runs` (warm caches)."""
    from ftwizard.recommend.answers import load_answers
    from ftwizard.recommend.placement_cache import clear_cache
    from ftwizard.recommend.ranking import recommend

    catalog = load_catalog()
    out = []
    for name in ("answers-support-bot.json", "answers-code-assistant.json"):
        answers = load_answers(EXAMPLES / name)
        plain = recommend(answers, catalog)
        records = []
        for r in plain.recommendations:  # a few runs of every plan's model, method and GPU: worst case
            a = catalog.model(r.model_id).architecture
            for k in range(3):
                records.append(CalibrationRecord(
                    gpu_name=r.hardware.gpu_name, gpu_id=r.hardware.gpu_id, model_type=a.model_type,
                    params_b=r.params_b, hidden_size=a.hidden_size, num_hidden_layers=a.num_hidden_layers,
                    method=r.method, seq_len=1024, micro_batch=1, grad_ckpt=True, optimizer="adamw",
                    estimated_peak_gb=10.0, measured_peak_gb=10.5 + 0.1 * k,
                    estimated_tokens_per_s=1000.0, measured_tokens_per_s=900.0,
                ))

        def timed(top: int | None, answers=answers, **kw) -> float:
            times = []
            for _ in range(runs):
                clear_cache()
                t0 = time.perf_counter()
                recommend(answers, catalog, top=top, **kw)
                times.append((time.perf_counter() - t0) * 1e3)
            return statistics.median(times)

        timed(5)  # warm imports
        parts = []
        for top in (5, None):
            base = timed(top)
            cal = timed(top, calibration=records)
            label = "top 5" if top else f"all {len(plain.recommendations)} plans"
            parts.append(f"{label} cold {base:.1f} ms uncalibrated, {cal:.1f} ms calibrated = {cal / base:.2f} x")
        with tempfile.TemporaryDirectory() as folder:
            store = CalibrationStore(Path(folder) / "calibration.sqlite3")
            for r in records:
                store.add(r)
            reads = []
            for _ in range(runs):
                t0 = time.perf_counter()
                CalibrationStore(store.path).records()
                reads.append((time.perf_counter() - t0) * 1e3)
        parts.append(f"opening the store and reading its records {statistics.median(reads):.1f} ms")
        out.append(f"  - {name}, {len(records)} records on the plans' GPUs: " + "; ".join(parts))
    return "\n".join(out)


def append(text: str, command: str) -> None:
    body = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    entry = f"\n- {dt.date.today().isoformat()}, `{command}`\n\n{text}\n"
    if SECTION in body:
        start = body.index(SECTION)
        nxt = body.find("\n## ", start + len(SECTION))
        end = len(body) if nxt == -1 else nxt
        body = body[:end].rstrip("\n") + "\n" + entry + body[end:]
    else:
        body = body.rstrip("\n") + f"\n\n{SECTION}\n" + entry
    RESULTS.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=ea.CSV)
    ap.add_argument("--rows", action="store_true", help="also print every row")
    ap.add_argument("--runs", type=int, default=7, help="timed repetitions of the ranking")
    ap.add_argument("--append", action="store_true", help=f"append the figures to {RESULTS.name}")
    args = ap.parse_args(argv)
    entries = leave_one_out(args.csv)
    text = ("Memory, absolute % error against the measurements, before (the estimator alone: the baseline) "
            "and after leave-one-out calibration from the other rows of the same (source, GPU) group:\n\n"
            + table(entries))
    speed = "Ranking time (`recommend`, cache cleared each run):\n" + rank_speed(args.runs)
    print(text)
    print()
    print(speed)
    if args.rows:
        print()
        print("| # | source | row | runs | matched on | factor | measured | before | after |")
        print("| ---: | --- | --- | ---: | --- | ---: | ---: | ---: | ---: |")
        for e in sorted(entries, key=lambda e: e["index"]):
            print(f"| {e['index']} | {e['source']} | {e['label']} | {e['runs']} | {e['matched_on']} | "
                  f"{e['factor']:.3f} | {e['measured_gb']:.2f} | {e['before_gb']:.2f} | {e['after_gb']:.2f} |")
    if args.append:
        import os
        import platform

        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        where = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}"
        append(text + "\n\n" + speed + f"\n  ({where}; compare the ratio, not the times)",
               "python " + " ".join(["benchmarks/calibration_effect.py", *(argv or sys.argv[1:])]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
