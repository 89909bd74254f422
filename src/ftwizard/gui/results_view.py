"""The Results page showing a plan: the advice, the ranked table and the selected plan's
details, the excluded models, the assumptions, and the charts (pyqtgraph loads on their first
view). A mixin of `page_results.ResultsPage`, whose page holds the widgets; with the two table
helpers it uses (WrappingTable, fit_columns)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from ftwizard.base.units import MEMORY_NOTE, mem_of
from ftwizard.recommend.text import TECHNIQUE_LABEL, hours_text
from ftwizard.report.plan_estimates import assumption_text
from ftwizard.report.plan_text import shared_card


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


class ResultsView:
    """Mixin of the Results page (page_results.ResultsPage): a plan on the page."""

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
