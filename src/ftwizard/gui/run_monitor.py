"""The run monitor: start the training runner on the plan, watch it, stop it, resume it, and
read the before/after result. A History tab lists past runs.

How it watches (one design for launching and for reattaching): the runner is started in a
session of its own (`runs.launch`), so closing this window never kills it, and progress is
read by tailing `metrics.jsonl` in the run folder every POLL_MS (`runs.progress`), never
from the process's stdout. Whether the runner still lives comes from the folder too (its lock,
`runs.history.runner_pid`); the window that launched it also knows the exit code. Nothing here
blocks: a poll reads only the bytes appended since the last one.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ftwizard.base.errors import FtwizardError
from ftwizard.base.units import mem
from ftwizard.gui import desktop, workers
from ftwizard.gui.run_results import result_html
from ftwizard.gui.run_setup import RunSetup
from ftwizard.runs import history as runs
from ftwizard.runs.config import RunConfig
from ftwizard.runs.figures import status_line, user_log
from ftwizard.runs.progress import MetricsTail, RunProgress

log = logging.getLogger("ftwizard.gui")

POLL_MS = 250
ALIVE_EVERY = 4  # polls between liveness checks of a runner this window did not launch
LOG_TAIL_BYTES = 16_384
LOG_TAIL_LINES = 200
CLOSE_CHOICES = ("stop", "leave", "cancel")
ENDED = ("finished", "cancelled", "failed")


def find_training_runtime(settings=None):
    """The interpreter that trains, by the one rule (ftwizard.runtime.training_runtime)."""
    from ftwizard.runtime import training_runtime

    return training_runtime(settings=settings)


def detect_hardware(catalog):
    from ftwizard.hardware.detect import detect

    return detect(catalog)


def runs_dir_for(settings=None) -> Path:
    from ftwizard.base.paths import default_runs_dir

    if settings is not None and getattr(settings, "runs_dir", None):
        return Path(settings.runs_dir).expanduser()
    return default_runs_dir()


def _read_tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - LOG_TAIL_BYTES))
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    lines = text.splitlines()[1 if size > LOG_TAIL_BYTES else 0:]  # the first may be cut
    return user_log("\n".join(lines[-LOG_TAIL_LINES:]))  # library chatter stays in runner.log


class RunMonitor(QWidget):
    """A window. `state`: setup, starting, running, stopping, finished, cancelled, failed."""

    state_changed = Signal(str)
    progressed = Signal()  # after new events were shown (tests wait on it)

    def __init__(self, *, base_config: RunConfig | None = None, plan=None, catalog=None, settings=None,
                 hardware=None, detector=None, runs_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("ftwizard — training run")
        self.resize(980, 760)
        self.plan, self.catalog, self.settings = plan, catalog, settings
        self.runs_dir = Path(runs_dir) if runs_dir is not None else runs_dir_for(settings)
        if base_config is None:
            base_config = plan.run_config if plan is not None and plan.run_config is not None else \
                RunConfig(model_dir=Path("model"), data_path=Path("train.jsonl"), output_dir=Path("run"))
        self.state = "setup"
        self.run_dir: Path | None = None
        self.launched = None  # runs.launch.LaunchedRun, when this window started the runner
        self.progress = RunProgress()
        self.tail: MetricsTail | None = None
        self._polls = 0
        self._log_size = -1
        self._chart = None
        self._awaiting_start = False  # launched; the new start event is not in yet
        self.ask_on_close = self._ask_on_close  # tests answer for the user

        if hardware is None and detector is None:
            detector = detect_hardware
        self.setup = RunSetup(base_config, self.runs_dir, catalog=catalog, hardware=hardware, detector=detector)
        self.setup.ready_changed.connect(lambda _: self._update_buttons())
        self.runtime = None  # ftwizard.runtime.TrainingRuntime, checked in a worker below

        self.start_button = QPushButton("&Start training")
        self.cancel_button = QPushButton("&Cancel run")
        self.cancel_button.setToolTip("Finish the current step, save a checkpoint and stop; Resume continues.")
        self.resume_button = QPushButton("&Resume")
        self.open_button = QPushButton("&Open output folder")
        for b, slot in ((self.start_button, self.start), (self.cancel_button, self.cancel),
                        (self.resume_button, self.resume), (self.open_button, self.open_output)):
            b.clicked.connect(lambda _=False, s=slot: self._guarded(s))
        buttons = QHBoxLayout()
        for b in (self.start_button, self.cancel_button, self.resume_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)

        self.status = QLabel("Pick the model folder and the data, then start.")
        self.status.setAccessibleName("Run status")
        self.status.setWordWrap(True)
        self.notes = QLabel()  # what the runner decided on its own: fallbacks, skipped rows
        self.notes.setAccessibleName("Runner notes")
        self.notes.setWordWrap(True)
        self.notes.hide()
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Training progress")
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setFormat("")
        self.chart_holder = QWidget()
        self.chart_holder.setMinimumHeight(220)
        QVBoxLayout(self.chart_holder).setContentsMargins(0, 0, 0, 0)
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setAccessibleName("Runner log (last lines)")
        self.log_view.setMaximumBlockCount(LOG_TAIL_LINES)
        self.log_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.result = QLabel()
        self.result.setAccessibleName("Before and after evaluation")
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setWordWrap(True)
        self.result.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_box = QGroupBox("Result")
        scroll = QScrollArea()  # the tables and their footnote scroll rather than being cut off
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.result)
        QVBoxLayout(self.result_box).addWidget(scroll)
        self.result_box.hide()
        top = QSplitter(Qt.Orientation.Horizontal)  # the result sits beside the chart once there
        top.addWidget(self.chart_holder)
        top.addWidget(self.result_box)
        top.setSizes([560, 380])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.log_view)
        split.setSizes([380, 130])

        run_tab = QWidget()
        lay = QVBoxLayout(run_tab)
        lay.addWidget(self.setup)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        lay.addWidget(self.notes)
        lay.addWidget(self.bar)
        lay.addWidget(split, 1)
        self.history = None  # built when its tab is first shown
        self.history_tab = QWidget()
        QVBoxLayout(self.history_tab).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.addTab(run_tab, "R&un")
        self.tabs.addTab(self.history_tab, "&History")
        self.tabs.currentChanged.connect(self._tab_changed)
        QVBoxLayout(self).addWidget(self.tabs)

        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self._update_buttons()
        self.check_runtime()

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

    # -- polling ----------------------------------------------------------------------------------
    def _pid(self) -> int | None:
        if self.launched is not None and self.launched.exit_code() is None:
            return self.launched.pid
        return runs.runner_pid(self.run_dir, self.progress) if self.run_dir is not None else None

    def poll(self) -> None:
        if self.tail is None:
            return
        self._polls += 1
        new = self.tail.read()
        if any(e.event == "start" for e in new):
            self._awaiting_start = False
        if new:
            self.progress.apply_all(new)
            self._show_progress()
        if self._polls % ALIVE_EVERY == 0 or new:
            self._show_log()
        if self.progress.ended and self.state in ("starting", "running", "stopping"):
            self._finished()
        elif not self.progress.ended and self.state in ("starting", "running", "stopping") and self._gone():
            self.progress.apply_all(self.tail.read())  # the last lines it wrote before exiting
            self._finished()
        if new:
            self.progressed.emit()

    def _gone(self) -> bool:
        """The runner has exited (checked each poll for our own child, less often otherwise)."""
        if self.launched is not None:
            return self.launched.exit_code() is not None
        if self._polls % ALIVE_EVERY:
            return False
        return runs.runner_pid(self.run_dir, self.progress) is None

    def _show_progress(self) -> None:
        p = self.progress
        if not self._awaiting_start and p.start is not None and self.state == "starting":
            self._set_state("running")
        self.bar.setValue(round(p.fraction * 1000))
        self.bar.setFormat(f"step {p.step} of {p.max_steps}" if p.max_steps else "")
        if self.state == "running":
            self.status.setText(status_line(p))
        elif self.state == "starting":
            self.status.setText("Starting the runner: loading the model and the data…")
        notes = list(dict.fromkeys([w.message for w in p.warnings] + (p.start.notes if p.start else [])))
        self.notes.setText("\n".join(f"⚠ {n}" for n in notes))
        self.notes.setVisible(bool(notes))
        self._draw_chart()

    def _draw_chart(self) -> None:
        from ftwizard.report import run_charts

        if self._chart is None:
            from ftwizard.gui.charts import theme

            self._chart = run_charts.metrics_chart()
            self._chart.setAccessibleName("Loss chart")
            theme(self._chart, self.palette())
            self.chart_holder.layout().addWidget(self._chart)
        run_charts.set_series(self._chart, self.progress.series)

    def _show_log(self) -> None:
        path = self.run_dir / runs.RUNNER_LOG
        try:
            size = path.stat().st_size
        except OSError:
            return
        if size != self._log_size:
            self._log_size = size
            self.log_view.setPlainText(_read_tail(path))
            self.log_view.verticalScrollBar().setValue(self.log_view.verticalScrollBar().maximum())

    def _finished(self) -> None:
        """The runner ended: say how, show the result, and what can happen next."""
        from ftwizard.runs.launch import reap

        self.timer.stop()
        reap()
        while batch := self.tail.read():  # whatever is still unread (a long run being reattached)
            self.progress.apply_all(batch)
        self._show_progress()
        self._show_log()
        summary = runs.summarize(self.run_dir, self.progress)
        if summary.status == "running":  # its lock is still held: the process is finishing up
            self.timer.start()
            return
        state, detail, hint = summary.status, summary.detail, ""
        if self.progress.error is not None:
            hint = self.progress.error.suggestion
        if self.launched is not None:  # this window's launch: its own stdout has the last word
            code = self.launched.exit_code()
            own = runs.early_error(self.run_dir)
            if own is not None and (self.progress.last_ts is None or own.ts > self.progress.last_ts):
                state = "cancelled" if own.kind == "cancelled" else "failed"
                detail, hint = own.message, own.suggestion
            elif self._awaiting_start and not self.progress.ended and self.state == "stopping":
                state, detail = "cancelled", "stopped while it was starting; nothing was trained or saved"
            elif self._awaiting_start and not self.progress.ended:
                state = "failed"
                detail = f"the runner exited (code {code}) before it started; see {runs.RUNNER_STDERR}"
        self._awaiting_start = False
        self._set_state(state if state in ("finished", "cancelled", "failed") else "failed")
        if self.state == "finished":
            self.status.setText(f"Finished {summary.step} steps. The adapter is in {summary.adapter_dir}.")
        elif self.state == "cancelled":
            saved = runs.latest_checkpoint_step(self.run_dir)
            of = f" of {summary.max_steps}" if summary.max_steps else ""
            self.status.setText(f"Cancelled at step {summary.step}{of}: " + (
                f"checkpoint-{saved} is saved and Resume continues from it." if saved is not None
                else f"{detail}; no checkpoint was saved, so a new run starts from step 0."))
        else:
            self.status.setText(f"Stopped: {detail}. {hint}".strip())
        self.result.setText(result_html(summary))
        self.result_box.setVisible(self.state == "finished")
        if self.history is not None:
            self.history.refresh()

    def _set_state(self, state: str) -> None:
        self.state = state
        self.setup.set_locked(state != "setup")
        self._update_buttons()
        self.state_changed.emit(state)

    def _update_buttons(self) -> None:
        self.start_button.setText("&New run" if self.state in ENDED else "&Start training")
        runtime_ok = self.runtime is not None and self.runtime.ready
        self.start_button.setEnabled(self.state in ENDED or (self.state == "setup" and self.setup.is_ready()
                                                              and runtime_ok))
        if self.runtime is not None and not self.runtime.ready:
            self.start_button.setToolTip(self.runtime.problem)
        else:
            self.start_button.setToolTip("")
        self.cancel_button.setEnabled(self.state in ("starting", "running"))
        can_resume = self.state in ("cancelled", "failed") and self.run_dir is not None and \
            runs.latest_checkpoint_step(self.run_dir) is not None
        self.resume_button.setEnabled(can_resume)
        self.open_button.setEnabled(self.run_dir is not None)

    def new_run(self) -> None:
        """Back to the set-up for another run (the finished one stays in History)."""
        self.timer.stop()
        self.run_dir, self.launched, self.tail = None, None, None
        self.progress = RunProgress()
        self.result_box.hide()
        self.bar.setValue(0)
        self.bar.setFormat("")
        if self._chart is not None:
            from ftwizard.report.run_charts import set_series

            set_series(self._chart, {})
        self.log_view.clear()
        self.status.setText("Pick the model folder and the data, then start." if self.runtime is None or
                            self.runtime.ready else f"Training is off: {self.runtime.problem}")
        self._set_state("setup")
        self.setup.check()

    # -- history ------------------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is not self.history_tab:
            return
        if self.history is None:
            from ftwizard.gui.run_history import RunHistory

            self.history = RunHistory(self.runs_dir, catalog_getter=self.setup._catalog)
            self.history.watch_requested.connect(self.watch_run)
            self.history.resume_requested.connect(self.resume_run)
            self.history_tab.layout().addWidget(self.history)
        self.history.refresh()

    # -- closing ------------------------------------------------------------------------------------
    def is_live(self) -> bool:
        return self.state in ("starting", "running", "stopping") and self._pid() is not None

    def _ask_on_close(self) -> str:
        box = QMessageBox(self)
        box.setWindowTitle("A training run is going")
        box.setText("The training run is still going. Stop it, or leave it running?")
        box.setInformativeText("Stopping saves a checkpoint so Resume can continue. A run left running "
                               "goes on without this window; ftwizard shows it again when it next starts.")
        stop = box.addButton("&Stop the run", QMessageBox.ButtonRole.DestructiveRole)
        leave = box.addButton("&Leave it running", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return "stop" if box.clickedButton() is stop else "leave" if box.clickedButton() is leave else "cancel"

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.is_live() and self.state != "stopping":
            choice = self.ask_on_close()
            if choice == "cancel":
                event.ignore()
                return
            if choice == "stop":
                self.cancel()
            else:
                log.info("run left running: %s", self.run_dir)
        self.timer.stop()
        super().closeEvent(event)


def reattach_live_runs(parent: QWidget | None = None, *, settings=None, catalog=None,
                       runs_dir: Path | None = None) -> RunMonitor | None:
    """At start-up: a run left running is shown again (the newest; History lists the others)."""
    folder = Path(runs_dir) if runs_dir is not None else runs_dir_for(settings)
    live = runs.live_runs(folder)
    if not live:
        return None
    monitor = RunMonitor(settings=settings, catalog=catalog, runs_dir=folder, parent=parent)
    monitor.attach(live[0])
    monitor.show()
    return monitor

