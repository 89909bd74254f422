"""Run history: the run folders under the runs folder, newest first, with their status, model,
dates, final metrics and adapter; open a folder, watch or resume a run, export its report.
The folders are read in a worker (`runs.history.list_runs`); the table only shows the result.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ftwizard.base.errors import FtwizardError
from ftwizard.gui import workers
from ftwizard.runs.figures import num

COLUMNS = ("Status", "Model", "Method", "Started", "Finished", "Steps", "Eval loss before → after", "Adapter")
STATUS_TEXT = {"running": "● running", "finished": "✔ finished", "cancelled": "■ cancelled",
               "failed": "✘ failed", "unknown": "? unknown"}


def _when(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else "—"


class RunHistory(QWidget):
    """`watch_requested(Path)` / `resume_requested(Path)`: the monitor takes the run over."""

    watch_requested = Signal(object)
    resume_requested = Signal(object)
    loaded = Signal()

    def __init__(self, runs_dir: Path, *, catalog_getter=None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs_dir = Path(runs_dir)
        self.catalog_getter = catalog_getter
        self.runs: list = []
        self._generation = 0

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Past training runs")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.detail = QLabel()
        self.detail.setAccessibleName("Selected run")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where = QLabel(f"Run folders in {self.runs_dir}")
        self.where.setWordWrap(True)

        self.refresh_button = QPushButton("Re&fresh")
        self.watch_button = QPushButton("&Watch")
        self.open_button = QPushButton("Open fol&der")
        self.resume_button = QPushButton("Resu&me")
        self.export_button = QPushButton("E&xport report…")
        self.answers_button = QPushButton("&Answers && chat…")
        self.answers_button.setToolTip("Base vs tuned answers to the holdout, task metrics, and a chat to try it")
        self.answers_button.clicked.connect(lambda: self.open_answers())
        self.answer_windows: list = []
        self.refresh_button.clicked.connect(self.refresh)
        self.watch_button.clicked.connect(lambda: self._emit(self.watch_requested))
        self.resume_button.clicked.connect(lambda: self._emit(self.resume_requested))
        self.open_button.clicked.connect(self._open_folder)
        self.export_button.clicked.connect(lambda: self.export_report())
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        for b in (self.watch_button, self.open_button, self.resume_button, self.answers_button, self.export_button):
            buttons.addWidget(b)

        lay = QVBoxLayout(self)
        lay.addWidget(self.where)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.detail)
        lay.addLayout(buttons)
        self._update_buttons()

    # -- loading --------------------------------------------------------------------------------
    def refresh(self) -> workers.Worker:
        from ftwizard.runs.history import list_runs

        self._generation += 1
        gen = self._generation
        worker = workers.Worker(list_runs, self.runs_dir)
        worker.signals.done.connect(lambda found: gen == self._generation and self.show_runs(found))
        worker.signals.failed.connect(lambda msg: self.detail.setText(f"Runs could not be listed: {msg}"))
        return workers.start(worker)

    def show_runs(self, found: list) -> None:
        selected = self.selected()
        self.runs = found
        self.table.setRowCount(len(found))
        for row, r in enumerate(found):
            steps = f"{r.step} / {r.max_steps}" if r.max_steps else str(r.step)
            cells = (STATUS_TEXT[r.status], r.model, r.method or "—", _when(r.started_at), _when(r.finished_at),
                     steps, f"{num(r.eval_loss_before)} → {num(r.eval_loss_after)}", self._short(r.adapter_dir))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{r.run_dir}\n{r.detail}")
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.where.setText(f"{len(found)} run(s) in {self.runs_dir}" if found else
                           f"No runs yet in {self.runs_dir}.")
        if selected is not None:
            for row, r in enumerate(found):
                if r.run_dir == selected.run_dir:
                    self.table.selectRow(row)
        self._update_buttons()
        self.loaded.emit()

    def _short(self, path: str | None) -> str:
        """A path inside the runs folder, relative to it (the tooltip has the whole)."""
        if not path:
            return "—"
        try:
            return str(Path(path).relative_to(self.runs_dir))
        except ValueError:
            return path

    # -- the selected run ------------------------------------------------------------------------
    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.runs[rows[0].row()] if rows and rows[0].row() < len(self.runs) else None

    def select(self, run_dir: Path) -> bool:
        for row, r in enumerate(self.runs):
            if Path(r.run_dir) == Path(run_dir):
                self.table.selectRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        r = self.selected()
        self.watch_button.setEnabled(r is not None)
        self.open_button.setEnabled(r is not None)
        self.resume_button.setEnabled(r is not None and r.can_resume)
        self.export_button.setEnabled(r is not None and r.status != "unknown")
        self.answers_button.setEnabled(r is not None and r.status == "finished")
        self.detail.setText(f"{r.name}: {r.detail}" if r is not None else "")

    def _emit(self, signal) -> None:
        r = self.selected()
        if r is not None:
            signal.emit(Path(r.run_dir))

    def _open_folder(self) -> None:
        from ftwizard.gui import desktop

        r = self.selected()
        if r is not None:
            desktop.open_folder(Path(r.run_dir))

    def open_answers(self):
        """The selected finished run's answers, metrics and chat, in a window of their own."""
        from ftwizard.gui.run_results import RunResultsWindow

        r = self.selected()
        if r is None:
            return None
        window = RunResultsWindow(Path(r.run_dir))
        self.answer_windows = [w for w in self.answer_windows if w.isVisible()] + [window]
        window.show()
        return window

    def export_report(self, path: Path | None = None) -> Path | None:
        """The run report PDF: the plan it was launched from (if kept) and what it measured."""
        from PySide6.QtGui import QGuiApplication

        from ftwizard.report.run_report import write_run_report

        r = self.selected()
        if r is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export the run report", str(Path.home() / f"{r.name}.pdf"),
                                                    "PDF (*.pdf)")
            if not chosen:
                return None
            path = Path(chosen)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:  # Qt widgets draw the chart, so the UI thread writes it (a second or so)
            write_run_report(Path(r.run_dir), path, catalog=self.catalog_getter() if self.catalog_getter else None)
        except FtwizardError as exc:
            QMessageBox.warning(self, "Export report", str(exc).splitlines()[0])
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.detail.setText(f"Saved {path}.")
        return path
