"""The plan's charts as pyqtgraph views: the GUI embeds them, the PDF prints them.

Public API (the GUI imports it):
    vram_chart(plan, *, top=5, breakdowns=None) -> pg.PlotWidget
    quality_cost_chart(plan, *, top=None) -> pg.PlotWidget
    gpu_options_chart(plan, *, options=None) -> pg.PlotWidget
    render_chart_image(widget, width_px, height_px, *, device_pixel_ratio=1.0) -> QImage
    paint_chart(widget, painter, rect) -> None

The series come from `chart_data` (Qt-free). Needs a QApplication. The PDF paints the
very same scene as vectors (`paint_chart`) on a 96-dpi page device; `render_chart_image`
gives a raster copy (PNG, clipboard) at any device pixel ratio.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication

from ftwizard.report import chart_data as cd

# Okabe & Ito (2008), "Color Universal Design": distinguishable with colour-vision deficiency.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#999999",  # grey
    # Paul Tol's "muted" scheme, also colour-blind safe, for charts with more series.
    "#882255",  # wine
    "#44AA99",  # teal
    "#332288",  # indigo
    "#117733",  # green
)
INK = "#222222"
LIMIT = "#D55E00"
CHOSEN = "#D55E00"

# Chart text in pixels of the chart's logical size, so it scales with the image.
TICK_PX = 11
LABEL_PX = 12
TITLE_PX = 14


def _font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def _new_plot(title: str, left: str, bottom: str) -> pg.PlotWidget:
    w = pg.PlotWidget(background="w")
    item = w.getPlotItem()
    item.setTitle(title, color=INK, size=f"{TITLE_PX}px")
    for name, text in (("left", left), ("bottom", bottom)):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(INK))
        axis.setTextPen(pg.mkPen(INK))
        axis.setStyle(tickFont=_font(TICK_PX))
        axis.enableAutoSIPrefix(False)  # "(x0.001)" on a 0-1 score confuses readers
        item.setLabel(name, text, **{"color": INK, "font-size": f"{LABEL_PX}px"})
    item.showGrid(x=False, y=True, alpha=0.15)
    item.setMenuEnabled(False)
    item.hideButtons()
    w.setMinimumSize(320, 220)
    return w


def _legend(w: pg.PlotWidget, columns: int = 4) -> pg.LegendItem:
    """Under the plot, in `columns` columns: it never hides data or limit lines."""
    legend = pg.LegendItem(
        offset=None, labelTextSize=f"{TICK_PX}px", labelTextColor=INK, colCount=columns,
        horSpacing=6, verSpacing=-6,
    )
    # PlotItem's grid: title row 0, top axis 1, view 2, bottom axis 3; the legend takes row 4.
    w.getPlotItem().layout.addItem(legend, 4, 0, 1, 3)
    return legend


def _empty_note(w: pg.PlotWidget, text: str) -> None:
    note = pg.TextItem(text, color=INK, anchor=(0.5, 0.5))
    note.setFont(_font(LABEL_PX))
    note.setPos(0.5, 0.5)
    w.getPlotItem().addItem(note)
    w.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1))
    w.getPlotItem().hideAxis("left")
    w.getPlotItem().getAxis("bottom").setTicks([[]])


def _category_ticks(w: pg.PlotWidget, labels: list[str], chosen: list[bool]) -> None:
    """Two-line category names under the bars; they name themselves, so no axis title."""
    axis = w.getPlotItem().getAxis("bottom")
    names = [f"{lab} (chosen)" if c else lab for lab, c in zip(labels, chosen, strict=True)]
    axis.setTicks([[(i, name) for i, name in enumerate(names)]])
    axis.showLabel(False)
    axis.setHeight(2 * TICK_PX + 3 * TICK_PX // 2)


def vram_chart(
    plan: Any, *, top: int = 5, breakdowns: Mapping[int, Mapping[str, float]] | None = None
) -> pg.PlotWidget:
    """Peak VRAM per GPU of the top candidates, stacked by component, against each one's
    GPU memory (a dashed line over the bar)."""
    series = cd.vram_series(plan, top=top, breakdowns=breakdowns)
    w = _new_plot("Peak GPU memory per GPU", "GB", "candidate")
    if not series.bars:
        _empty_note(w, "No recommendation to chart")
        return w
    legend = _legend(w, columns=4)
    n = len(series.bars)
    base = [0.0] * n
    for ci, comp in enumerate(series.components):
        heights = [b.components_gb.get(comp, 0.0) for b in series.bars]
        color = QColor(PALETTE[ci % len(PALETTE)])
        bars = pg.BarGraphItem(
            x=list(range(n)), height=heights, y0=list(base), width=0.6,
            brush=pg.mkBrush(color), pen=pg.mkPen("w", width=0.5),
        )
        w.addItem(bars)
        legend.addItem(bars, comp.replace("_", " "))
        base = [b + h for b, h in zip(base, heights, strict=True)]
    top_gb = max(base)
    limit_pen = pg.mkPen(LIMIT, width=2, style=Qt.PenStyle.DashLine)
    drew_limit = False
    for i, bar in enumerate(series.bars):
        if bar.gpu_memory_gb is None:
            continue
        line = pg.PlotDataItem([i - 0.4, i + 0.4], [bar.gpu_memory_gb] * 2, pen=limit_pen)
        w.addItem(line)
        if not drew_limit:
            legend.addItem(line, "GPU memory")
            drew_limit = True
        top_gb = max(top_gb, bar.gpu_memory_gb)
        mark = pg.TextItem(f"{cd.gb_text(bar.gpu_memory_gb)} GB", color=LIMIT, anchor=(0.5, 1.0))
        mark.setFont(_font(TICK_PX))
        mark.setPos(i, bar.gpu_memory_gb)
        w.addItem(mark)
    _category_ticks(w, [b.label for b in series.bars], [b.chosen for b in series.bars])
    w.getPlotItem().setRange(xRange=(-0.6, n - 0.4), yRange=(0, top_gb * 1.12), padding=0)
    return w


def quality_cost_chart(plan: Any, *, top: int | None = None) -> pg.PlotWidget:
    """Expected quality score against training cost; the Pareto front joined by a line.
    `top` keeps the first N plans (and the chosen one); None keeps all."""
    points = cd.quality_cost_points(plan, top)
    w = _new_plot("Expected quality vs training cost", "quality score (0-1)", "training cost (USD)")
    if not points:
        _empty_note(w, "No recommendation with a training cost")
        return w
    legend = _legend(w, columns=3)
    front = cd.pareto_front(points)
    if len(front) > 1:
        line = pg.PlotDataItem(
            [p.train_cost_usd for p in front], [p.quality for p in front],
            pen=pg.mkPen(PALETTE[2], width=2),
        )
        w.addItem(line)
        legend.addItem(line, "Pareto front")
    others = [p for p in points if not p.chosen]
    scatter = pg.ScatterPlotItem(
        [p.train_cost_usd for p in others], [p.quality for p in others], size=10, useCache=False,
        brush=pg.mkBrush(PALETTE[0]), pen=pg.mkPen("w"),
    )
    w.addItem(scatter)
    legend.addItem(scatter, "candidate")
    chosen = [p for p in points if p.chosen]
    if chosen:
        star = pg.ScatterPlotItem(
            [chosen[0].train_cost_usd], [chosen[0].quality], size=16, symbol="star", useCache=False,
            brush=pg.mkBrush(CHOSEN), pen=pg.mkPen(INK),
        )
        w.addItem(star)
        legend.addItem(star, "chosen")
    for (cost, quality), ranks in cd.rank_tags(points).items():
        tag = pg.TextItem(ranks, color=INK, anchor=(-0.25, 1.0))
        tag.setFont(_font(TICK_PX))
        tag.setPos(cost, quality)
        w.addItem(tag)
    xs = [p.train_cost_usd for p in points]
    ys = [p.quality for p in points]
    span = max(xs) - min(xs) or max(max(xs), 1.0)
    w.getPlotItem().setRange(
        xRange=(max(0.0, min(xs) - 0.1 * span), max(xs) + 0.15 * span),
        yRange=(max(0.0, min(ys) - 0.05), min(1.05, max(ys) + 0.05)),
        padding=0,
    )
    return w


def gpu_options_chart(plan: Any, *, options: Iterable[cd.GpuOption] | None = None) -> pg.PlotWidget:
    """Training hours (bars, left axis) and cost (diamonds, right axis) per GPU option."""
    opts = cd.gpu_options(plan, options)
    w = _new_plot("Training time and cost by GPU option", "hours", "GPU option")
    if not opts:
        _empty_note(w, "No GPU option with a time and cost")
        return w
    item = w.getPlotItem()
    legend = _legend(w, columns=2)
    n = len(opts)
    hours = pg.BarGraphItem(
        x=list(range(n)), height=[o.train_hours for o in opts], width=0.55,
        brush=pg.mkBrush(PALETTE[0]), pen=pg.mkPen("w"),
    )
    item.addItem(hours)
    legend.addItem(hours, "hours")
    # Cost on its own axis: a second ViewBox linked on x (pyqtgraph's MultiplePlotAxes example).
    cost_view = pg.ViewBox()
    item.showAxis("right")
    item.scene().addItem(cost_view)
    right = item.getAxis("right")
    right.linkToView(cost_view)
    right.setPen(pg.mkPen(INK))
    right.setTextPen(pg.mkPen(INK))
    right.setStyle(tickFont=_font(TICK_PX))
    right.setLabel("USD", **{"color": INK, "font-size": f"{LABEL_PX}px"})
    right.enableAutoSIPrefix(False)
    cost_view.setXLink(item)
    cost_view.setZValue(10)  # diamonds over the bars, not hidden behind them
    cost = pg.ScatterPlotItem(
        list(range(n)), [o.train_cost_usd for o in opts], size=12, symbol="d", useCache=False,
        brush=pg.mkBrush(PALETTE[1]), pen=pg.mkPen(INK),
    )
    cost_view.addItem(cost)
    legend.addItem(cost, "cost (USD)")

    def _sync() -> None:
        cost_view.setGeometry(item.getViewBox().sceneBoundingRect())

    item.getViewBox().sigResized.connect(_sync)
    w._ftwizard_sync = _sync  # keep the closure alive with the widget
    _category_ticks(w, [o.label for o in opts], [o.chosen for o in opts])
    top_h = max(o.train_hours for o in opts)
    item.setRange(xRange=(-0.6, n - 0.4), yRange=(0, top_h * 1.15), padding=0)
    cost_view.setRange(yRange=(0, max(o.train_cost_usd for o in opts) * 1.15), padding=0)
    return w


def _lay_out(widget: pg.PlotWidget, width: int, height: int) -> None:
    """Give a never-shown widget its geometry without putting a window on screen."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(width, height)
    widget.show()
    app = QApplication.instance()
    if app is not None:
        app.processEvents()


