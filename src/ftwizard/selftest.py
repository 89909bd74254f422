"""`ftwizard --self-test`: does this installation work? Each step by name, PASS or FAIL.

Runs offscreen in a temporary home folder, so it needs no display and never touches the
user's autosave, settings or runs. A step whose module is missing from the installation
fails as "not available": a build that forgot a module must not pass.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftwizard import __version__

STEP_NAMES = ("wizard", "catalog", "detection", "plan", "pdf")


@dataclass
class StepResult:
    name: str
    ok: bool
    detail: str
    seconds: float


@dataclass
class _Context:
    """What earlier steps made for later ones."""

    workdir: Path
    values: dict[str, Any] = field(default_factory=dict)

    def need(self, key: str) -> Any:
        if key not in self.values:
            raise _Skipped(f"skipped: needs the {key} step")
        return self.values[key]


class _Skipped(Exception):
    pass


def _step_wizard(ctx: _Context) -> str:
    from ftwizard.gui.app import create_app
    from ftwizard.gui.wizard import WizardWindow

    app = create_app([])
    ctx.values["app"] = app
    window = WizardWindow()
    try:
        window.show()
        window.finish_setup()  # the pages that load pydantic and the catalog
        app.processEvents()
        pages = len(window.pageIds())
        if pages < 2:
            raise RuntimeError(f"only {pages} page built")
        return f"{pages} pages built on the '{app.platformName()}' platform"
    finally:
        window.close_session()
        window.close()
        window.deleteLater()
        from ftwizard.gui import workers

        workers.wait_all(10_000)  # hardware detection runs in a worker thread
        app.processEvents()


def _step_catalog(ctx: _Context) -> str:
    from ftwizard.catalog.store import load_catalog

    catalog = load_catalog()
    ctx.values["catalog"] = catalog
    return (f"{len(catalog.models)} models, {len(catalog.gpus)} GPUs, catalog {catalog.version} "
            f"as of {catalog.as_of.isoformat()}")


def _step_detection(ctx: _Context) -> str:
    catalog = ctx.need("catalog")  # before imports: a missing catalog says so, not an import error
    from ftwizard.hardware.detect import detect

    profile = detect(catalog, runs_dir=ctx.workdir)
    ctx.values["hardware"] = profile
    gpus = ", ".join(sorted({g.name for g in profile.gpus})) or "no GPU (CPU only)"
    return f"{gpus}; {len(profile.backends)} backends tried"


def _step_plan(ctx: _Context) -> str:
    catalog = ctx.need("catalog")
    from ftwizard.recommend.answers import HardwareAnswers, default_answers
    from ftwizard.recommend.ranking import recommend

    # Cloud mode ranks priced GPUs, so the plan has recommendations whatever this machine has.
    answers = default_answers().model_copy(update={"hardware": HardwareAnswers(mode="cloud")})
    plan = recommend(answers, catalog, top=3)
    if not plan.recommendations:
        raise RuntimeError("the default answers gave no recommendation")
    ctx.values["plan"] = plan
    return f"{len(plan.recommendations)} recommendations for the default answers"


def _step_pdf(ctx: _Context) -> str:
    plan, catalog = ctx.need("plan"), ctx.need("catalog")
    from ftwizard.report.pdf import write_plan_pdf

    if "app" not in ctx.values:  # QPdfWriter needs a QGuiApplication
        from ftwizard.gui.app import create_app

        ctx.values["app"] = create_app([])
    path = ctx.workdir / "self-test-plan.pdf"
    write_plan_pdf(plan, path, catalog)
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise RuntimeError(f"{path} is not a PDF")
    return f"{len(data) / 1024:.0f} KiB written to {path.name}"


STEPS: dict[str, Callable[[_Context], str]] = {
    "wizard": _step_wizard,
    "catalog": _step_catalog,
    "detection": _step_detection,
    "plan": _step_plan,
    "pdf": _step_pdf,
}


def _run_step(name: str, fn: Callable[[_Context], str], ctx: _Context) -> StepResult:
    t0 = time.perf_counter()
    try:
        ok, detail = True, fn(ctx)
    except _Skipped as exc:
        ok, detail = False, str(exc)
    except ModuleNotFoundError as exc:
        ok, detail = False, f"not available: module {exc.name} is missing from this installation"
    except Exception as exc:  # the point of a self-test: report, never crash
        ok, detail = False, f"{type(exc).__name__}: {_gist(str(exc))}"
    return StepResult(name, ok, detail, round(time.perf_counter() - t0, 3))


def _gist(message: str) -> str:
    """One line: the first line, and the last too when a library explains at length."""
    lines = [x.strip() for x in message.splitlines() if x.strip()]
    if not lines:
        return "(no message)"
    text = lines[0] if len(lines) < 3 else f"{lines[0]} ... {lines[-1]}"
    return text[:400]


def run_selftest(workdir: Path) -> list[StepResult]:
    """Every step in order, in `workdir` (the caller owns and removes it)."""
    ctx = _Context(workdir)
    return [_run_step(name, fn, ctx) for name, fn in STEPS.items()]


def main() -> int:
    """Print one line per step; exit 0 only when every step passed."""
    saved = {k: os.environ.get(k) for k in ("FTWIZARD_HOME", "QT_QPA_PLATFORM")}
    with tempfile.TemporaryDirectory(prefix="ftwizard-selftest-") as tmp:
        os.environ["FTWIZARD_HOME"] = str(Path(tmp) / "home")
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print(f"ftwizard {__version__} self-test ({'installed build' if getattr(sys, 'frozen', False) else sys.executable})",
              flush=True)
        try:
            results = run_selftest(Path(tmp))
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    width = max(len(n) for n in STEP_NAMES)
    for r in results:
        print(f"  {'PASS' if r.ok else 'FAIL'}  {r.name:<{width}}  {r.detail}  ({r.seconds:.1f} s)")
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"self-test FAILED: {len(failed)} of {len(results)} steps ({', '.join(failed)})")
        return 1
    print(f"self-test OK: all {len(results)} steps passed")
    return 0
