"""The plan as a PDF: what users take to a manager, a budget holder and a compliance officer.

    write_plan_pdf(plan, path, catalog, *, page_size=None, charts=True, progress=None,
                   money=None, dataset=None)

`money` (base.units.Money) is the display currency, by default the user's Settings';
`dataset` (data.report.DatasetReport) puts the inspected file, its SHA-256 and the
personal-data scan into the compliance checklist.

Qt's own PDF writer (no other dependency), fonts embedded, text selectable, A4 or Letter.
The file appears whole or not at all: the PDF is built in memory and written through a
temp file in the same folder, then renamed; any failure is an ExportError (exit 2).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ftwizard import __version__
from ftwizard.base.errors import ExportError, FtwizardError
from ftwizard.base.jsonio import atomic_write_bytes, check_destination
from ftwizard.base.units import Money, settings_money
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.plan import Plan
from ftwizard.report.page import resolve_page_size
from ftwizard.report.plan_appendix import excluded, model_sources, run_configuration, sources
from ftwizard.report.plan_business import business_case
from ftwizard.report.plan_compliance import compliance, licence_obligations
from ftwizard.report.plan_estimates import hardware, memory_time_cost
from ftwizard.report.plan_summary import answers, ranked, recommendation, title_page
from ftwizard.report.plan_text import Sources

# Chart size on the page in CSS pixels (96 per inch): fits the A4 and Letter body width.
CHART_W, CHART_H = 640, 300
# Plans on the quality-cost chart: more labels than this overlap.
QUALITY_TOP = 12


def write_plan_pdf(
    plan: Plan,
    path: Path,
    catalog: Catalog,
    *,
    page_size: str | None = None,
    charts: bool = True,
    progress: Callable[[float, str], None] | None = None,
    money: Money | None = None,
    dataset: Any | None = None,
) -> None:
    """Write `plan` as a PDF report at `path` (atomically; 0600, as the plan file).

    page_size: 'a4', 'letter' or 'auto'/None (the user's setting, then the locale).
    progress: optional callable(fraction 0..1, message) for a progress indicator.
    """
    path = Path(path)
    _check_destination(path)
    try:
        size = resolve_page_size(page_size, _page_size_setting(), _qt_locale_name())
    except ValueError as exc:
        raise ExportError(f"{path}: {exc}") from None
    data = plan_pdf_bytes(plan, catalog, page_size=size, charts=charts, progress=progress,
                          money=money if money is not None else settings_money(), dataset=dataset)
    try:
        atomic_write_bytes(path, data, private=True)
    except FtwizardError as exc:
        raise ExportError(str(exc)) from None
    if progress:
        progress(1.0, f"written {path.name}")


def plan_pdf_bytes(
    plan: Plan,
    catalog: Catalog,
    *,
    page_size: str = "a4",
    charts: bool = True,
    progress: Callable[[float, str], None] | None = None,
    money: Money | None = None,
    dataset: Any | None = None,
) -> bytes:
    """The PDF's bytes (for the GUI's preview and the benchmark); writes nothing."""
    app = ensure_qt_app(need_widgets=charts)
    from ftwizard.report.document import Html, PdfMeta, render_pdf

    def step(fraction: float, message: str) -> None:
        if progress:
            progress(fraction, message)

    step(0.05, "preparing the report")
    money = money or Money()
    breakdown = _breakdowns(plan, catalog)
    rentals = _rentals(plan, catalog)
    h = Html()
    src = Sources()
    written_by = f"ftwizard {__version__}"
    title_page(h, plan, catalog, written_by, money)
    recommendation(h, plan, money)
    business_case(h, plan, money, rentals, catalog)
    answers(h, plan, money)
    ranked(h, plan, money)
    h.h2("Charts")
    widgets = []
    if charts and app is not None:
        step(0.15, "drawing charts")
        widgets = _charts(h, plan, catalog, breakdown, rentals, money)
    else:
        h.p("Charts were left out of this export.", "muted")
    step(0.5, "writing sections")
    chosen = plan.chosen
    memory_time_cost(h, plan, catalog, breakdown.get(chosen.rank) if chosen else None, src, money)
    licence_obligations(h, plan, catalog, src)
    compliance(h, plan, catalog, dataset)
    hardware(h, plan)
    excluded(h, plan, catalog, money)
    model_sources(plan, catalog, src)
    sources(h, plan, src)
    run_configuration(h, plan)
    project = plan.answers.project_name or "Untitled project"
    meta = PdfMeta(
        title="Fine-tuning plan",  # generic: the file's metadata travels where the page text may not
        creator=written_by,
        footer_left=f"{project}  \u00b7  plan of {plan.created_at:%Y-%m-%d}  \u00b7  "
        f"catalog {plan.catalog_version}  \u00b7  {written_by}",
        page_size=page_size,
    )
    try:
        return render_pdf(h, meta, step)
    finally:
        for widget in widgets:
            widget.close()
            widget.deleteLater()


def _breakdowns(plan: Plan, catalog: Catalog) -> Mapping[int, Mapping[str, float]]:
    """The estimator's VRAM split per ranked plan (the Plan stores only the peak)."""
    try:
        from ftwizard.recommend.plan_figures import vram_breakdowns
    except ImportError:
        return {}
    try:
        return vram_breakdowns(plan, catalog)
    except FtwizardError:
        return {}  # a model no longer in the catalog: the peak alone is shown


