"""The run monitor's actions on a run: find the training runtime, start a run from the set-up,
attach to a run folder, cancel, resume, open its folder. A mixin of `run_monitor.RunMonitor`,
whose window holds the widgets these methods use."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from ftwizard.base.errors import FtwizardError
from ftwizard.base.units import mem
from ftwizard.gui import desktop, workers
from ftwizard.gui.run_watch import ENDED
from ftwizard.runs import history as runs
from ftwizard.runs.progress import MetricsTail, RunProgress

log = logging.getLogger("ftwizard.gui")


def find_training_runtime(settings=None):
    """The interpreter that trains, by the one rule (ftwizard.runtime.rule.training_runtime)."""
    from ftwizard.runtime.rule import training_runtime

    return training_runtime(settings=settings)


class RunControl:
    """Mixin of the run monitor (run_monitor.RunMonitor): starting, attaching, cancelling, resuming."""

    # -- actions -------------------------------------------------------------------------------
    def _guarded(self, slot) -> None:
        """A user-facing failure becomes a dialog naming the problem, never a crash."""
        try:
            slot()
        except FtwizardError as exc:
            QMessageBox.warning(self, "Training run", str(exc).splitlines()[0])

    def check_runtime(self) -> None:
        """Find the training runtime off the UI thread (a subprocess per candidate)."""
        worker = workers.Worker(find_training_runtime, self.settings)
        worker.signals.done.connect(self._runtime_checked)
        worker.signals.failed.connect(lambda msg: self.setup.runtime_label.setText(f"✘ {msg}"))
        workers.start(worker)

    def _runtime_checked(self, runtime) -> None:
        self.runtime = runtime
        self.setup.set_runtime(runtime)
        if self.state == "setup" and not runtime.ready:
            self.status.setText(f"Training is off: {runtime.problem}")
        self._update_buttons()

    def _training_python(self) -> str:
        """The runtime's interpreter; checked now if the worker has not answered yet."""
        if self.runtime is None:
            self._runtime_checked(find_training_runtime(self.settings))
        if not self.runtime.ready:
            raise FtwizardError(self.runtime.problem)
        return self.runtime.python

    def start(self) -> Path | None:
        """Launch a new run from the set-up; returns its run folder (None: the user declined)."""
        from ftwizard.runs.launch import launch_runner

        if self.state in ENDED:  # the button reads "New run": back to the set-up first
            self.new_run()
            return None
        if not self.setup.is_ready():
            raise FtwizardError("pick a usable model folder and an existing data file first")
        pre = self.setup.preflight
        if pre is not None and pre.fits is False and not self._confirm_tight(pre.message):
            return None
        python = self._training_python()
        cfg = self.setup.config()
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        launched = launch_runner(cfg, python=python)
        if self.plan is not None:
            self._keep_plan(Path(cfg.output_dir))
        self.attach(Path(cfg.output_dir), launched)
        return Path(cfg.output_dir)

    def _confirm_tight(self, message: str) -> bool:
        answer = QMessageBox.question(self, "Start training", f"{message}\n\nStart anyway?")
        return answer == QMessageBox.StandardButton.Yes

    def _keep_plan(self, run_dir: Path) -> None:
        """The plan beside the run, for its report (0600: the answers may describe regulated work)."""
        from ftwizard.recommend.plan import save_plan

        try:
            save_plan(self.plan, run_dir / runs.PLAN)
        except FtwizardError as exc:
            log.warning("plan not kept with the run: %s", exc)

    def attach(self, run_dir: Path, launched=None) -> None:
        """Watch `run_dir` from its first event (a run this window started, or one found again)."""
        self.run_dir = Path(run_dir)
        self.launched = launched
        self.progress = RunProgress()
        self.tail = MetricsTail(self.run_dir / runs.METRICS)
        self._log_size = -1
        self._show_config(own_launch=launched is not None)
        self.result_box.hide()
        self._awaiting_start = launched is not None
        self._set_state("starting" if launched is not None else "running")
        self.poll()
        self.timer.start()

    def _show_config(self, own_launch: bool) -> None:
        """An attached run shows its own paths and prediction (from its run_config.json)."""
        from ftwizard.runs.config import load_run_config

        path = self.run_dir / runs.RUN_CONFIG
        if not path.exists():
            return
        try:
            cfg = load_run_config(path)
        except FtwizardError:
            return
        self.setup.base_config = cfg
        self.setup.settings_label.setText(self.setup._settings_text())
        for edit, value in ((self.setup.model_dir, cfg.model_dir), (self.setup.data_path, cfg.data_path)):
            edit.blockSignals(True)
            edit.setText(str(value))
            edit.blockSignals(False)
        self.setup.set_locked(True)
        if not own_launch:
            est = cfg.estimate
            self.setup.preflight_label.setText(
                f"At launch: estimated peak {mem(est.peak_vram_gb)} ({est.source})."
                if est is not None and est.peak_vram_gb is not None else "Checked when this run was launched.")

    def cancel(self) -> bool:
        """Ask the runner to stop after its step, with a checkpoint."""
        from ftwizard.runs.launch import request_cancel

        pid = self._pid()
        if pid is None or pid < 0 or not request_cancel(pid):
            return False
        self._set_state("stopping")
        self.status.setText("Stopping after this step and saving a checkpoint…")
        return True

    def resume(self) -> None:
        """Continue a cancelled or failed run from its last checkpoint, in the same folder."""
        from ftwizard.runs.config import load_run_config
        from ftwizard.runs.launch import launch_runner

        if self.run_dir is None:
            raise FtwizardError("no run to resume: pick one in the History tab")
        if runs.runner_pid(self.run_dir) is not None:
            raise FtwizardError(f"{self.run_dir}: the run is still going")
        cfg = load_run_config(self.run_dir / runs.RUN_CONFIG)
        while batch := self.tail.read():  # every old event first: the old ending must not end the new run
            self.progress.apply_all(batch)
        launched = launch_runner(cfg, resume=True, python=self._training_python())
        self.launched = launched
        self.progress.done = self.progress.error = None  # the last ending is history now
        self._awaiting_start = True
        self.result_box.hide()
        self._set_state("starting")
        self.timer.start()

    def resume_run(self, run_dir: Path) -> None:
        """The History tab's Resume: show that run, then continue it."""
        self.tabs.setCurrentIndex(0)
        self.attach(run_dir)
        self.poll()
        self._guarded(self.resume)

    def watch_run(self, run_dir: Path) -> None:
        self.tabs.setCurrentIndex(0)
        self.attach(run_dir)

    def open_output(self) -> None:
        if self.run_dir is not None:
            desktop.open_folder(self.run_dir)
