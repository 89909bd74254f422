"""How long `ftwizard detect` takes on this machine, against starting the CLI at all.

Baseline, measured in the same run: `python -m ftwizard --version` (interpreter start and
CLI import). Reported: medians of N runs of each, their ratio, and the median of
`detect()` in-process with the catalog already loaded (the GUI's case).

Usage: .venv/bin/python benchmarks/hardware_detect.py [--runs N] [--append]
`--append` adds the figures to benchmarks/RESULTS.md under '## Hardware detection'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Hardware detection"


def wall_s(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args()
    py = sys.executable
    base = [wall_s([py, "-m", "ftwizard", "--version"]) for _ in range(args.runs)]
    cli = [wall_s([py, "-m", "ftwizard", "detect"]) for _ in range(args.runs)]
    cli_json = [wall_s([py, "-m", "ftwizard", "detect", "--json"]) for _ in range(args.runs)]

    from ftwizard.catalog.store import load_catalog
    from ftwizard.hardware.detect import detect

    catalog = load_catalog()
    inproc = []
    for _ in range(args.runs * 3):
        t0 = time.perf_counter()
        profile = detect(catalog=catalog)
        inproc.append(time.perf_counter() - t0)

    b, c, j, d = (statistics.median(x) for x in (base, cli, cli_json, inproc))
    lines = [
        f"- {dt.date.today()}, `{Path(py).name} benchmarks/hardware_detect.py --runs {args.runs}`, "
        f"{platform.system()} {platform.machine()}, {profile.cpu.logical_cores} cores; "
        f"profile: {profile.summary}",
        f"  - baseline `ftwizard --version`: {b * 1000:.0f} ms (median of {args.runs})",
        f"  - `ftwizard detect`: {c * 1000:.0f} ms = {c / b:.2f} x baseline",
        f"  - `ftwizard detect --json`: {j * 1000:.0f} ms = {j / b:.2f} x baseline",
        f"  - `detect()` in-process, catalog loaded: {d * 1000:.1f} ms (median of {len(inproc)})",
    ]
    print("\n".join(lines))
    if args.append:
        append(lines)
    return 0


def append(lines: list[str]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = "\n".join(lines) + "\n"
    if SECTION not in text:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nCommand: `.venv/bin/python benchmarks/hardware_detect.py --append`\n\n"
        text += block
    else:
        # append at the end of our own section, before the next '## '
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        end = len(text) if nxt < 0 else nxt + 1
        text = text[:end].rstrip("\n") + "\n" + block + ("\n" + text[end:] if nxt >= 0 else "")
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