def _rentals(plan: Plan, catalog: Catalog) -> list:
    """The chosen job on each GPU option (plan_figures.priced_runs): the GPU-options chart and
    the business case's rental comparison."""
    chosen = plan.chosen
    if chosen is None:
        return []
    try:
        from ftwizard.recommend.plan_figures import priced_runs

        return priced_runs(plan, chosen, catalog, electricity_usd_per_kwh=plan.electricity_usd_per_kwh)
    except (ImportError, FtwizardError):
        return []


def _charts(h, plan: Plan, catalog: Catalog, breakdown: Mapping[int, Mapping[str, float]],
            rentals: list, money: Money) -> list:
    from ftwizard.report import chart_data as cd
    from ftwizard.report import charts

    options = [cd.GpuOption(label=r.label, train_hours=r.train_hours, train_cost_usd=r.train_cost_usd,
                            chosen=r.chosen) for r in rentals] or None
    made = [
        ("vram", charts.vram_chart(plan, breakdowns=breakdown),
         "Peak GPU memory per GPU of the top plans, split by what holds it, against the memory each "
         "plan may use (dashed)."),
        ("quality_cost", charts.quality_cost_chart(plan, top=QUALITY_TOP, money=money),
         "Expected quality score against training cost; the line joins the plans no other plan beats on "
         "both, each named. The score is a prior from benchmarks and size, not a measurement."),
        ("gpu_options", charts.gpu_options_chart(plan, options=options, money=money),
         "Training time and cost of the chosen job on each GPU option that holds it."
         if options else "Training time and cost of each ranked plan on its GPU."),
    ]
    for name, widget, caption in made:
        height = CHART_H + (30 if name == "vram" else 0)  # room for the component legend
        h.drawing(name, lambda painter, rect, w=widget: charts.paint_chart(w, painter, rect), CHART_W, height)
        h.p(caption, "muted small")
    return [w for _, w, _ in made]


def ensure_qt_app(need_widgets: bool = True):
    """The running QApplication, or a new one (offscreen where Linux has no display).

    Returns None when a non-widget Qt application already runs and charts need widgets.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if (
            sys.platform.startswith("linux")
            and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication(["ftwizard"])
    if need_widgets and not isinstance(app, QApplication):
        return None
    return app


def _qt_locale_name() -> str:
    from PySide6.QtCore import QLocale

    return QLocale.system().name()


def _page_size_setting() -> str | None:
    """The user's `pdf_page_size` setting, where the settings file has one."""
    try:
        from ftwizard.base.jsonio import read_json
        from ftwizard.base.paths import config_dir

        data = read_json(config_dir() / "settings.json")
    except (FtwizardError, ImportError):
        return None
    value = data.get("pdf_page_size") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def _check_destination(path: Path) -> None:
    """Fail before the work, with the reason, where the file cannot be written."""
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name ending in .pdf")
    check_destination(path, ExportError)
