"""Render every wizard page to docs/screenshots/*.png (`make screenshots`).

Runs headless (QT_QPA_PLATFORM=offscreen unless a display is set, e.g. under xvfb-run) with
a throw-away FTWIZARD_HOME, a sample project and a fixed detected workstation (one RTX
4090), so the pictures are the same on every machine. Also renders the app icon's PNG.

    python tools/screenshots.py [--out docs/screenshots] [--only NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1040, 760)


def sample_profile(catalog=None):
    """A workstation with one RTX 4090, as detection would report it."""
    from ftwizard.core.hardware_profile import BackendAttempt, CpuInfo, GpuInfo, HardwareProfile

    return HardwareProfile(
        detected_at=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC),
        os="Linux 6.8.0 x86_64", os_system="Linux",
        cpu=CpuInfo(model="AMD Ryzen 9 7950X", logical_cores=32, physical_cores=16, usable_cores=32),
        ram_total_gib=125.0, ram_available_gib=110.0, runs_disk_free_gib=812.0,
        gpus=[GpuInfo(index=0, vendor="nvidia", name="NVIDIA GeForce RTX 4090", backend="nvml",
                      memory_total_gib=23.99, memory_free_gib=23.5, compute_capability="8.9",
                      bf16_supported=True, driver_version="550.54", cuda_version="12.4",
                      catalog_gpu_id="rtx-4090")],
        backends=[BackendAttempt(backend="nvml", status="ok", seconds=0.05, gpus_found=1)],
        catalog_version=catalog.version if catalog is not None else None,
    )


def sample_answers():
    from ftwizard.core.answers import Answers, Budget, Compliance, DataAnswers, Task

    return Answers(
        project_name="Claims assistant",
        task=Task(kind="chat", domain="insurance claims",
                  description="Answer policy holders' questions about the status of their claim."),
        languages=["en", "de"],
        budget=Budget(training_usd=300, monthly_inference_usd=600),
        data=DataAnswers(examples=6000, avg_tokens=700, p95_tokens=1800),
        compliance=Compliance(commercial_use=True, data_residency="EU"),
    )


def wait(app, condition, timeout_s: float = 60.0) -> None:
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the wizard did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def grab(widget, path: Path, app) -> None:
    for _ in range(5):
        app.processEvents()
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def render_icon(app) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    svg = ROOT / "resources" / "icons" / "ftwizard.svg"
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    out = svg.with_name("ftwizard-256.png")
    image.save(str(out))
    print(f"wrote {out.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--dark", action="store_true", help="also render the results page in a dark palette")
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["FTWIZARD_HOME"] = tempfile.mkdtemp(prefix="ftwizard-shots-")
    args.out.mkdir(parents=True, exist_ok=True)

    from ftwizard.core.catalog import load_catalog
    from ftwizard.gui import autosave, workers
    from ftwizard.gui.app import app_icon, create_app
    from ftwizard.gui.wizard import WizardWindow

    app = create_app([])
    render_icon(app)
    app.setWindowIcon(app_icon())
    catalog = load_catalog()
    # A session from yesterday that did not close cleanly: the welcome page offers to resume it.
    autosave.save(sample_answers(), "data")
    w = WizardWindow(detector=lambda cat: sample_profile(cat), catalog=catalog)
    w.resize(*SIZE)
    w.show()
    w.finish_setup()
    wait(app, lambda: w.pages["hardware"].profile is not None)
    grab(w, args.out / "01-welcome.png", app)
    w.welcome.new.setChecked(True)
    w.next()
    w.set_answers(sample_answers())
    for i, name in enumerate(("task", "languages", "budget", "data", "compliance", "hardware"), start=2):
        wait(app, lambda: w.currentPage().isComplete())
        grab(w, args.out / f"{i:02d}-{name}.png", app)
        w.next()
    results = w.pages["results"]
    wait(app, lambda: results.plan is not None)
    grab(w, args.out / "08-results.png", app)
    results.tabs.setCurrentIndex(1)
    grab(w, args.out / "09-results-excluded.png", app)
    results.tabs.setCurrentIndex(2)
    for i, name in enumerate(("memory", "quality-cost", "gpu-options")):
        results._charts.tabs.setCurrentIndex(i)
        grab(w, args.out / f"{10 + i}-chart-{name}.png", app)
    results.tabs.setCurrentIndex(0)
    results.weights_button.setChecked(True)
    grab(w, args.out / "13-results-weights.png", app)
    results.weights_button.setChecked(False)

    from ftwizard.gui.about import AboutDialog
    from ftwizard.gui.settings_dialog import SettingsDialog

    for name, dialog in (("14-settings", SettingsDialog(w.settings, w)), ("15-about", AboutDialog(catalog, w))):
        dialog.show()
        grab(dialog, args.out / f"{name}.png", app)
        dialog.close()
    workers.wait_all()
    w.close_session()
    return 0


if __name__ == "__main__":
    sys.exit(main())
