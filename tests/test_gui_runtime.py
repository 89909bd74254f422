"""The GUI and the training runtime (offscreen): Settings lists the candidates with their
diagnostic, takes an interpreter or environment folder, re-checks and saves the choice; the run
monitor shows the runtime it will use and keeps Start off, with a message naming the fix, while
none is ready (the installed build simulated: sys.frozen); Check it fits runs the real probe in
the runtime and offers the largest settings that fit."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt

from ftwizard.base.errors import FtwizardError
from ftwizard.base.settings import Settings
from ftwizard.gui import workers
from gui_support import cpu_only_workstation, type_into
from runtime_support import DEV_PYTHON, bare_venv, ready_env  # noqa: F401 (fixture)
from train_fixtures import tiny_model_dir, tiny_run_config, write_chat_jsonl  # noqa: F401 (fixture)

FIX = "ftwizard runtime install --wheelhouse DIR"


@pytest.fixture
def clean_home(tmp_path, monkeypatch):
    for var in ("FTWIZARD_PYTHON", "CONDA_PREFIX", "VIRTUAL_ENV"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_settings_lists_checks_and_saves_the_training_runtime(qtbot, clean_home, bare_venv, monkeypatch):  # noqa: F811 (fixture)
    from ftwizard.gui import settings_dialog
    from ftwizard.gui.settings import load_settings, save_settings
    from ftwizard.runtime.candidates import configured_python

    dialog = settings_dialog.SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(dialog.diagnostics), timeout=120_000)  # this Python: torch imported in it
    rows = [dialog.runtimes.item(i).text() for i in range(dialog.runtimes.count())]
    assert rows[0] == "Automatic: the first ready one below"
    assert rows[1].startswith(f"✔ this Python: {DEV_PYTHON}\n    ready: torch ")
    assert dialog.runtime_status.text() == f"Automatic: training will use {DEV_PYTHON} (this Python)."

    # Browse to an environment folder: it is checked first, with what it lacks.
    monkeypatch.setattr(settings_dialog.QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(bare_venv.parent.parent)))
    dialog._browse_env()
    assert dialog.train_python.text() == str(bare_venv.parent.parent)
    qtbot.waitUntil(lambda: dialog.recheck.isEnabled(), timeout=120_000)
    first = dialog.runtimes.item(1).text()
    assert first.startswith(f"✘ configured in Settings: {bare_venv}\n    missing transformers")
    assert dialog.runtime_status.text().startswith(f"✘ {bare_venv.parent.parent} cannot train: missing ")

    # Picking a row takes its interpreter; a path that does not exist is refused on OK.
    dialog._runtime_picked(dialog.runtimes.item(2))
    assert dialog.train_python.text() == DEV_PYTHON
    dialog.train_python.setText("/nowhere/python")
    dialog._accept()
    assert dialog.error.text() == "Training runtime: /nowhere/python: no such file or folder"
    assert dialog.result() == 0
    dialog.train_python.setText(str(bare_venv.parent.parent))
    dialog._accept()
    assert dialog.result() == 1
    chosen = dialog.result_settings()
    assert chosen.train_python == str(bare_venv.parent.parent)
    save_settings(chosen)
    assert load_settings()[0].train_python == str(bare_venv.parent.parent)
    assert configured_python() == str(bare_venv.parent.parent)
    workers.wait_all()


def _open_monitor(qtbot, tmp_path, model_dir, **config):
    from ftwizard.gui.run_monitor import RunMonitor

    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=120)
    base = tiny_run_config(model_dir, data, tmp_path / "unused", max_steps=4, **config)
    monitor = RunMonitor(base_config=base, runs_dir=tmp_path / "runs", hardware=cpu_only_workstation())
    qtbot.addWidget(monitor)
    monitor.show()
    type_into(qtbot, monitor.setup.model_dir, str(model_dir))
    type_into(qtbot, monitor.setup.data_path, str(data))
    qtbot.waitUntil(lambda: monitor.setup.is_ready() and monitor.runtime is not None, timeout=60_000)
    return monitor


@pytest.mark.train
def test_installed_build_without_a_runtime_keeps_start_off_and_names_the_fix(
        qtbot, tmp_path, tiny_model_dir, clean_home, monkeypatch):  # noqa: F811
    from ftwizard.runtime.candidates import default_runtime_dir

    program = tmp_path / "opt" / "ftwizard" / "ftwizard"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\nexit 2\n")
    program.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))

    monitor = _open_monitor(qtbot, tmp_path, tiny_model_dir)
    assert not monitor.runtime.ready
    assert not monitor.start_button.isEnabled() and not monitor.setup.fit_button.isEnabled()
    assert monitor.status.text().startswith("Training is off: No Python that can train was found")
    assert FIX in monitor.status.text() and FIX in monitor.start_button.toolTip()
    assert monitor.setup.runtime_label.text().startswith("✘ No Python that can train")
    with pytest.raises(FtwizardError, match="runtime install --wheelhouse DIR"):
        monitor.start()
    assert not (tmp_path / "runs").exists()  # nothing was launched

    installed = ready_env(default_runtime_dir())  # what `ftwizard runtime install` makes
    monitor.check_runtime()
    qtbot.waitUntil(lambda: monitor.start_button.isEnabled(), timeout=60_000)
    assert monitor.runtime.python == str(installed)
    assert monitor.setup.runtime_label.text().startswith(f"✔ {installed}, installed by `ftwizard runtime install`")
    assert monitor.setup.fit_button.isEnabled() and monitor.start_button.toolTip() == ""
    workers.wait_all()


@pytest.mark.slow
@pytest.mark.train
def test_check_it_fits_probes_in_the_runtime_and_offers_the_largest_that_fits(
        qtbot, tmp_path, tiny_model_dir, clean_home, monkeypatch):  # noqa: F811
    # Memory that only fits one sequence per micro-batch: the probe steps down the ladder.
    monkeypatch.setenv("FTWIZARD_FAULT", "oom@micro_batch>1")
    monitor = _open_monitor(qtbot, tmp_path, tiny_model_dir, micro_batch=2, grad_accum=2)
    assert monitor.runtime.python == DEV_PYTHON
    assert monitor.setup.runtime_label.text().startswith(f"✔ {DEV_PYTHON}, this Python")
    qtbot.mouseClick(monitor.setup.fit_button, Qt.MouseButton.LeftButton)
    assert not monitor.setup.fit_button.isEnabled()
    with qtbot.waitSignal(monitor.setup.probe_done, timeout=300_000) as got:
        pass
    probe = got.args[0]
    assert probe is not None, monitor.setup.fit_label.text()
    assert not probe.fits and probe.config.micro_batch == 1 and probe.config.grad_accum == 4
    text = monitor.setup.fit_label.text()
    assert text.startswith("probe: the run's settings do not fit; the largest that fits is micro_batch 1 x grad_accum 4")
    assert "out of memory" in text and "fits: peak" in text
    assert monitor.setup.fit_apply.isVisible()
    qtbot.mouseClick(monitor.setup.fit_apply, Qt.MouseButton.LeftButton)
    assert (monitor.setup.base_config.micro_batch, monitor.setup.base_config.grad_accum) == (1, 4)
    assert "batch 1 × 4" in monitor.setup.settings_label.text()
    assert monitor.setup.config().micro_batch == 1  # what Start will launch
    assert not (tmp_path / "runs").exists()  # a probe writes no run folder
    workers.wait_all()


def test_check_it_fits_on_the_results_page_opens_the_run_setup_on_the_plan(qtbot, clean_home):
    from ftwizard.catalog.store import load_catalog
    from ftwizard.gui.wizard import PAGE_ORDER, WizardWindow
    from gui_support import click_next, rtx4090_workstation, wait_for_plan

    wizard = WizardWindow(detector=rtx4090_workstation, catalog=load_catalog())
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.finish_setup()
    qtbot.waitUntil(lambda: not wizard.pages["hardware"].detecting(), timeout=20_000)
    while wizard.currentId() < PAGE_ORDER.index("results"):
        click_next(qtbot, wizard)
    results = wizard.pages["results"]
    plan = wait_for_plan(qtbot, wizard)
    assert results.check_fit.isEnabled()
    qtbot.mouseClick(results.check_fit, Qt.MouseButton.LeftButton)
    monitor = wizard.run_monitor
    qtbot.addWidget(monitor)
    assert monitor.plan is plan and monitor.setup.base_config == plan.run_config and monitor.isVisible()
    assert monitor.status.text().startswith("Pick the model folder and the data, then Check it fits")
    assert not monitor.setup.fit_button.isEnabled()  # no model folder or data picked yet
    qtbot.waitUntil(lambda: monitor.runtime is not None, timeout=60_000)
    workers.wait_all()
