"""The run monitor drives real runs of the tiny local model (offscreen, CPU): start, watch the
chart and the progress move, cancel, resume, read the before/after result; close the window
mid-run, leave the run going, and find it again from its folder."""

from __future__ import annotations

import os
import signal

import pytest
from PySide6.QtCore import Qt

from ftwizard.catalog.store import load_catalog
from ftwizard.gui import workers
from ftwizard.gui.run_monitor import RunMonitor, reattach_live_runs
from ftwizard.runs import history as runs
from gui_support import cpu_only_workstation, type_into
from train_fixtures import tiny_model_dir, tiny_run_config, write_chat_jsonl  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.train]

STEPS = 12
RUN_MS = 240_000  # a runner start pays for importing torch: seconds, more on two busy cores


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def runs_dir(tmp_path, monkeypatch):
    """Steps slowed to 0.15 s (the runner's test-only fault) so there is time to act mid-run;
    any runner still alive at the end is killed, by the pid its folder names."""
    monkeypatch.setenv("FTWIZARD_FAULT", "slow=0.15")
    folder = tmp_path / "runs"
    yield folder
    for run_dir in runs.live_runs(folder):
        pid = runs.runner_pid(run_dir)
        if pid and pid > 0:
            os.kill(pid, signal.SIGKILL)


def open_monitor(qtbot, tmp_path, model_dir, runs_dir, catalog) -> RunMonitor:
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=240)
    plan_settings = tiny_run_config(model_dir, data, tmp_path / "unused", max_steps=STEPS, save_every=5)
    monitor = RunMonitor(base_config=plan_settings, runs_dir=runs_dir, hardware=cpu_only_workstation(),
                         catalog=catalog)
    qtbot.addWidget(monitor)
    monitor.ask_on_close = lambda: "stop"  # a test that fails mid-run must not wait on a dialog
    monitor.show()
    type_into(qtbot, monitor.setup.model_dir, str(model_dir))
    type_into(qtbot, monitor.setup.data_path, str(data))
    qtbot.waitUntil(lambda: monitor.start_button.isEnabled(), timeout=5_000)
    qtbot.waitUntil(lambda: "No GPU found" in monitor.setup.preflight_label.text(), timeout=5_000)
    assert "✔ config.json: llama model" in monitor.setup.checklist.text()
    return monitor


def train_points(monitor) -> list[tuple[int, float]]:
    curve = monitor._chart._ftwizard_curves.get("train loss") if monitor._chart is not None else None
    if curve is None:
        return []
    xs, ys = curve.getData()
    return [] if xs is None else list(zip(xs.tolist(), ys.tolist(), strict=True))


def test_start_watch_cancel_resume_and_read_the_result(qtbot, tmp_path, tiny_model_dir, runs_dir, catalog):  # noqa: F811
    monitor = open_monitor(qtbot, tmp_path, tiny_model_dir, runs_dir, catalog)
    qtbot.mouseClick(monitor.start_button, Qt.MouseButton.LeftButton)
    assert monitor.state == "starting" and monitor.run_dir.parent == runs_dir

    # It moves: chart points, the progress bar and the status line.
    qtbot.waitUntil(lambda: len(train_points(monitor)) >= 3, timeout=RUN_MS)
    assert monitor.state == "running" and monitor.bar.value() > 0
    assert monitor.status.text().startswith("Step ") and "tokens/s" in monitor.status.text()
    assert "eval loss" in monitor._chart._ftwizard_curves  # the base model was evaluated first

    qtbot.mouseClick(monitor.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: monitor.state == "cancelled", timeout=RUN_MS)
    stopped_at = monitor.progress.step
    assert 3 <= stopped_at < STEPS
    assert monitor.status.text().startswith(f"Cancelled at step {stopped_at}")
    assert runs.latest_checkpoint_step(monitor.run_dir) == stopped_at
    assert monitor.resume_button.isEnabled() and not monitor.result_box.isVisible()

    qtbot.mouseClick(monitor.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: monitor.state == "finished", timeout=RUN_MS)
    done = monitor.progress.done
    assert done.step == STEPS and done.eval_loss_after < done.eval_loss_before
    steps = [s for s, _ in train_points(monitor)]
    assert steps == list(range(1, STEPS + 1))  # resumed where it stopped: no gap, no repeat
    assert monitor.result_box.isVisible()
    result = monitor.result.text()
    assert f"{done.eval_loss_before:.4g}" in result and f"{done.eval_loss_after:.4g}" in result
    assert str(monitor.run_dir / "adapter") in result
    assert (monitor.run_dir / "adapter" / "adapter_model.safetensors").is_file()

    opened = []
    import ftwizard.gui.desktop as desktop

    desktop_open, desktop.open_folder = desktop.open_folder, opened.append
    try:
        qtbot.mouseClick(monitor.open_button, Qt.MouseButton.LeftButton)
    finally:
        desktop.open_folder = desktop_open
    assert opened == [monitor.run_dir]

    monitor.tabs.setCurrentIndex(1)  # the history has it, finished, with its adapter
    qtbot.waitUntil(lambda: monitor.history is not None and len(monitor.history.runs) == 1, timeout=10_000)
    row = monitor.history.runs[0]
    assert (row.status, row.step, row.adapter_dir) == ("finished", STEPS, done.adapter_dir)
    workers.wait_all()


def test_closing_mid_run_can_leave_it_running_and_a_new_window_reattaches(qtbot, tmp_path, tiny_model_dir,  # noqa: F811
                                                                          runs_dir, catalog):
    monitor = open_monitor(qtbot, tmp_path, tiny_model_dir, runs_dir, catalog)
    run_dir = monitor.start()
    qtbot.waitUntil(lambda: len(train_points(monitor)) >= 2, timeout=RUN_MS)
    asked = []
    monitor.ask_on_close = lambda: asked.append(monitor.progress.step) or "leave"
    monitor.close()
    assert asked and not monitor.isVisible() and not monitor.timer.isActive()
    assert runs.run_status(run_dir) == "running"  # the runner did not go with the window

    again = reattach_live_runs(runs_dir=runs_dir, catalog=catalog)  # what the wizard does at start-up
    assert again is not None
    qtbot.addWidget(again)
    again.ask_on_close = lambda: "stop"
    assert again.run_dir == run_dir and again.setup.model_dir.text() == str(tiny_model_dir)
    qtbot.waitUntil(lambda: again.state == "finished", timeout=RUN_MS)
    steps = [s for s, _ in train_points(again)]
    assert steps == list(range(1, STEPS + 1))  # the whole run, read back from its folder
    assert again.progress.done.eval_loss_after < again.progress.done.eval_loss_before
    assert runs.run_status(run_dir) == "finished" and runs.live_runs(runs_dir) == []
