"""Dataset inspection throughput and memory on a generated JSON Lines file.

Baseline, measured in the same run on the same file: a bare loop of `json.loads` over the
lines (the least any JSONL reader must do). Then `inspect()` with the personal-data scan, and
without it. Each runs in its own child process so peak RSS is its own.

    .venv/bin/python benchmarks/data_inspect.py --rows 1000000 --append

`--append` adds the figures to benchmarks/RESULTS.md under '## Dataset inspection'.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Dataset inspection"

WORDS = (
    "account balance transfer loan rate card statement branch customer request please "
    "thank you could would policy review approve decline payment schedule interest"
).split()


def make_file(path: Path, rows: int, seed: int = 0) -> None:
    """Support-desk chats of 20-200 words; 1% broken lines, 1% duplicates, some e-mail addresses."""
    rng = random.Random(seed)
    previous = ""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(rows):
            r = rng.random()
            if r < 0.01:
                fh.write('{"messages": [{"role": "user", "content": "cut off\n')
                continue
            if r < 0.02 and previous:
                fh.write(previous)  # a duplicate of the row before
                continue
            user = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60)))
            answer = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 140)))
            if r > 0.97:
                user += f" reach me at client{i}@example.com"
            row = {"messages": [
                {"role": "system", "content": "You are the bank's support assistant."},
                {"role": "user", "content": f"#{i} {user}"},
                {"role": "assistant", "content": answer},
            ]}
            previous = json.dumps(row) + "\n"
            fh.write(previous)


def child(mode: str, path: str) -> None:
    """Runs in a fresh process; prints one JSON line of figures."""
    t0 = time.perf_counter()
    if mode == "baseline":
        rows = 0
        with open(path, "rb") as fh:
            for line in fh:
                try:
                    json.loads(line)
                except ValueError:
                    pass
                rows += 1
        extra = {}
    else:
        from ftwizard.core.data.inspection import inspect

        report = inspect(path, scan_pii=(mode == "inspect"))
        rows = report.rows_read
        extra = {"rows_good": report.rows_good, "rows_bad": report.rows_bad,
                 "p95_tokens": report.tokens.p95_tokens, "mean_tokens": round(report.tokens.mean_tokens, 1)}
    seconds = time.perf_counter() - t0
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"mode": mode, "rows": rows, "seconds": seconds, "peak_rss_mb": peak_rss_mb, **extra}))


def run_child(mode: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--append", action="store_true", help="add the figures to benchmarks/RESULTS.md")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jsonl"
        make_file(path, args.rows)
        load_before = os.getloadavg()[0]
        size_mb = path.stat().st_size / 1e6
        results = {m: run_child(m, path) for m in ("baseline", "inspect", "inspect_no_pii")}

    base = results["baseline"]
    lines = [
        f"- {datetime.date.today()}, `python benchmarks/data_inspect.py --rows {args.rows}`, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"file {args.rows:,} lines, {size_mb:.0f} MB; load average before/after "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f} (a shared machine: compare ratios, not times).",
    ]
    for mode, label in (("baseline", "baseline: `json.loads` per line"),
                        ("inspect", "`inspect()` (estimate tokens, PII scan)"),
                        ("inspect_no_pii", "`inspect(scan_pii=False)`")):
        r = results[mode]
        rate = r["rows"] / r["seconds"]
        ratio = r["seconds"] / base["seconds"]
        lines.append(
            f"  - {label}: {r['seconds']:.1f} s, {rate:,.0f} rows/s, {size_mb / r['seconds']:.1f} MB/s, "
            f"peak RSS {r['peak_rss_mb']:.0f} MB; {ratio:.2f} x baseline time"
        )
    ins = results["inspect"]
    lines.append(f"  - inspect found {ins['rows_good']:,} good / {ins['rows_bad']:,} bad rows; "
                 f"tokens p95 {ins['p95_tokens']}, mean {ins['mean_tokens']}")
    print("\n".join(lines))
    if args.append:
        append(lines)
    return 0


def append(lines: list[str]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    entry = "\n".join(lines) + "\n"
    start = text.find(SECTION)
    if start < 0:
        header = f"\n{SECTION}\n\nCommand: `.venv/bin/python benchmarks/data_inspect.py --rows 1000000 --append`\n\n"
        text = text.rstrip("\n") + "\n" + header + entry
    else:
        # append at the end of our own section, before the next '## '
        nxt = text.find("\n## ", start + len(SECTION))
        end = len(text) if nxt < 0 else nxt + 1
        body = text[:end].rstrip("\n") + "\n" + entry
        text = body + ("\n" + text[end:] if nxt >= 0 else "")
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
