"""The plan's charts as pyqtgraph views: the GUI embeds them, the PDF prints them.

Public API (the GUI imports it):
    vram_chart(plan, *, top=5, breakdowns=None) -> pg.PlotWidget
    quality_cost_chart(plan, *, top=None, money=None) -> pg.PlotWidget
    gpu_options_chart(plan, *, options=None, money=None) -> pg.PlotWidget
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
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QApplication

from ftwizard.base.units import Money, gib_from_gb, mem
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
GREY = "#999999"  # the catch-all segments: total without a split, small parts merged
MIN_SLOTS = 6  # bar charts are never fewer categories wide than this

# Chart text in pixels of the chart's logical size, so it scales with the image.
TICK_PX = 11
LABEL_PX = 12
TITLE_PX = 14


def _font(px: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


class MoneyAxis(pg.AxisItem):
    """Tick labels as money in the display currency: '$0.05', '€120', never '0.05' in cents."""

    def __init__(self, money: Money, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._money = money

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph's name)
        cents = spacing * scale * self._money.rate < 1  # small steps need the cents to differ
        return [self._money(v * scale, cents=cents) for v in values]


def _new_plot(title: str, left: str, bottom: str, axis_items: dict | None = None) -> pg.PlotWidget:
    w = pg.PlotWidget(background="w", axisItems=axis_items)
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


def _tick_name(label: str, recommended: bool, chosen: bool) -> str:
    """The second line of a category says what the plan is to the reader."""
    if recommended:
        return f"{label}\n\u2605 recommended"
    if chosen:
        return f"{label}\n(selected)"
    return label


def _category_ticks(w: pg.PlotWidget, names: list[str]) -> None:
    """Category names under the bars; they name themselves, so no axis title."""
    axis = w.getPlotItem().getAxis("bottom")
    axis.setTicks([[(i, name) for i, name in enumerate(names)]])
    axis.showLabel(False)
    lines = max((n.count("\n") + 1 for n in names), default=1)
    axis.setHeight(lines * TICK_PX + 3 * TICK_PX // 2)


def _slots(n: int) -> tuple[float, float]:
    """x range for n categories, never fewer than MIN_SLOTS wide: one option is one bar of a
    sensible width, not a slab across the chart."""
    extra = max(0, MIN_SLOTS - n) / 2
    return (-0.6 - extra, n - 0.4 + extra)


def vram_chart(
    plan: Any, *, top: int = 5, breakdowns: Mapping[int, Mapping[str, float]] | None = None
) -> pg.PlotWidget:
    """Peak memory per GPU of the top candidates, stacked by component, against the memory
    each plan may use (a dashed line over the bar). GB are the vendors' (2^30 bytes)."""
    series = cd.vram_series(plan, top=top, breakdowns=breakdowns)
    w = _new_plot("Peak GPU memory per GPU", "GB per GPU (2^30 bytes)", "candidate")
    if not series.bars:
        _empty_note(w, "No recommendation to chart")
        return w
    legend = _legend(w, columns=4)
    n = len(series.bars)
    base = [0.0] * n
    for ci, comp in enumerate(series.components):
        heights = [gib_from_gb(b.components_gb.get(comp, 0.0)) for b in series.bars]
        colour = GREY if comp in (cd.TOTAL_COMPONENT, cd.OTHER_COMPONENT) else PALETTE[ci % len(PALETTE)]
        bars = pg.BarGraphItem(
            x=list(range(n)), height=heights, y0=list(base), width=0.6,
            brush=pg.mkBrush(QColor(colour)), pen=pg.mkPen("w", width=0.5),
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
        room = gib_from_gb(bar.gpu_memory_gb)
        line = pg.PlotDataItem([i - 0.4, i + 0.4], [room] * 2, pen=limit_pen)
        w.addItem(line)
        if not drew_limit:
            legend.addItem(line, "memory the plan may use")
            drew_limit = True
        top_gb = max(top_gb, room)
        mark = pg.TextItem(mem(bar.gpu_memory_gb), color=LIMIT, anchor=(0.5, 1.0))
        mark.setFont(_font(TICK_PX))
        mark.setPos(i, room)
        w.addItem(mark)
    _category_ticks(w, [_tick_name(b.label, b.recommended, b.chosen) for b in series.bars])
    w.getPlotItem().setRange(xRange=_slots(n), yRange=(0, top_gb * 1.12), padding=0)
    return w


def quality_cost_chart(plan: Any, *, top: int | None = None, money: Money | None = None) -> pg.PlotWidget:
    """Expected quality score against training cost; the Pareto front joined by a line, its
    points named (labels placed so none overlaps), the recommendation a star.
    `top` keeps the first N plans (and the chosen one); None keeps all."""
    money = money or Money()
    points = cd.quality_cost_points(plan, top)
    w = _new_plot("Expected quality vs training cost", "expected quality score (0-1)",
                  f"training cost ({money.code})", {"bottom": MoneyAxis(money, orientation="bottom")})
    if not points:
        _empty_note(w, "No recommendation with a training cost")
        return w
    item = w.getPlotItem()
    legend = _legend(w, columns=4)
    front = cd.pareto_front(points)
    if len(front) > 1:
        line = pg.PlotDataItem(
            [p.train_cost_usd for p in front], [p.quality for p in front],
            pen=pg.mkPen(PALETTE[2], width=2),
        )
        w.addItem(line)
        legend.addItem(line, "Pareto front (named)")
    others = [p for p in points if not p.recommended]
    if others:
        scatter = pg.ScatterPlotItem(
            [p.train_cost_usd for p in others], [p.quality for p in others], size=10, useCache=False,
            brush=pg.mkBrush(PALETTE[0]), pen=pg.mkPen("w"),
        )
        w.addItem(scatter)
        legend.addItem(scatter, "other plans")
    best = [p for p in points if p.recommended]
    if best:
        star = pg.ScatterPlotItem(
            [best[0].train_cost_usd], [best[0].quality], size=16, symbol="star", useCache=False,
            brush=pg.mkBrush(CHOSEN), pen=pg.mkPen(INK),
        )
        w.addItem(star)
        legend.addItem(star, "recommended")
    labelled = cd.front_labels(front)
    if best and all(p is not best[0] for p, _ in labelled):  # off the front: still named
        labelled.append((best[0], "recommended: " + best[0].name))
    tags = []
    for p, text in labelled:
        tag = pg.TextItem(text, color=INK)
        tag.setFont(_font(TICK_PX))
        tag.setPos(p.train_cost_usd, p.quality)
        tag.setVisible(False)
        w.addItem(tag)
        tags.append((p, tag))
    xs = [p.train_cost_usd for p in points]
    ys = [p.quality for p in points]
    y_lo, y_hi = min(ys), max(ys)
    pad = max(0.03, 0.15 * (y_hi - y_lo))
    item.setRange(  # cost from zero: the reader sees how cheap "cheap" is
        xRange=(0.0, max(xs) * 1.25 or 1.0),
        yRange=(max(0.0, y_lo - pad), min(1.0, y_hi + pad) + pad / 2),
        padding=0,
    )

    def _place() -> None:
        vb = item.getViewBox()
        rect = vb.sceneBoundingRect()
        if rect.width() <= 0:
            return
        metrics = QFontMetricsF(_font(TICK_PX))
        spots, sizes = [], []
        for p, tag in tags:
            at = vb.mapViewToScene(QPointF(p.train_cost_usd, p.quality))
            spots.append((at.x() - rect.left(), at.y() - rect.top()))
            sizes.append((metrics.horizontalAdvance(tag.textItem.toPlainText()) + 6, metrics.height() + 4))
        marks = []
        for p in points:
            at = vb.mapViewToScene(QPointF(p.train_cost_usd, p.quality))
            marks.append((at.x() - rect.left(), at.y() - rect.top()))
        line = []
        for p in front if len(front) > 1 else []:
            at = vb.mapViewToScene(QPointF(p.train_cost_usd, p.quality))
            line.append((at.x() - rect.left(), at.y() - rect.top()))
        anchors = cd.place_labels(spots, sizes, (rect.width(), rect.height()), marks, line)
        for (_, tag), anchor in zip(tags, anchors, strict=True):
            tag.setVisible(anchor is not None)
            if anchor is not None:
                tag.setAnchor(anchor)

    item.getViewBox().sigResized.connect(_place)
    w._ftwizard_place = _place  # keep the closure alive with the widget
    return w


def gpu_options_chart(
    plan: Any, *, options: Iterable[cd.GpuOption] | None = None, money: Money | None = None
) -> pg.PlotWidget:
    """Training hours (bars, left axis) and cost (diamonds, right axis) per GPU option."""
    money = money or Money()
    opts = cd.gpu_options(plan, options)
    w = _new_plot("Training time and cost by GPU option", "training hours", "GPU option",
                  {"right": MoneyAxis(money, orientation="right")})
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
    legend.addItem(hours, "training hours (left axis)")
    # Cost on its own axis: a second ViewBox linked on x (pyqtgraph's MultiplePlotAxes example).
    cost_view = pg.ViewBox()
    item.showAxis("right")
    item.scene().addItem(cost_view)
    right = item.getAxis("right")
    right.linkToView(cost_view)
    right.setPen(pg.mkPen(INK))
    right.setTextPen(pg.mkPen(INK))
    right.setStyle(tickFont=_font(TICK_PX))
    right.setLabel(f"cost ({money.code})", **{"color": INK, "font-size": f"{LABEL_PX}px"})
    right.enableAutoSIPrefix(False)
    cost_view.setXLink(item)
    cost_view.setZValue(10)  # diamonds over the bars, not hidden behind them
    cost = pg.ScatterPlotItem(
        list(range(n)), [o.train_cost_usd for o in opts], size=12, symbol="d", useCache=False,
        brush=pg.mkBrush(PALETTE[1]), pen=pg.mkPen(INK),
    )
    cost_view.addItem(cost)
    legend.addItem(cost, f"cost in {money.code} (right axis)")

    def _sync() -> None:
        cost_view.setGeometry(item.getViewBox().sceneBoundingRect())

    item.getViewBox().sigResized.connect(_sync)
    w._ftwizard_sync = _sync  # keep the closure alive with the widget
    best = cd.recommended_rank(plan)
    names = []
    for o in opts:
        own = o.chosen
        tail = ("\n\u2605 recommended" if plan.chosen is not None and plan.chosen.rank == best else "\n(selected)") \
            if own else ""
        names.append(o.label + tail)
    _category_ticks(w, names)
    top_h = max(o.train_hours for o in opts)
    head = 1.15
    if n == 1:  # room above the bar for a note saying why there is only one
        head = 1.35
        note = pg.TextItem("the only GPU option that holds this job within your answers", color=INK,
                           anchor=(0.5, 0.0))
        note.setFont(_font(TICK_PX))
        note.setPos(0, top_h * head)
        item.addItem(note)
    item.setRange(xRange=_slots(n), yRange=(0, top_h * head), padding=0)
    cost_view.setRange(yRange=(0, max(o.train_cost_usd for o in opts) * head or 1.0), padding=0)
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
