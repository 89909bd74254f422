"""Render the run monitor mid-run and finished, and the run history, to docs/screenshots/.

A real run: the tiny random Llama of the tests (built locally, nothing downloaded) trains on
the CPU for 40 steps, slowed a little (the runner's test-only `slow` fault) so a mid-run
picture can be taken. Headless (QT_QPA_PLATFORM=offscreen unless a display is set), with a
throw-away FTWIZARD_HOME. Needs the train extra. About a minute.

    python tools/monitor_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1040, 820)
MID_RUN_STEP = 22


def wait(app, until, timeout_s: float = 600.0) -> None:
    end = time.monotonic() + timeout_s
    while not until():
        if time.monotonic() > end:
            raise TimeoutError("the run did not get there in time")
        app.processEvents()
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="ftwizard-monitor-shots-"))
    os.environ["FTWIZARD_HOME"] = str(tmp / "home")
    os.environ["FTWIZARD_FAULT"] = "slow=0.2"
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT / "tests"))
    from train_fixtures import build_tiny_model, tiny_run_config, write_chat_jsonl

    model = build_tiny_model(tmp / "tiny-llama")
    data = write_chat_jsonl(tmp / "support-chats.jsonl", rows=240)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["ftwizard"])
    from ftwizard.catalog.store import load_catalog
    from ftwizard.gui import workers
    from ftwizard.gui.run_monitor import RunMonitor

    settings = tiny_run_config(model, data, tmp / "unused", max_steps=40, eval_every=10, save_every=10)
    monitor = RunMonitor(base_config=settings, runs_dir=tmp / "runs", catalog=load_catalog())
    monitor.resize(*SIZE)
    monitor.show()
    monitor.setup.set_paths(model, data)
    wait(app, lambda: "No GPU" in monitor.setup.preflight_label.text() or "Fits" in monitor.setup.preflight_label.text())
    monitor.start()
    wait(app, lambda: monitor.progress.step >= MID_RUN_STEP)
    args.out.mkdir(parents=True, exist_ok=True)
    monitor.grab().save(str(args.out / "monitor-running.png"))
    wait(app, lambda: monitor.state == "finished")
    for _ in range(5):
        app.processEvents()
    monitor.grab().save(str(args.out / "monitor-finished.png"))
    monitor.tabs.setCurrentIndex(1)
    wait(app, lambda: monitor.history is not None and len(monitor.history.runs) == 1)
    monitor.history.table.selectRow(0)
    app.processEvents()
    monitor.grab().save(str(args.out / "monitor-history.png"))
    workers.wait_all()
    print(f"wrote monitor-running.png, monitor-finished.png, monitor-history.png to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
