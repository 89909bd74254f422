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
    from ftwizard.hardware.profile import BackendAttempt, CpuInfo, GpuInfo, HardwareProfile

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
    from ftwizard.recommend.answers import Answers, Budget, Compliance, DataAnswers, Task

    return Answers(
        project_name="Claims assistant",
        task=Task(kind="chat", domain="insurance claims",
                  description="Answer policy holders' questions about the status of their claim."),
        languages=["en", "de"],
        budget=Budget(training_usd=300, monthly_inference_usd=600),
        data=DataAnswers(examples=6000, avg_tokens=700, p95_tokens=1800),
        compliance=Compliance(commercial_use=True, data_residency="EU"),
    )


def sample_dataset(path: Path, rows: int = 6000) -> Path:
    """Made-up support chats of varied length (a fixed seed: the same picture every time)."""
    import json
    import random

    rng = random.Random(6)
    words = ("claim policy status payment document review adjuster damage report date "
             "reference approved pending please thank you customer vehicle home").split()
    with path.open("w", encoding="utf-8") as fh:
        for i in range(rows):
            answer = " ".join(rng.choice(words) for _ in range(int(rng.lognormvariate(5.6, 0.5))))
            row = {"messages": [{"role": "user", "content": f"Where is claim {i}?"},
                                {"role": "assistant", "content": answer}]}
            fh.write(json.dumps(row) + "\n")
    return path


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
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["FTWIZARD_HOME"] = tempfile.mkdtemp(prefix="ftwizard-shots-")
    args.out.mkdir(parents=True, exist_ok=True)

    from ftwizard.catalog.store import load_catalog
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
        if name == "data":  # show the inspector's result on a generated dataset
            data = w.pages["data"]
            data.inspect_file(sample_dataset(Path(os.environ["FTWIZARD_HOME"]) / "claims-chats.jsonl"))
            wait(app, lambda page=data: page.pick.isEnabled())
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
    w.close()

    # The same results under a dark system palette (what a dark desktop theme gives Qt).
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    d = WizardWindow(detector=lambda cat: sample_profile(cat), catalog=catalog)
    d.resize(*SIZE)
    d.show()
    d.finish_setup()
    wait(app, lambda: d.pages["hardware"].profile is not None)
    d.welcome.new.setChecked(True)
    d.next()
    d.set_answers(sample_answers())
    while d.currentId() < len(d.pages) - 1:
        wait(app, lambda: d.currentPage().isComplete())
        d.next()
    wait(app, lambda: d.pages["results"].plan is not None)
    grab(d, args.out / "16-results-dark.png", app)
    d.pages["results"].tabs.setCurrentIndex(2)
    grab(d, args.out / "17-chart-memory-dark.png", app)
    workers.wait_all()
    d.close_session()
    return 0


def dark_palette():
    """A dark palette as desktop themes set it (Window, Base, Text...)."""
    from PySide6.QtGui import QColor, QPalette

    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#2f2f2f",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#2f65ca",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#353535",
        QPalette.ColorRole.ToolTipText: "#e6e6e6", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.Light: "#454545", QPalette.ColorRole.Mid: "#303030",
        QPalette.ColorRole.Dark: "#1a1a1a", QPalette.ColorRole.Link: "#6ea8fe",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7a7a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a7a"))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a7a7a"))
    return p


if __name__ == "__main__":
    sys.exit(main())
