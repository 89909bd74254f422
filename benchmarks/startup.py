"""Start-up time of the wizard: process start to the first page painted.

Baseline, measured in the same run the same way: a bare PySide6 QWizard with one empty page.
ftwizard: the window `ftwizard` opens (create_app + WizardWindow, as gui.app.run_app does).
Each start is a fresh interpreter; the clock runs from just before the child is spawned to
the first paint event of the page on screen (wall clock, time.time() on both sides). Runs
alternate between the two so a busy machine slows both alike. Also reported: when the rest
of the pages are built (`ready`), the moment the user can press Next.

    .venv/bin/python benchmarks/startup.py --runs 15 --append

Target (issue 6): ftwizard at most 1.3 x the baseline. `--append` adds the figures to
benchmarks/RESULTS.md under '## GUI start-up'.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## GUI start-up"
TARGET_RATIO = 1.3

# The child prints the wall-clock time of the page's first paint, then quits.
_PROBE = """
import json, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
stamps = {}
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "shown" not in stamps:
            stamps["shown"] = time.time()
        return False
"""

BASELINE = _PROBE + """
from PySide6.QtWidgets import QApplication, QWizard, QWizardPage
app = QApplication(sys.argv)
w = QWizard()
page = QWizardPage()
page.setTitle("Welcome")
w.addPage(page)
probe = FirstPaint(); page.installEventFilter(probe)
w.show()
def done():
    stamps.setdefault("ready", stamps.get("shown", time.time()))
    print(json.dumps(stamps)); app.quit()
QTimer.singleShot(0, lambda: QTimer.singleShot(0, done))
app.exec()
"""

FTWIZARD = _PROBE + """
from ftwizard.gui.app import create_app
from ftwizard.gui.wizard import WizardWindow
app = create_app([])
w = WizardWindow()
probe = FirstPaint(); w.welcome.installEventFilter(probe)
w.show()
def done():
    w.finish_setup()  # already run by the first event-loop turn; a no-op then
    stamps["ready"] = time.time()
    print(json.dumps(stamps)); app.quit()
QTimer.singleShot(0, lambda: QTimer.singleShot(0, done))
app.exec()
"""


def one_start(code: str, env: dict[str, str]) -> tuple[float, float]:
    """(seconds to first paint, seconds to ready), from just before the spawn."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr[-2000:]}")
    stamps = json.loads(out.stdout.strip().splitlines()[-1])
    return stamps["shown"] - t0, stamps["ready"] - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--append", action="store_true", help="add the figures to benchmarks/RESULTS.md")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else "xcb")
    env["FTWIZARD_HOME"] = tempfile.mkdtemp(prefix="ftwizard-bench-")  # no autosave, no settings

    for code in (BASELINE, FTWIZARD):  # warm the OS file cache once; not counted
        one_start(code, env)
    base, mine = [], []
    for _ in range(args.runs):
        base.append(one_start(BASELINE, env))
        mine.append(one_start(FTWIZARD, env))
    base_shown = statistics.median(s for s, _ in base)
    shown = statistics.median(s for s, _ in mine)
    ready = statistics.median(r for _, r in mine)
    ratio = shown / base_shown
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"- {datetime.date.today().isoformat()}, `.venv/bin/python benchmarks/startup.py --runs {args.runs}"
        f"{' --append' if args.append else ''}`, QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f} "
        f"at the end, Python {platform.python_version()}; medians of {args.runs} fresh processes:",
        f"  - baseline bare PySide6 QWizard, first page painted: {base_shown * 1000:.0f} ms",
        f"  - ftwizard, welcome page painted: {shown * 1000:.0f} ms = {ratio:.2f} x baseline "
        f"({verdict} the {TARGET_RATIO} x target)",
        f"  - ftwizard, all pages built (Next usable): {ready * 1000:.0f} ms = {ready / base_shown:.2f} x baseline",
    ]
    print("\n".join(lines))
    if args.append:
        append(lines)
    return 0


def append(lines: list[str]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    entry = "\n".join(lines) + "\n"
    start = text.find(SECTION)
    if start < 0:
        header = f"\n{SECTION}\n\nCommand: `.venv/bin/python benchmarks/startup.py --runs 15 --append`\n\n"
        text = text.rstrip("\n") + "\n" + header + entry
    else:
        nxt = text.find("\n## ", start + len(SECTION))
        end = len(text) if nxt < 0 else nxt + 1
        body = text[:end].rstrip("\n") + "\n" + entry
        text = body + ("\n" + text[end:] if nxt >= 0 else "")
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
