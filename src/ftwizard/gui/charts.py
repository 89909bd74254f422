"""The three results charts in the window, drawn by the same code as the PDF's.

`ftwizard.report.charts` draws them (pyqtgraph); this module feeds them the figures a plan
does not store (VRAM breakdown, the chosen job on each GPU) and recolours them for a dark
palette. Imported only when the Charts tab is first opened: pyqtgraph takes ~0.8 s to load.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ftwizard.base.errors import FtwizardError
from ftwizard.base.units import Money
from ftwizard.gui.forms import is_dark
from ftwizard.recommend.plan_figures import priced_runs, vram_breakdowns
from ftwizard.report import chart_data as cd
from ftwizard.report import charts as rc

VRAM_TOP = 5
QUALITY_TOP = 15  # points beyond the front carry no label; more than this crowd the chart
GPU_OPTIONS = 7  # two-line tick labels stay apart at the page's width
TITLES = ("Memor&y", "Qu&ality vs cost", "GPU optio&ns")


class PlanCharts(QWidget):
    """Three tabs, one chart each, so every chart gets the full width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Charts")
        self.tabs.setDocumentMode(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.widgets: list[QWidget] = []

    def show_plan(self, plan, catalog, hardware=None, settings=None) -> None:
        electricity = settings.electricity_usd_per_kwh if settings is not None else None
        money = Money.from_settings(settings)
        current = max(0, self.tabs.currentIndex())
        builders = (
            lambda: rc.vram_chart(plan, top=VRAM_TOP, breakdowns=vram_breakdowns(
                plan, catalog, top=VRAM_TOP, electricity_usd_per_kwh=electricity)),
            lambda: rc.quality_cost_chart(top_of(plan, QUALITY_TOP), money=money),
            lambda: rc.gpu_options_chart(plan, options=self._options(plan, catalog, hardware, electricity),
                                         money=money),
        )
        self.tabs.clear()
        for w in self.widgets:
            w.deleteLater()
        self.widgets = []
        for title, build in zip(TITLES, builders, strict=True):
            try:
                widget = build()
                theme(widget, self.palette())
            except FtwizardError as exc:
                widget = QLabel(f"This chart cannot be drawn: {str(exc).splitlines()[0]}")
                widget.setWordWrap(True)
            widget.setAccessibleName(title.replace("&", "") + " chart")
            self.widgets.append(widget)
            self.tabs.addTab(widget, title)
        self.tabs.setCurrentIndex(current)

    @staticmethod
    def _options(plan, catalog, hardware, electricity) -> list[cd.GpuOption] | None:
        rec = plan.chosen or (plan.recommendations[0] if plan.recommendations else None)
        if rec is None:
            return None
        runs = priced_runs(plan, rec, catalog, hardware, electricity_usd_per_kwh=electricity, limit=GPU_OPTIONS)
        return [cd.GpuOption(label=r.label, train_hours=r.train_hours,
                             train_cost_usd=r.train_cost_usd, chosen=r.chosen) for r in runs]


def top_of(plan, top: int):
    """The plan with its first `top` recommendations (and the chosen one) for a chart."""
    recs = cd.top_recommendations(plan, top)
    chosen = plan.chosen
    index = recs.index(chosen) if chosen in recs else None
    return plan.model_copy(update={"recommendations": recs, "chosen_index": index})


def theme(widget: pg.PlotWidget, palette: QPalette) -> None:
    """The report draws dark ink on white (print); on a dark palette use the window's colours."""
    if not is_dark(widget) and palette.color(QPalette.ColorRole.Base).lightness() >= 128:
        return
    ink = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    widget.setBackground(base)
    item = widget.getPlotItem()
    for name in ("left", "bottom", "right"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(ink))
        axis.setTextPen(pg.mkPen(ink))
        if axis.labelText and axis.label.isVisible():  # restyle; setLabel would show a hidden one
            axis.setLabel(axis.labelText, units=axis.labelUnits, **{**axis.labelStyle, "color": ink.name()})
    if item.titleLabel.text:
        item.titleLabel.setText(item.titleLabel.text, color=ink.name())
    old_ink = QColor(rc.INK)
    for child in widget.scene().items():  # legends and labels wherever the report put them
        if isinstance(child, pg.LegendItem):
            child.setBrush(pg.mkBrush(QColor(base.red(), base.green(), base.blue(), 220)))
            child.setLabelTextColor(ink)
            for _, label in child.items:
                label.setText(label.text, color=ink.name())  # setLabelTextColor does not redraw
        elif isinstance(child, pg.TextItem) and child.color == old_ink:
            child.setColor(ink)
