"""A training run's report as a PDF: what it measured (loss chart, before/after evaluation,
estimate vs measured memory and speed, set-up and notes), then the plan it was launched from
when the run folder keeps one (`plan.json`), with the plan PDF's sections.

    write_run_report(run_dir, path, *, catalog=None, progress=None) -> None

Everything comes from the run folder (`runs.history`, `runs.progress`); nothing is
re-estimated. Written whole or not at all (atomic, 0600), like the plan PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ftwizard import __version__
from ftwizard.base.errors import ExportError, FtwizardError
from ftwizard.base.jsonio import atomic_write_bytes
from ftwizard.runs import figures as rf
from ftwizard.runs.history import METRICS, PLAN, RunSummary, summarize
from ftwizard.runs.progress import RunProgress, read_events

CHART_W, CHART_H = 640, 300  # CSS pixels, as the plan PDF's charts

Progress = Callable[[float, str], None]


def _when(value) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z") if value is not None else rf.DASH


def _run_sections(h, s: RunSummary, p: RunProgress) -> list:
    """The measured part; returns the chart widgets to close after painting."""
    from ftwizard.report import charts, run_charts

    start = p.start
    h.key_values([
        ("Status", f"{s.status}: {s.detail}"),
        ("Run folder", s.run_dir),
        ("Model", f"{s.model} ({s.model_dir})" if s.model_dir else s.model),
        ("Method", f"{s.method or rf.DASH}" + (f", {start.quantisation}, {start.precision} on "
                                                  f"{start.device} ({start.device_name})" if start else "")),
        ("Started", _when(s.started_at)),
        ("Finished", _when(s.finished_at)),
        ("Steps", f"{s.step} of {s.max_steps}" if s.max_steps else str(s.step)),
        ("Examples", f"{start.train_examples:,} training, {start.holdout_examples:,} held out, "
                     f"{start.skipped_rows:,} rows skipped" if start else rf.DASH),
        ("Parameters", f"{start.trainable_params:,} trainable of {start.total_params:,}" if start else rf.DASH),
        ("Adapter", s.adapter_dir or rf.DASH),
    ])
    h.h2("Loss over training")
    chart = run_charts.metrics_chart(p.series)
    h.drawing("loss", lambda painter, rect, w=chart: charts.paint_chart(w, painter, rect), CHART_W, CHART_H)
    h.p("Training loss at every logged step; evaluation loss on the holdout before, during (if "
        "asked) and after training.", "muted small")
    h.h2("Before and after")
    h.table(["", "Base model", "Tuned", "Change"], rf.before_after_rows(s), widths=[34, 22, 22, 22], align="lrrr")
    h.h2("Estimate vs measured")
    if s.predicted_peak_vram_gb is None and s.predicted_tokens_per_s is None:
        h.p("The run carried no estimate for its machine (no GPU was detected at launch); measured: "
            f"peak memory {rf.mem_num(s.peak_mem_gb)} GB ({rf.memory_label(s.mem_kind)}), {rf.num(s.tokens_per_s)} tokens/s.")
    else:
        h.table(["", "Estimated", "Measured", "Measured / estimated"], rf.estimate_rows(s),
                widths=[34, 22, 22, 22], align="lrrr")
    h.p(rf.DEFINITIONS, "muted small")
    notes = [w.message for w in p.warnings] + (start.notes if start else [])
    if p.error is not None:
        notes.append(f"Ended with {p.error.kind}: {p.error.message}. {p.error.suggestion}".strip())
    if notes:
        h.h2("Notes")
        h.bullets(dict.fromkeys(notes))
    return [chart]


def _answers_sections(h, run_dir: Path, k: int = 3, cut: int = 600) -> None:
    """Task metrics (eval.json) and a chosen few samples (samples.jsonl, those where base and
    tuned differ most), when the run folder has them (issue 27)."""
    from ftwizard.evaluate.metrics import read_eval, table_rows
    from ftwizard.evaluate.samples import SAMPLES, pick_for_report, read_samples

    if not (run_dir / SAMPLES).exists():
        return
    try:
        got, report = read_samples(run_dir), read_eval(run_dir)
    except FtwizardError as exc:
        h.h2("What tuning changed")
        h.p(str(exc).splitlines()[0], "muted")
        return
    h.h2("What tuning changed")
    if report is not None:
        h.p(f"Task metrics ({report.kind}; {report.kind_reason}) on {report.n} holdout prompts.")
        h.table(["", "Base model", "Tuned", "Change [95% interval]", "Verdict"], table_rows(report),
                widths=[28, 16, 16, 24, 16], align="lrrrl")
        notes = ([f"Win rule: {report.win_rule}."] if report.win_rule else []) + [report.bootstrap + "."]
        h.p(" ".join(notes), "muted small")

    def short(text: str) -> str:
        return text if len(text) <= cut else text[:cut] + "…"

    hd = got.header
    h.p(f"{len(got.samples)} holdout prompts answered by both models (greedy decoding, at most {hd.max_new_tokens} "
        f"tokens); the {min(k, len(got.samples))} where the answers differ most:", "muted")
    for smp in pick_for_report(got.samples, k):
        h.h3(f"Holdout prompt {smp.index + 1} (line {smp.line})")
        h.key_values([("Prompt", short(smp.prompt_text())), ("Reference", short(smp.reference)),
                      ("Base model", short(smp.base)), ("Tuned", short(smp.tuned))], key_width=18)


def _run_record(h, run_dir: Path, plan, catalog) -> None:
    """What the run really trained on, from its manifest.json: the model folder and the data
    with the SHA-256 of each file, and whether the model is the one its plan chose. This is
    what the compliance checklist's hash lines refer to."""
    from ftwizard.base.jsonio import read_json
    from ftwizard.runs.history import MANIFEST
    from ftwizard.runs.manifest import Manifest

    if not (run_dir / MANIFEST).exists():
        return
    try:
        m = Manifest.model_validate(read_json(run_dir / MANIFEST))
    except (FtwizardError, ValueError) as exc:
        h.h2("Run record")
        h.p(f"{MANIFEST} could not be read: {str(exc).splitlines()[0]}", "warn")
        return
    h.h2("Run record")
    rc = m.run_config
    chose = plan.chosen if plan is not None else None
    if chose is None:
        tie = "no plan is kept with this run"
    elif rc.catalog_model_id == chose.model_id:
        tie = f"the plan's model, {chose.model_name} ({chose.model_id})"
    else:
        tie = (f"NOT the plan's model: the plan chose {chose.model_name} ({chose.model_id}); this run trained the "
               f"folder below{' (catalog ' + rc.catalog_model_id + ')' if rc.catalog_model_id else ''}, so the "
               "plan's memory, time and cost figures do not describe it")
    h.key_values([
        ("Model trained", tie),
        ("Model folder", str(rc.model_dir)),
        ("Started / finished (UTC)", f"{m.started_at} / {m.finished_at}"),
        ("Status", m.status),
    ])
    rows = [("model", f.path, f.sha256, f"{f.size_bytes:,}") for f in m.model_files]
    rows += [("data", f.path, f.sha256, f"{f.size_bytes:,}") for f in m.dataset.files]
    h.table(["Kind", "File", "SHA-256", "Bytes"], rows, widths=[8, 34, 44, 14], align="lllr")
    h.p("Copy the model and data hashes into the compliance checklist's sign-off page.", "muted small")


