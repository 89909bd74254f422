"""The run monitor: start the training runner on the plan, watch it, stop it, resume it, and
read the before/after result. A History tab lists past runs.

How it watches (one design for launching and for reattaching): the runner is started in a
session of its own (`runs.launch`), so closing this window never kills it, and progress is
read by tailing `metrics.jsonl` in the run folder every POLL_MS (`runs.progress`), never
from the process's stdout. Whether the runner still lives comes from the folder too (its lock,
`runs.history.runner_pid`); the window that launched it also knows the exit code. Nothing here
blocks: a poll reads only the bytes appended since the last one.

The window is built here and closes here (asking whether to stop a live run); starting,
cancelling and resuming are in `run_control`, following the run folder in `run_watch`.
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

from ftwizard.gui.run_control import RunControl
from ftwizard.gui.run_setup import RunSetup
from ftwizard.gui.run_watch import LOG_TAIL_LINES, RunWatch
from ftwizard.runs import history as runs
from ftwizard.runs.config import RunConfig
from ftwizard.runs.progress import MetricsTail, RunProgress

log = logging.getLogger("ftwizard.gui")

POLL_MS = 250
CLOSE_CHOICES = ("stop", "leave", "cancel")


def detect_hardware(catalog):
    from ftwizard.hardware.detect import detect

    return detect(catalog)


def runs_dir_for(settings=None) -> Path:
    from ftwizard.base.paths import default_runs_dir

    if settings is not None and getattr(settings, "runs_dir", None):
        return Path(settings.runs_dir).expanduser()
    return default_runs_dir()


class RunMonitor(RunControl, RunWatch, QWidget):
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
        self.runtime = None  # ftwizard.runtime.rule.TrainingRuntime, checked in a worker below

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
