"""The Results page: advice, the ranked table with reasons, exclusions, charts, actions.

Moving the budget or a weight re-ranks live: `recommend()` runs in a worker and the newest
result wins. Every number shown comes from the Plan (estimator and ranker).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSlider,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ftwizard.base.units import MEMORY_NOTE, Money, mem_of, parse_money
from ftwizard.gui import workers
from ftwizard.gui.forms import ErrorLabel, buddy_label
from ftwizard.recommend.answers import Budget
from ftwizard.recommend.plan import WEIGHT_NAMES, ScoreWeights
from ftwizard.recommend.text import TECHNIQUE_LABEL, hours_text
from ftwizard.report.plan_estimates import assumption_text
from ftwizard.report.plan_text import shared_card

COLUMNS = ("#", "Model", "Technique", "Where", "VRAM / GPU", "Time", "Training cost", "Score")
WEIGHT_LABELS = {
    "quality": "&Quality", "data_fit": "&Data fit", "time": "T&ime", "cost": "C&ost",
    "inference_cost": "Servin&g cost", "maturity": "&Maturity",
}
RERANK_DELAY_MS = 150  # coalesce slider drags into one ranking


def run_recommend(answers, catalog, hardware, weights, electricity):
    from ftwizard.estimate.calibrated import open_default_store
    from ftwizard.recommend.ranking import recommend

    # Re-read each ranking: a run that just finished may have added a record.
    store, notice = open_default_store()  # a damaged database is moved aside, never fatal
    plan = recommend(answers, catalog, hardware, weights, electricity_usd_per_kwh=electricity, calibration=store)
    if notice:
        plan.advice.notes.append(notice)  # shown once, under the advice
    return plan


def _vram_text(rec) -> str:
    """Peak per GPU against the memory the ranker planned with: usable memory, or what a shared
    card had free (its warning says so), in the vendors' GB like the hardware page."""
    room = None if rec.margin_gb is None else rec.peak_vram_gb + rec.margin_gb
    return mem_of(rec.peak_vram_gb, room, free=shared_card(rec))


class WrappingTable(QTableWidget):
    """A table whose wrapped cells are as tall as their text at the current width: rows are
    measured again whenever the table (and so the stretched column) changes width, so a
    reason is never cut off nor padded with blank lines."""

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            QTimer.singleShot(0, self.resizeRowsToContents)  # after the header has stretched


def fit_columns(table: QTableWidget, stretch: int) -> None:
    """Columns as wide as their contents, `stretch` taking the rest: the table fills its width
    after every fill (resizing to contents alone drops the stretch, so a re-rank left a gap)."""
    header = table.horizontalHeader()
    for col in range(table.columnCount()):
        if col != stretch:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            table.resizeColumnToContents(col)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


