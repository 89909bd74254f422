"""The Results page's buttons: add a local model folder to the ranking, export the plan as a
PDF, save it as JSON, check it fits and launch training (both in the run monitor). A mixin of
`page_results.ResultsPage`."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog


class ResultsActions:
    """Mixin of the Results page (page_results.ResultsPage): what its buttons do."""

    def add_model_folder(self, checked: bool = False, path: Path | None = None, licence: str | None = None) -> bool:
        """Add a local model folder as a candidate and re-rank (catalog engineer, issue 21).

        An unrecognised licence is asked for; leaving it unknown keeps the folder out of
        commercial plans (recommend.local_models)."""
        from ftwizard.base.errors import FtwizardError
        from ftwizard.recommend.local_models import model_from_folder, with_local_models

        if path is None:
            chosen = QFileDialog.getExistingDirectory(self, "Add model folder", str(Path.home()))
            if not chosen:
                return False
            path = Path(chosen)
        wiz = self._wizard
        try:
            unknown = model_from_folder(path).licences == ["unknown-local"]
        except FtwizardError as exc:
            self.status.setText("")
            self.advice.setText(f"<b>The model folder cannot be added.</b> {html.escape(str(exc))}")
            return False
        if licence is None and unknown and wiz.answers.compliance.commercial_use:
            from PySide6.QtWidgets import QInputDialog

            keep = "Unknown (exclude from commercial plans)"
            ids = [keep] + [x.id for x in wiz.catalog.licences]
            choice, ok = QInputDialog.getItem(
                self, "Licence of the model folder",
                f"No licence was recognised in {path.name}. Which licence do the weights come under?", ids, 0, False,
            )
            licence = choice if ok and choice != keep else None
        try:
            wiz.catalog = with_local_models(wiz.catalog, [str(path)], {path.name.lower(): licence} if licence else None)
        except FtwizardError as exc:
            self.status.setText("")
            self.advice.setText(f"<b>The model folder cannot be added.</b> {html.escape(str(exc))}")
            return False
        self.status.setText(f"Added {path.name}; ranking…")
        self.rank()
        return True

    def _ask_path(self, title: str, name: str, filter_: str) -> Path | None:
        start = Path.home() / name
        path, _ = QFileDialog.getSaveFileName(self, title, str(start), filter_)
        return Path(path) if path else None

    def export_pdf_clicked(self, checked: bool = False, path: Path | None = None) -> Path | None:
        try:
            from ftwizard.report.pdf import write_plan_pdf
        except ImportError:
            QMessageBox.information(self, "Export PDF", "PDF export is not available in this build yet. "
                                    "Save the plan as JSON meanwhile; it holds every figure.")
            return None
        path = path or self._ask_path("Export the plan as PDF", "plan.pdf", "PDF (*.pdf)")
        if path is None:
            return None
        from ftwizard.base.errors import FtwizardError

        # The charts are Qt widgets, which only the UI thread may build: no worker here, but
        # a progress dialog that Qt shows only if the export takes over half a second.
        dialog = QProgressDialog("Writing the PDF…", "", 0, 100, self)
        dialog.setCancelButton(None)
        dialog.setWindowTitle("Export PDF")
        dialog.setMinimumDuration(500)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)

        def progress(fraction: float, message: str) -> None:
            dialog.setValue(int(fraction * 100))
            dialog.setLabelText(message[:1].upper() + message[1:] + "…" if message else "Writing the PDF…")
            QApplication.processEvents()

        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data_page = self._wizard.pages.get("data")
            write_plan_pdf(self.plan, path, self._wizard.catalog, progress=progress, money=self.money(),
                           dataset=getattr(data_page, "dataset_report", None))
        except FtwizardError as exc:
            QMessageBox.warning(self, "Export PDF", str(exc).splitlines()[0])
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
            dialog.close()
        self.status.setText(f"Saved {path.name}.")
        return path

    def save_plan_clicked(self, checked: bool = False, path: Path | None = None) -> Path | None:
        from ftwizard.base.errors import FtwizardError
        from ftwizard.recommend.plan import save_plan

        path = path or self._ask_path("Save the plan", "plan.json", "Plan (*.json)")
        if path is None:
            return None
        try:
            save_plan(self.plan, path)
        except FtwizardError as exc:
            QMessageBox.warning(self, "Save plan", str(exc).splitlines()[0])
            return None
        self.status.setText(f"Saved {path.name}.")
        return path

    def check_fit_clicked(self) -> None:
        """The run set-up for the chosen plan (gui.run_setup's Check it fits needs the local model
        folder and data, which only it asks for), with the focus on Check it fits."""
        self.launch_clicked()
        monitor = getattr(self._wizard, "run_monitor", None)
        if monitor is not None and hasattr(monitor, "setup"):
            monitor.status.setText("Pick the model folder and the data, then Check it fits: a few real steps "
                                   "in the training runtime, measured beside the estimate.")
            monitor.setup.fit_button.setFocus()

    def launch_clicked(self) -> None:
        if not self._wizard.has_training_monitor():
            QMessageBox.information(
                self, "Launch training",
                "The run monitor is not part of this build yet. The plan holds the run "
                "configuration: save it and start the run when the monitor arrives.")
            return
        self._wizard.launch_training(self.plan)
