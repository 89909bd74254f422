"""How fast is the estimator? One estimate, and a sweep of the catalog x GPUs x methods.

Targets (issue 3): one estimate well under a millisecond; the whole sweep under 20 ms, so
the GUI can re-rank while a slider moves. Baseline, measured in the same run: building one
EstimateRequest (pydantic validation), the least any caller pays to ask.

Usage: .venv/bin/python benchmarks/estimator_speed.py [--repeats 31] [--append]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import EstimateRequest
from ftwizard.estimate.sweep import sweep

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Estimator speed"


FASTEST: dict[str, float] = {}


def timed(fn, repeats: int, inner: int, name: str = "") -> float:
    """Median seconds per call over `repeats` batches of `inner` calls (fastest kept aside)."""
    fn()  # warm caches (catalog, shapes)
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
    FASTEST[name] = min(samples)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=31)
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args(argv)
    catalog = load_catalog()
    kw = dict(model_id="llama-3.1-8b", method="qlora", seq_len=1024, gpu_id="rtx-4090")
    memory_only = EstimateRequest(**kw)
    with_data = EstimateRequest(**kw, examples=2000, avg_tokens=512, epochs=3)
    template = EstimateRequest(model_id="llama-3.1-8b", method="qlora", seq_len=1024)

    base = timed(lambda: EstimateRequest(**kw), args.repeats, 200)
    one = timed(lambda: estimate(memory_only, catalog), args.repeats, 200)
    full = timed(lambda: estimate(with_data, catalog), args.repeats, 100)
    rows = len(sweep(catalog, template))
    swp = timed(lambda: sweep(catalog, template), args.repeats, 1, "sweep")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"- {dt.date.today().isoformat()}, `python benchmarks/estimator_speed.py {' '.join(argv or sys.argv[1:])}`, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}",
        f"  - baseline, building one EstimateRequest: {base * 1e6:.0f} us",
        f"  - one estimate (memory, fit, speed on one GPU): {one * 1e3:.3f} ms = {one / base:.1f} x baseline",
        f"  - one estimate with data size ({len(catalog.prices)} priced offers + serving cost): "
        f"{full * 1e3:.3f} ms = {full / base:.1f} x baseline",
        f"  - sweep of {len(catalog.models)} models x {len(catalog.gpus)} GPUs x 3 methods ({rows} rows): "
        f"{swp * 1e3:.1f} ms = {swp / base:.0f} x baseline (median of {args.repeats}; fastest "
        f"{FASTEST['sweep'] * 1e3:.1f} ms; 1-minute load average {load:.1f})",
    ]
    text = "\n".join(lines)
    print(text)
    if args.append:
        body = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
        if SECTION in body:
            start = body.index(SECTION)
            nxt = body.find("\n## ", start + len(SECTION))
            end = len(body) if nxt == -1 else nxt
            body = body[:end].rstrip("\n") + "\n" + text + "\n" + body[end:]
        else:
            body = body.rstrip("\n") + f"\n\n{SECTION}\n\nTargets: one estimate well under 1 ms; the sweep under 20 ms.\n\n{text}\n"
        RESULTS.write_text(body, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