class ResultsPage(QWizardPage):
    page_id = "results"
    plan_ready = Signal(object)  # a Plan shown on the page (tests and the run monitor wait on it)

    def __init__(self, wizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("Your plan")
        self.setSubTitle("Ranked by a weighted score; change the budget or the weights to re-rank.")
        self.plan = None
        self._opened_plan = None
        self._generation = 0
        self._charts = None  # built on first view of the Charts tab (pyqtgraph loads then)
        self._charts_stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RERANK_DELAY_MS)
        self._timer.timeout.connect(self.rank)

        self.advice = QLabel()
        self.advice.setWordWrap(True)
        self.advice.setTextFormat(Qt.TextFormat.RichText)
        self.advice.setAccessibleName("Advice")
        self.advice.setFrameShape(QLabel.Shape.StyledPanel)
        self.advice.setMargin(8)

        self.budget = QLineEdit()
        self.budget.setAccessibleName("Training budget in the display currency")
        self.budget.setToolTip("Change it to re-rank: options above the budget are excluded.")
        self.budget.setMaximumWidth(140)
        self.budget_error = ErrorLabel()
        self.budget.textChanged.connect(self._budget_edited)
        self.weights_button = QPushButton("&Weights…")
        self.weights_button.setCheckable(True)
        self.weights_button.setAccessibleName("Show score weights")
        self.add_folder = QPushButton("&Add model folder…")
        self.add_folder.setToolTip(
            "Rank a model folder on this machine (config.json, tokenizer, weights, LICENSE) beside the catalog's models."
        )
        self.add_folder.clicked.connect(self.add_model_folder)
        self.status = QLabel()
        self.status.setAccessibleName("Ranking status")
        controls = QHBoxLayout()
        self.budget_label = buddy_label("&Training budget (USD):", self.budget)
        controls.addWidget(self.budget_label)
        controls.addWidget(self.budget)
        controls.addWidget(self.budget_error)
        controls.addWidget(self.status, 1)
        controls.addWidget(self.add_folder)
        controls.addWidget(self.weights_button)

        self.weights_box = QGroupBox("Score weights (each part's share of the total)")
        grid = QGridLayout(self.weights_box)
        self.sliders: dict[str, QSlider] = {}
        self.weight_values: dict[str, QLabel] = {}
        defaults = ScoreWeights()
        for i, name in enumerate(WEIGHT_NAMES):
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, 100)
            slider.setValue(round(getattr(defaults, name) * 100))
            slider.setAccessibleName(f"Weight of {name.replace('_', ' ')}")
            slider.setToolTip(ScoreWeights.model_fields[name].description)
            slider.valueChanged.connect(self._weights_changed)
            value = QLabel()
            value.setMinimumWidth(36)
            row, col = divmod(i, 2)
            grid.addWidget(buddy_label(WEIGHT_LABELS[name], slider), row, col * 3)
            grid.addWidget(slider, row, col * 3 + 1)
            grid.addWidget(value, row, col * 3 + 2)
            self.sliders[name], self.weight_values[name] = slider, value
        self.weights_box.hide()
        self.weights_button.toggled.connect(self.weights_box.setVisible)
        self._show_weight_shares()

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Ranked recommendations")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Sized once per fill (ResizeToContents re-measures every row on every setItem: O(n²)).
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.details = QTextBrowser()
        self.details.setAccessibleName("Reasons and warnings of the selected recommendation")
        self.details.setOpenLinks(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        self.excluded = WrappingTable(0, 3)
        self.excluded.setHorizontalHeaderLabels(("Model", "Technique", "Why it is out"))
        self.excluded.setAccessibleName("Excluded models and their reasons")
        self.excluded.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.excluded.setTabKeyNavigation(False)
        self.excluded.setWordWrap(True)
        self.excluded.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.excluded.verticalHeader().hide()
        self.excluded.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Reasons wrap: row heights follow the reason column's width (WrappingTable).

        self.assumptions = QTextBrowser()
        self.assumptions.setAccessibleName("Assumptions behind the numbers")
        self.charts_tab = QWidget()
        self.charts_layout = QVBoxLayout(self.charts_tab)
        self.tabs = QTabWidget()
        self.tabs.addTab(split, "&Ranking")
        self.tabs.addTab(self.excluded, "E&xcluded")
        self.tabs.addTab(self.charts_tab, "C&harts")
        self.tabs.addTab(self.assumptions, "Assum&ptions")
        self.tabs.currentChanged.connect(self._tab_changed)

        self.export_pdf = QPushButton("&Export PDF…")
        self.save_plan = QPushButton("Sa&ve plan…")
        self.launch = QPushButton("&Launch training…")
        self.check_fit = QPushButton("Chec&k it fits…")
        self.check_fit.setToolTip("Open the run set-up: pick the model folder and data, then a few real steps "
                                  "in the training runtime measure memory and speed beside the estimate")
        for button, slot in ((self.export_pdf, self.export_pdf_clicked),
                             (self.save_plan, self.save_plan_clicked),
                             (self.check_fit, self.check_fit_clicked),
                             (self.launch, self.launch_clicked)):
            button.clicked.connect(slot)
            button.setEnabled(False)
        actions = QHBoxLayout()
        actions.addStretch(1)
        for b in (self.export_pdf, self.save_plan, self.check_fit, self.launch):
            actions.addWidget(b)

        layout = QVBoxLayout(self)
        layout.addWidget(self.advice)
        layout.addLayout(controls)
        layout.addWidget(self.weights_box)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)

    # -- ranking -----------------------------------------------------------------
    def money(self) -> Money:
        """The display currency of the Settings: every amount on the page is in it."""
        return Money.from_settings(self._wizard.settings)

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        answers = self._wizard.answers
        money = self.money()
        self.budget_label.setText(f"&Training budget ({money.code}):")
        self.budget.blockSignals(True)
        self.budget.setText(f"{round(money.amount(answers.budget.training_usd), 6):g}")
        self.budget.blockSignals(False)
        self.budget_error.show_message(None)
        if self._opened_plan is not None:
            plan, self._opened_plan = self._opened_plan, None
            self.set_weights(plan.weights)
            self.show_plan(plan)
            self.status.setText("Opened from file.")
        else:
            self.rank()

    def set_opened_plan(self, plan) -> None:
        """Show a saved plan as it was saved, until the user changes something."""
        self._opened_plan = plan

    def weights(self) -> ScoreWeights:
        values = {n: float(s.value()) for n, s in self.sliders.items()}
        if sum(values.values()) <= 0:
            values = ScoreWeights().model_dump()
        return ScoreWeights(**values)

    def set_weights(self, weights: ScoreWeights) -> None:
        for name, slider in self.sliders.items():
            slider.blockSignals(True)
            slider.setValue(round(getattr(weights, name) * 100))
            slider.blockSignals(False)
        self._show_weight_shares()

    def _show_weight_shares(self) -> None:
        w = self.weights()
        for name, label in self.weight_values.items():
            label.setText(f"{getattr(w, name):.0%}")

    def _weights_changed(self) -> None:
        self._show_weight_shares()
        self._timer.start()

    def _budget_edited(self, text: str) -> None:
        money = self.money()
        try:
            value = parse_money(text, money, positive=True)
        except ValueError as exc:
            self.budget_error.show_message(str(exc))
            return
        self.budget_error.show_message(None)
        wiz = self._wizard
        wiz.answers = wiz.answers.model_copy(update={
            "budget": Budget(training_usd=value, monthly_inference_usd=wiz.answers.budget.monthly_inference_usd)
        })
        wiz.pages["budget"].set_answers(wiz.answers)  # the Budget page shows the same answer
        self._timer.start()

    def rank(self) -> workers.Worker:
        """Run the recommender in the background; the newest request wins."""
        self._timer.stop()
        self._generation += 1
        generation = self._generation
        wiz = self._wizard
        hw_page = wiz.pages["hardware"]
        hardware = hw_page.profile if wiz.answers.hardware.mode == "detect" else None
        electricity = wiz.settings.electricity_usd_per_kwh if wiz.settings else None
        worker = workers.Worker(run_recommend, wiz.answers, wiz.catalog, hardware, self.weights(), electricity)
        worker.signals.done.connect(lambda plan: generation == self._generation and self.show_plan(plan))
        worker.signals.failed.connect(lambda msg: generation == self._generation and self._failed(msg))
        self.status.setText("Ranking…")
        return workers.start(worker)

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

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.advice.setText(f"<b>No plan could be made.</b> {html.escape(message)}")
        self.plan = None
        self.table.setRowCount(0)
        for b in (self.export_pdf, self.save_plan, self.launch):
            b.setEnabled(False)

    # -- showing a plan ------------------------------------------------------------
    def show_plan(self, plan) -> None:
        self.plan = plan
        self.status.setText(f"{len(plan.recommendations)} options ranked.")
        self._show_advice(plan)
        self._fill_table(plan)
        self._fill_excluded(plan)
        notes = [MEMORY_NOTE, self.money().note(), *(assumption_text(a) for a in plan.assumptions)]
        self.assumptions.setHtml("<ul>" + "".join(f"<li>{html.escape(a)}</li>" for a in notes) + "</ul>")
        has = bool(plan.recommendations)
        for b in (self.export_pdf, self.save_plan):
            b.setEnabled(True)
        self.launch.setEnabled(has)
        self.check_fit.setEnabled(has)
        self._charts_stale = True
        if self.tabs.currentWidget() is self.charts_tab:
            self.refresh_charts()
        self.plan_ready.emit(plan)

    def _show_advice(self, plan) -> None:
        a = plan.advice
        head = "Fine-tuning is a good fit." if a.fine_tune else "Fine-tuning is probably not the first step."
        money = self.money()
        parts = [f"<b>{head}</b> {html.escape(money.in_text(a.summary))}"]
        if a.alternatives:
            parts.append("Consider: " + "; ".join(html.escape(money.in_text(x)) for x in a.alternatives))
        if a.examples_to_collect:
            parts.append(f"Aim for about {a.examples_to_collect:,} good examples; keep "
                         f"{a.holdout_examples or 0:,} aside to evaluate base vs tuned.")
        parts += [html.escape(money.in_text(n)) for n in a.notes]
        self.advice.setText("<br>".join(parts))

    def _money(self, usd: float | None) -> str:
        return self.money()(usd)

    def _fill_table(self, plan) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(plan.recommendations))
        for row, rec in enumerate(plan.recommendations):
            hw = rec.hardware
            where = f"{hw.count} × {hw.gpu_name}" if hw.count > 1 else hw.gpu_name
            where += " (local)" if hw.where == "local" else f" ({hw.provider})"
            cells = (
                str(rec.rank), rec.model_name, TECHNIQUE_LABEL.get(rec.technique, rec.technique), where,
                _vram_text(rec),
                hours_text(rec.train_hours) if rec.train_hours is not None else "unknown",
                self._money(rec.train_cost_usd), f"{rec.score:.2f}",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (0, 4, 5, 6, 7):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if rec.warnings:
                    item.setToolTip(f"{len(rec.warnings)} warning(s): select the row to read them")
                self.table.setItem(row, col, item)
        fit_columns(self.table, stretch=1)
        self.table.blockSignals(False)
        if plan.recommendations:
            self.table.selectRow(plan.chosen_index or 0)
            self._show_details(plan.recommendations[plan.chosen_index or 0])
        else:
            self.details.setHtml("<p>No option passes the constraints: see the Excluded tab.</p>")

    def _fill_excluded(self, plan) -> None:
        names = {m.id: m.name for m in self._wizard.catalog.models} if self._wizard.catalog else {}
        self.excluded.setRowCount(len(plan.excluded))
        for row, ex in enumerate(plan.excluded):
            technique = TECHNIQUE_LABEL.get(ex.technique, "all techniques") if ex.technique else "all techniques"
            reason = self.money().in_text(ex.reason)
            for col, text in enumerate((names.get(ex.model_id, ex.model_id), technique, reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(reason)
                self.excluded.setItem(row, col, item)
        fit_columns(self.excluded, stretch=2)
        self.excluded.resizeRowsToContents()
        self.tabs.setTabText(1, f"E&xcluded ({len(plan.excluded)})")

    def _row_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self.plan is None:
            return
        index = rows[0].row()
        if index == self.plan.chosen_index:
            return
        from ftwizard.recommend.hyperparams import run_config_for

        rec = self.plan.recommendations[index]
        self.plan = self.plan.model_copy(update={
            "chosen_index": index, "run_config": run_config_for(rec, self.plan.answers)})
        self._show_details(rec)
        self._charts_stale = True
        if self.tabs.currentWidget() is self.charts_tab:
            self.refresh_charts()

    def _show_details(self, rec) -> None:
        hp = rec.hyperparameters
        money = self.money()
        bits = [f"<h3>{rec.rank}. {html.escape(rec.model_name)} — {TECHNIQUE_LABEL.get(rec.technique, rec.technique)}</h3>"]
        bits.append("<ul>" + "".join(f"<li>{html.escape(money.in_text(r))}</li>" for r in rec.reasons) + "</ul>")
        if rec.warnings:
            bits.append("<p><b>Warnings</b></p><ul>" + "".join(
                f"<li>⚠ {html.escape(money.in_text(w))}</li>" for w in rec.warnings) + "</ul>")
        if rec.calibration:
            bits.append(f"<p>Memory and time are {html.escape(rec.calibration)}.</p>")
        monthly = self._money(rec.monthly_inference_usd)
        serve = f" on {html.escape(rec.monthly_inference_gpu)}" if rec.monthly_inference_gpu else ""
        bits.append(
            f"<p>Serving: about {monthly} a month{serve}. Start with learning rate {hp.learning_rate:g}, "
            f"{hp.epochs:g} epoch(s), sequence length {hp.seq_len:,}, batch {hp.micro_batch} × "
            f"{hp.grad_accum}{f', LoRA rank {hp.lora_r}' if hp.lora_r else ''}. "
            f"Model: {html.escape(rec.hf_repo_id)}.</p>")
        self.details.setHtml("".join(bits))

    # -- charts (pyqtgraph loads on first view) --------------------------------------
    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.charts_tab and self._charts_stale:
            self.refresh_charts()

    def refresh_charts(self) -> None:
        if self.plan is None:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            from ftwizard.gui.charts import PlanCharts

            if self._charts is None:
                self._charts = PlanCharts(self.charts_tab)
                self.charts_layout.addWidget(self._charts)
            wiz = self._wizard
            self._charts.show_plan(self.plan, wiz.catalog, wiz.pages["hardware"].profile, wiz.settings)
            self._charts_stale = False
        finally:
            QGuiApplication.restoreOverrideCursor()

    def settings_changed(self) -> None:
        money = self.money()  # the currency may have changed: the budget field says it
        self.budget_label.setText(f"&Training budget ({money.code}):")
        self.budget.blockSignals(True)
        self.budget.setText(f"{round(money.amount(self._wizard.answers.budget.training_usd), 6):g}")
        self.budget.blockSignals(False)
        if self.plan is not None:
            self.rank()  # the electricity price changes local costs

    # -- actions -------------------------------------------------------------------
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