def paint_chart(widget: pg.PlotWidget, painter: QPainter, rect: QRectF) -> None:
    """Draw the chart into `rect` of a painter in 96-dpi units (the PDF page): vectors
    and text, laid out at the rect's size."""
    if not widget.isVisible() or widget.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen):
        _lay_out(widget, round(rect.width()), round(rect.height()))
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        widget.scene().render(painter, rect, QRectF(widget.viewport().rect()))
    finally:
        painter.restore()


def render_chart_image(
    widget: pg.PlotWidget, width_px: int, height_px: int, *, device_pixel_ratio: float = 1.0
) -> QImage:
    """The chart as an opaque image of width_px x height_px logical pixels.

    `device_pixel_ratio` multiplies the pixel count, not the layout: 300/96 gives a
    300-dpi image of a chart laid out as if on a 96-dpi screen, so text stays in scale.
    A widget already on screen is drawn at its own layout, scaled into the image.
    """
    if width_px <= 0 or height_px <= 0:
        raise ValueError(f"chart size must be positive, got {width_px}x{height_px}")
    if not widget.isVisible() or widget.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen):
        _lay_out(widget, width_px, height_px)
    source = QRectF(widget.viewport().rect())
    image = QImage(
        round(width_px * device_pixel_ratio),
        round(height_px * device_pixel_ratio),
        QImage.Format.Format_RGB32,
    )
    image.setDevicePixelRatio(device_pixel_ratio)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        widget.scene().render(painter, QRectF(0, 0, width_px, height_px), source)
    finally:
        painter.end()
    return image
