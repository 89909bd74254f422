"""A training run's metrics over steps (train loss, eval loss, and whatever else the runner
reports) as one pyqtgraph chart: the run monitor updates it live, the run report prints it.

    metrics_chart(series=None) -> pg.PlotWidget
    set_series(widget, series) -> None      # {name: [(step, value), ...]}, redrawn in place

Generic over series names (`runs.progress.SERIES`): a new metric gets the next colour.
Styled like the plan's charts (`report.charts`). Needs a QApplication.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyqtgraph as pg

from ftwizard.report.charts import INK, LABEL_PX, PALETTE, TITLE_PX, _legend, _new_plot

# Fixed colours for the known series, so train and eval look the same in every run.
COLOURS = {"train loss": PALETTE[0], "eval loss": PALETTE[1], "reward margin": PALETTE[2],
           "eval reward margin": PALETTE[3]}
EMPTY_TEXT = "Waiting for the first step…"


def metrics_chart(series: Mapping[str, Sequence[tuple[int, float]]] | None = None) -> pg.PlotWidget:
    w = _new_plot("Loss over training", "loss", "step")
    w._ftwizard_curves = {}  # series name -> PlotDataItem
    w._ftwizard_legend = _legend(w, columns=3)
    w._ftwizard_note = None
    set_series(w, {"train loss": [], "eval loss": [], **(series or {})})  # both in the legend from the start
    return w


def _colour(name: str, index: int) -> str:
    return COLOURS.get(name, PALETTE[(index + len(COLOURS)) % len(PALETTE)])


def set_series(w: pg.PlotWidget, series: Mapping[str, Sequence[tuple[int, float]]]) -> None:
    """Draw `series` (step, value) on the chart, adding a legend entry for each new name."""
    item = w.getPlotItem()
    have_points = any(series.values())
    if not have_points and w._ftwizard_note is None:
        w._ftwizard_note = pg.TextItem(EMPTY_TEXT, color=INK, anchor=(0.5, 0.5))
        item.addItem(w._ftwizard_note)
        w._ftwizard_note.setPos(0.5, 0.5)
    elif have_points and w._ftwizard_note is not None:
        item.removeItem(w._ftwizard_note)
        w._ftwizard_note = None
    known = [n for n in COLOURS if n in series]  # a fixed legend order: train, eval, then others
    ordered = known + [n for n in series if n not in COLOURS]
    for i, name in enumerate(ordered):
        points = series[name]
        curve = w._ftwizard_curves.get(name)
        if curve is None:
            colour = _colour(name, i)
            few = name.startswith("eval")  # a handful of evaluations: mark each one
            curve = pg.PlotDataItem(
                pen=pg.mkPen(colour, width=2), symbol="o" if few else None, symbolSize=7,
                symbolBrush=pg.mkBrush(colour), symbolPen=pg.mkPen("w"),
            )
            item.addItem(curve)
            w._ftwizard_legend.addItem(curve, name)
            w._ftwizard_curves[name] = curve
        curve.setData([p[0] for p in points], [p[1] for p in points])
    if any("loss" not in name for name in series) and not getattr(w, "_ftwizard_mixed", False):
        w._ftwizard_mixed = True  # DPO: margins share the axis with the loss
        item.setTitle("Loss and reward margin over training", color=INK, size=f"{TITLE_PX}px")
        item.setLabel("left", "loss / reward", **{"color": INK, "font-size": f"{LABEL_PX}px"})
    for name, curve in w._ftwizard_curves.items():
        if name not in series:  # a new run in the same window starts empty
            curve.setData([], [])
    if have_points:
        item.enableAutoRange()