def _plan_sections(h, plan, catalog) -> None:
    """The plan PDF's sections (report.pdf's order, without its title page and charts)."""
    from ftwizard.base.units import settings_money
    from ftwizard.report.plan_appendix import excluded, model_sources, run_configuration, sources
    from ftwizard.report.plan_business import business_case
    from ftwizard.report.plan_compliance import compliance, licence_obligations
    from ftwizard.report.plan_estimates import hardware, memory_time_cost
    from ftwizard.report.plan_summary import answers, ranked, recommendation
    from ftwizard.report.plan_text import Sources

    money = settings_money()
    src = Sources()
    h.h2("The plan this run came from", new_page=True)
    h.p(f"Plan of {plan.created_at:%Y-%m-%d}, catalog {plan.catalog_version}.", "muted")
    recommendation(h, plan, money)
    business_case(h, plan, money, catalog=catalog)
    answers(h, plan, money)
    ranked(h, plan, money)
    memory_time_cost(h, plan, catalog, None, src, money)
    licence_obligations(h, plan, catalog, src)
    compliance(h, plan, catalog)
    hardware(h, plan)
    excluded(h, plan, catalog, money)
    model_sources(plan, catalog, src)
    sources(h, plan, src)
    run_configuration(h, plan)


def run_report_bytes(run_dir: Path, *, catalog=None, progress: Progress | None = None) -> bytes:
    from ftwizard.report.document import Html, PdfMeta, render_pdf
    from ftwizard.report.pdf import ensure_qt_app

    if ensure_qt_app(need_widgets=True) is None:
        raise ExportError("the run report needs a Qt widgets application for its chart")
    run_dir = Path(run_dir)
    summary = summarize(run_dir)
    events = RunProgress().apply_all(read_events(run_dir / METRICS))
    plan = None
    if (run_dir / PLAN).exists():
        from ftwizard.recommend.plan import load_plan

        plan = load_plan(run_dir / PLAN)  # a broken plan file is named, not skipped silently
    h = Html()
    h.h1(f"Training run report: {summary.name}")
    widgets = _run_sections(h, summary, events)
    _answers_sections(h, run_dir)
    if plan is not None and catalog is None:
        from ftwizard.catalog.store import load_catalog

        catalog = load_catalog()
    _run_record(h, run_dir, plan, catalog)
    if plan is not None:
        _plan_sections(h, plan, catalog)
    written_by = f"ftwizard {__version__}"
    meta = PdfMeta(title="Training run report", creator=written_by,  # generic metadata: no run or project name
                   footer_left=f"{summary.name}  \u00b7  {summary.status}  \u00b7  {written_by}")
    try:
        return render_pdf(h, meta, progress)
    finally:
        for w in widgets:
            w.close()
            w.deleteLater()


def write_run_report(run_dir: Path, path: Path, *, catalog=None, progress: Progress | None = None) -> None:
    """Write the run report PDF at `path`; ExportError (or the plan's PlanError) says why not."""
    path = Path(path)
    if path.is_dir() or not path.parent.is_dir():
        raise ExportError(f"{path}: give a PDF file name in an existing folder")
    if not (Path(run_dir) / METRICS).exists():
        raise ExportError(f"{run_dir}: no {METRICS}, so the run has nothing to report yet")
    data = run_report_bytes(run_dir, catalog=catalog, progress=progress)
    try:
        atomic_write_bytes(path, data, private=True)
    except FtwizardError as exc:
        raise ExportError(str(exc)) from None
