"""How long ranking the whole catalog takes, against the estimator's own sweep.

Baseline, measured in the same run: `estimator_sweep.sweep` over every catalog model x
method x GPU (the least work any ranking over the catalog must do). Then, for each example
answers file, `recommend()`:
- cold, `top=5` (the CLI default): the estimate cache emptied before every run;
- cold, no limit (every plan ranked, as the GUI's results page asks);
- warm, no limit, other weights each run (the GUI re-ranking while a slider moves).
The contract (issue 4) is under 50 ms for ranking the whole catalog.

    .venv/bin/python benchmarks/rank_speed.py --runs 7 --append

`--append` adds the figures to benchmarks/RESULTS.md under '## Ranking speed'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from results_md import append_entry

SECTION = "## Ranking speed"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = (
    "answers-support-bot.json",
    "answers-hospital-legal-qa.json",
    "answers-code-assistant.json",
    "answers-preference-dpo.json",
)


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args()

    from ftwizard.catalog.store import load_catalog
    from ftwizard.estimate.request import EstimateRequest
    from ftwizard.estimate.sweep import sweep
    from ftwizard.recommend.answers import load_answers
    from ftwizard.recommend.placement_cache import clear_cache
    from ftwizard.recommend.plan import ScoreWeights
    from ftwizard.recommend.ranking import recommend

    catalog = load_catalog()
    template = EstimateRequest(
        model_id=catalog.models[0].id, method="qlora", precision="bf16-true", seq_len=1280
    )
    sweep(catalog, template)  # imports and caches warmed like every other timing
    base = median_ms(lambda: sweep(catalog, template), args.runs)
    rows = [f"baseline `sweep()` over {len(catalog.models)} models x 3 methods x {len(catalog.gpus)} GPUs: {base:.1f} ms"]
    weights = [ScoreWeights(quality=q, cost=1 - q) for q in (0.2, 0.4, 0.6, 0.8)]
    for name in FILES:
        answers = load_answers(EXAMPLES / name)
        recommend(answers, catalog, top=5)

        def cold(top, answers=answers):
            clear_cache()
            return recommend(answers, catalog, top=top)

        turns = itertools.cycle(weights)

        def warm(answers=answers, turns=turns):
            return recommend(answers, catalog, weights=next(turns))

        top5 = median_ms(lambda: cold(5), args.runs)
        every = median_ms(lambda: cold(None), args.runs)
        n_plans = len(cold(None).recommendations)
        rerank = median_ms(warm, args.runs)
        rows.append(
            f"{name} ({answers.hardware.mode}): top 5 cold {top5:.1f} ms = {top5 / base:.2f} x baseline; "
            f"all {n_plans} plans cold {every:.1f} ms = {every / base:.2f} x; "
            f"re-ranked warm {rerank:.1f} ms = {rerank / base:.2f} x"
        )
    print("\n".join(rows))
    if args.append:
        _append(rows, args.runs)
    return 0


def _append(rows: list[str], runs: int) -> None:
    head = (
        f"- {dt.date.today().isoformat()}, `.venv/bin/python benchmarks/rank_speed.py --runs {runs} --append`, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end (the machine was shared), Python {sys.version.split()[0]}; "
        f"medians of {runs}:"
    )
    append_entry(SECTION, 'Command: `.venv/bin/python benchmarks/rank_speed.py --append`', head, rows)


if __name__ == "__main__":
    raise SystemExit(main())
