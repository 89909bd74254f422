"""The Results page: advice, the ranked table with reasons, exclusions, charts, actions.

Moving the budget or a weight re-ranks live: `recommend()` runs in a worker and the newest
result wins. Every number shown comes from the Plan (estimator and ranker).

This module builds the page and ranks; showing a plan (the ranked table, the details, the
excluded models, the charts) is `results_view`, the page's buttons `results_actions`.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QSplitter,
    QTableWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from ftwizard.base.units import Money, parse_money
from ftwizard.gui import workers
from ftwizard.gui.forms import ErrorLabel, buddy_label
from ftwizard.gui.results_actions import ResultsActions
from ftwizard.gui.results_view import ResultsView, WrappingTable
from ftwizard.recommend.answers import Budget
from ftwizard.recommend.plan import WEIGHT_NAMES, ScoreWeights

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


class ResultsPage(ResultsView, ResultsActions, QWizardPage):
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

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.advice.setText(f"<b>No plan could be made.</b> {html.escape(message)}")
        self.plan = None
        self.table.setRowCount(0)
        for b in (self.export_pdf, self.save_plan, self.launch):
            b.setEnabled(False)

    def settings_changed(self) -> None:
        money = self.money()  # the currency may have changed: the budget field says it
        self.budget_label.setText(f"&Training budget ({money.code}):")
        self.budget.blockSignals(True)
        self.budget.setText(f"{round(money.amount(self._wizard.answers.budget.training_usd), 6):g}")
        self.budget.blockSignals(False)
        if self.plan is not None:
            self.rank()  # the electricity price changes local costs
