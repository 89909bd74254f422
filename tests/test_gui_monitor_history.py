"""The run monitor without training: the set-up panel's checks and pre-flight, the close
question with a run going, a runner that refuses its input, and the run history with its
actions and report. Runs are hand-written folders (see run_folder_helpers)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from ftwizard.catalog.store import load_catalog
from ftwizard.gui import workers
from ftwizard.gui.run_monitor import RunMonitor
from ftwizard.recommend.plan import save_plan
from ftwizard.runs.config import RunConfig
from gui_support import rtx4090_workstation, type_into
from report_sample_plan import sample_plan
from run_folder_helpers import (
    NO_BNB,
    cancelled_run,
    finished_run,
    hold_run_folder,
    killed_run,
    model_folder,
    stop,
    write_events,
)

WAIT_MS = 15_000


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def make_monitor(qtbot, tmp_path, catalog, **kw) -> RunMonitor:
    base = RunConfig(model_dir="models/llama-8b", data_path="data/train.jsonl", output_dir="runs/x",
                     seq_len=2048, max_steps=100)
    monitor = RunMonitor(base_config=kw.pop("base_config", base), runs_dir=tmp_path / "runs",
                         catalog=catalog, hardware=kw.pop("hardware", rtx4090_workstation()), **kw)
    qtbot.addWidget(monitor)
    monitor.ask_on_close = lambda: "leave"
    monitor.show()
    return monitor


def pick(qtbot, monitor, model_dir, data) -> None:
    type_into(qtbot, monitor.setup.model_dir, str(model_dir))
    type_into(qtbot, monitor.setup.data_path, str(data))
    qtbot.waitUntil(lambda: not monitor.setup._timer.isActive(), timeout=WAIT_MS)


# -- set-up ---------------------------------------------------------------------------------------
def test_the_set_up_checks_the_folder_and_says_the_run_fits_with_room_to_spare(qtbot, tmp_path, catalog):
    monitor = make_monitor(qtbot, tmp_path, catalog)
    data = tmp_path / "train.jsonl"
    data.write_text('{"messages": []}\n', encoding="utf-8")
    assert not monitor.start_button.isEnabled()
    pick(qtbot, monitor, model_folder(tmp_path), data)
    checks = monitor.setup.checklist.text()
    assert "✔ config.json: llama model" in checks and "✔ weights: model.safetensors" in checks
    assert "✔ licence: LICENSE: “LLAMA 3.1 COMMUNITY LICENSE AGREEMENT”" in checks
    qtbot.waitUntil(lambda: "to spare" in monitor.setup.preflight_label.text(), timeout=WAIT_MS)
    assert monitor.setup.preflight_label.text().startswith("✔ Fits with ")
    assert "NVIDIA GeForce RTX 4090" in monitor.setup.preflight_label.text()
    assert monitor.start_button.isEnabled()
    cfg = monitor.setup.config()
    assert cfg.output_dir.parent == tmp_path / "runs" and cfg.output_dir.name.endswith("-llama-8b-qlora")
    assert cfg.estimate.peak_vram_gb == monitor.setup.preflight.peak_vram_gb  # predicted for this card
    workers.wait_all()


def test_a_folder_that_would_run_its_own_code_cannot_be_started(qtbot, tmp_path, catalog):
    monitor = make_monitor(qtbot, tmp_path, catalog)
    folder = model_folder(tmp_path, config={"model_type": "x", "auto_map": {"AutoModel": "modeling_x.X"}})
    (folder / "modeling_x.py").write_text("import os\n", encoding="utf-8")
    data = tmp_path / "train.jsonl"
    data.write_text("{}\n", encoding="utf-8")
    pick(qtbot, monitor, folder, tmp_path / "missing.jsonl")
    assert monitor.setup.checklist.text().startswith("✘ ") and "modeling_x.py" in monitor.setup.checklist.text()
    assert monitor.setup.data_note.text() == f"✘ {tmp_path / 'missing.jsonl'}: no such file"
    assert not monitor.start_button.isEnabled()


def test_a_run_that_does_not_fit_starts_only_when_the_user_says_so(qtbot, tmp_path, catalog, monkeypatch):
    full = RunConfig(model_dir="m", data_path="d", output_dir="o", method="full", optimizer="adamw", seq_len=2048)
    monitor = make_monitor(qtbot, tmp_path, catalog, base_config=full)
    data = tmp_path / "train.jsonl"
    data.write_text("{}\n", encoding="utf-8")
    pick(qtbot, monitor, model_folder(tmp_path), data)
    qtbot.waitUntil(lambda: "Does not fit" in monitor.setup.preflight_label.text(), timeout=WAIT_MS)
    asked = []
    monkeypatch.setattr(monitor, "_confirm_tight", lambda message: asked.append(message) or False)
    assert monitor.start() is None
    assert asked and asked[0].startswith("Does not fit on NVIDIA GeForce RTX 4090")
    assert monitor.state == "setup" and not (tmp_path / "runs").exists()


def test_a_runner_that_refuses_its_input_says_why_in_the_window(qtbot, tmp_path, catalog):
    monitor = make_monitor(qtbot, tmp_path, catalog)
    data = tmp_path / "train.jsonl"
    data.write_text("{}\n", encoding="utf-8")
    folder = model_folder(tmp_path)
    pick(qtbot, monitor, folder, data)
    (folder / "tokenizer.json").unlink()  # gone between the check and the start
    run_dir = monitor.start()
    qtbot.waitUntil(lambda: monitor.state == "failed", timeout=120_000)
    assert monitor.status.text().startswith(f"Stopped: {folder}: no tokenizer files")
    assert not monitor.resume_button.isEnabled() and run_dir.is_dir()


# -- closing with a run going ---------------------------------------------------------------------------
def test_closing_with_a_run_going_asks_and_cancel_keeps_the_window(qtbot, tmp_path, catalog):
    run_dir = killed_run(tmp_path / "runs")  # its events, and a live process holding it: a run going
    holder = hold_run_folder(run_dir)
    try:
        monitor = make_monitor(qtbot, tmp_path, catalog)
        monitor.attach(run_dir)
        assert monitor.state == "running" and monitor.is_live()
        assert monitor.progress.step == 5 and monitor.status.text().startswith("Step 5 of 8")
        assert monitor.notes.text() == f"⚠ {NO_BNB}"  # what the runner decided, said in the window
        answers = iter(["cancel", "leave"])
        monitor.ask_on_close = lambda: next(answers)
        monitor.close()
        assert monitor.isVisible() and monitor.timer.isActive()  # "Cancel": nothing happened
        monitor.close()
        assert not monitor.isVisible() and holder.poll() is None  # left running, really
    finally:
        stop(holder)


# -- history -----------------------------------------------------------------------------------------------
def test_the_history_lists_past_runs_and_offers_what_each_allows(qtbot, tmp_path, catalog, monkeypatch):
    runs = tmp_path / "runs"
    finished, cancelled = finished_run(runs), cancelled_run(runs)
    monitor = make_monitor(qtbot, tmp_path, catalog)
    monitor.tabs.setCurrentIndex(1)
    history = monitor.history
    qtbot.waitUntil(lambda: len(history.runs) == 2, timeout=WAIT_MS)
    rows = [[history.table.item(r, c).text() for c in range(history.table.columnCount())] for r in range(2)]
    assert rows[0][:3] == ["■ cancelled", "tiny-llama", "qlora"] and rows[0][5] == "3 / 8"
    assert rows[1][0] == "✔ finished" and rows[1][6] == "6.5 → 1.7" and rows[1][7] == f"{finished.name}/adapter"

    history.select(finished)
    assert not history.resume_button.isEnabled() and history.export_button.isEnabled()
    opened = []
    monkeypatch.setattr("ftwizard.gui.desktop.open_folder", opened.append)
    qtbot.mouseClick(history.open_button, Qt.MouseButton.LeftButton)
    assert opened == [finished]
    qtbot.mouseClick(history.watch_button, Qt.MouseButton.LeftButton)
    assert monitor.tabs.currentIndex() == 0 and monitor.state == "finished" and monitor.result_box.isVisible()
    assert monitor.setup.model_dir.text() == str(runs / "models" / "tiny")  # the run's own paths, locked
    assert not monitor.setup.model_dir.isEnabled()
    assert monitor.start_button.text() == "&New run"
    qtbot.mouseClick(monitor.start_button, Qt.MouseButton.LeftButton)  # back to the set-up for another run
    assert monitor.state == "setup" and monitor.setup.model_dir.isEnabled() and not monitor.result_box.isVisible()

    monitor.tabs.setCurrentIndex(1)
    history.select(cancelled)
    assert history.resume_button.isEnabled()
    history.resume_requested.disconnect(monitor.resume_run)  # it would launch a real runner here
    with qtbot.waitSignal(history.resume_requested) as sig:
        qtbot.mouseClick(history.resume_button, Qt.MouseButton.LeftButton)
    assert sig.args == [cancelled]


def test_exported_report_has_the_measured_results_and_the_plan(qtbot, tmp_path, catalog):
    from pypdf import PdfReader

    runs = tmp_path / "runs"
    run = finished_run(runs)
    save_plan(sample_plan(), run / "plan.json")
    monitor = make_monitor(qtbot, tmp_path, catalog)
    monitor.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(monitor.history.runs) == 1, timeout=WAIT_MS)
    monitor.history.select(run)
    out = monitor.history.export_report(tmp_path / "report.pdf")
    assert out == tmp_path / "report.pdf" and out.stat().st_mode & 0o777 == 0o600
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert text.startswith("Training run report: 20261117-100000-tiny-")  # the name may wrap
    for heading in ("Loss over training", "Before and after",
                    "Estimate vs measured", "The plan this run came from", "Recommendation", "Appendix: run configuration"):
        assert heading in text, heading
    assert "Eval loss 6.5 1.7 -74%" in text
    assert "Peak memory (GB) 0.466 0.428 (process, CPU run) 0.92" in text  # vendors' GB (2^30 bytes)


def test_a_report_of_a_run_without_events_is_refused_naming_the_folder(qtbot, tmp_path, catalog):
    from ftwizard.base.errors import ExportError
    from ftwizard.report.run_report import write_run_report

    empty = tmp_path / "runs" / "empty"
    write_events(empty, [])
    (empty / "metrics.jsonl").unlink()
    with pytest.raises(ExportError, match=f"{empty}: no metrics.jsonl"):
        write_run_report(empty, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()


def test_the_chart_draws_whatever_series_a_run_reports(qtbot):
    from ftwizard.report.run_charts import metrics_chart, set_series

    chart = metrics_chart({"train loss": [(1, 3.0), (2, 2.5)], "eval loss": [(0, 3.2)]})
    qtbot.addWidget(chart)
    assert set(chart._ftwizard_curves) == {"train loss", "eval loss"}
    set_series(chart, {"train loss": [(1, 0.69), (2, 0.6)], "reward margin": [(1, 0.1), (2, 0.4)]})  # a DPO run
    xs, ys = chart._ftwizard_curves["reward margin"].getData()
    assert list(xs) == [1, 2] and list(ys) == [0.1, 0.4]
    assert chart.getPlotItem().getAxis("left").labelText == "loss / reward"
    assert chart._ftwizard_curves["eval loss"].getData() == (None, None)  # not in this run: emptied


def test_the_wizard_shows_a_run_left_going_when_it_starts(qtbot, catalog):
    from ftwizard.base.paths import default_runs_dir
    from ftwizard.gui.wizard import WizardWindow
    from gui_support import rtx4090_workstation as detector

    run_dir = killed_run(default_runs_dir())
    holder = hold_run_folder(run_dir)  # the runner a closed window left going
    try:
        wizard = WizardWindow(detector=detector, catalog=catalog)
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.finish_setup()
        qtbot.waitUntil(lambda: wizard.run_monitor is not None, timeout=WAIT_MS)
        monitor = wizard.run_monitor
        qtbot.addWidget(monitor)
        monitor.ask_on_close = lambda: "leave"
        assert monitor.isVisible() and monitor.run_dir == run_dir and monitor.state == "running"
    finally:
        stop(holder)
    workers.wait_all()
