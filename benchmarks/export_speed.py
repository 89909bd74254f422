"""Plan PDF export speed: a typical plan (the top 5 of an example's answers) to a PDF.

Baseline, measured in the same run: a one-page QPdfWriter document with one line of text,
written to memory (what any Qt PDF costs). Then the full plan PDF in memory
(`plan_pdf_bytes`, warm: Qt and pyqtgraph already started), and `write_plan_pdf` to disk as
the first export of a fresh process (cold: font database, first charts), timed around the
call only. Target (issue 7): under 2 seconds.

    .venv/bin/python benchmarks/export_speed.py --runs 5 --append

`--append` adds the figures to benchmarks/RESULTS.md under '## Plan PDF export'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_md import append_entry

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SECTION = "## Plan PDF export"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = ("answers-hospital-legal-qa.json", "answers-support-bot.json", "answers-code-assistant.json")
TOP = 5

COLD = """
import json, sys, time
from pathlib import Path
from ftwizard.recommend.answers import load_answers
from ftwizard.catalog.store import load_catalog
from ftwizard.recommend.ranking import recommend
from ftwizard.report.pdf import write_plan_pdf
catalog = load_catalog()
plan = recommend(load_answers(Path(sys.argv[1])), catalog, top=int(sys.argv[3]))
t0 = time.perf_counter()
write_plan_pdf(plan, Path(sys.argv[2]), catalog)
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""


def median_s(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def baseline_pdf() -> bytes:
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QPageSize, QPainter, QPdfWriter

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    painter.drawText(100, 100, "Fine-tuning plan")
    painter.end()
    return bytes(buffer.data().data())


def cold_seconds(answers: Path, top: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", COLD, str(answers), str(Path(tmp) / "plan.pdf"), str(top)],
            capture_output=True, text=True, timeout=300, check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--append", action="store_true")
    args = ap.parse_args()

    from ftwizard.catalog.store import load_catalog
    from ftwizard.recommend.answers import load_answers
    from ftwizard.recommend.ranking import recommend
    from ftwizard.report.pdf import ensure_qt_app, plan_pdf_bytes

    ensure_qt_app()
    catalog = load_catalog()
    baseline_pdf()  # warm Qt's PDF engine and fonts before timing anything
    base = median_s(baseline_pdf, args.runs * 4)
    rows = [f"baseline, one-page QPdfWriter document in memory: {base * 1e3:.1f} ms (median of {args.runs * 4})"]
    for name in FILES:
        plan = recommend(load_answers(EXAMPLES / name), catalog, top=TOP)
        data = plan_pdf_bytes(plan, catalog)  # warm-up, and the size and page count
        pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page ")
        warm = median_s(lambda plan=plan: plan_pdf_bytes(plan, catalog), args.runs)
        cold = cold_seconds(EXAMPLES / name, TOP)
        rows.append(
            f"{name} (top {TOP}, {pages or '?'} pages, {len(data) / 1e3:.0f} kB): warm {warm:.2f} s "
            f"= {warm / base:.0f} x baseline; first export in a fresh process {cold:.2f} s"
        )
    for r in rows:
        print(r)
    if args.append:
        _append(rows, args.runs)
    return 0


def _append(rows: list[str], runs: int) -> None:
    head = (
        f"- {dt.date.today().isoformat()}, `.venv/bin/python benchmarks/export_speed.py --runs {runs} --append`, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
        f"warm = median of {runs}:"
    )
    append_entry(SECTION, 'Command: `.venv/bin/python benchmarks/export_speed.py --append`. Target: under 2 s for a typical plan.', head, rows)


if __name__ == "__main__":
    raise SystemExit(main())
