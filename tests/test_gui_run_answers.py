"""The run's Answers window (issue 27): samples side by side with a word diff, the task metrics,
metrics computed in the training runtime on request, and no torch in the GUI process.
The chat against a real tiny run is in test_eval_run.py (it shares that module's run)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ftwizard.evaluate.samples import Sample, SamplesHeader, read_samples, write_samples


def _write_run(run_dir, n=5):
    run_dir.mkdir(parents=True, exist_ok=True)
    header = SamplesHeader(created_at="2026-12-05T00:00:00+00:00", max_new_tokens=16, chat_template="model",
                           holdout_source="split", holdout_rows=9, base_model="/m", tuned="/run/adapter",
                           device="cpu", seconds=2.0)
    samples = [Sample(index=i, line=10 + i, prompt=[{"role": "user", "content": f"what colour is thing {i}"}],
                      reference=f"thing {i} is blue", base="the sky <b>grey</b>", tuned=f"thing {i} is blue",
                      base_tokens=16, tuned_tokens=5, base_truncated=True) for i in range(n)]
    write_samples(run_dir, header, samples)
    return samples


def test_samples_side_by_side_with_diff(qtbot, tmp_path):
    from ftwizard.gui.run_results import RunResultsWindow

    run = tmp_path / "run"
    _write_run(run)
    w = RunResultsWindow(run, python=sys.executable)
    qtbot.addWidget(w)
    view = w.samples
    assert view.list.count() == 5 and view.list.item(0).text().startswith("1. ≠ what colour is thing 0")
    html = view.detail.toHtml()
    assert "thing 0 is blue" in html and "what colour is thing 0" in html
    assert "&lt;b&gt;grey&lt;/b&gt;" in html  # answers are shown as text, never as markup
    assert "stopped at the token limit" in html
    assert "line-through" in view.detail.toHtml()  # the base's words struck out in the diff
    view.list.setCurrentRow(3)
    assert "thing 3 is blue" in view.detail.toPlainText()
    view.diff_against.setCurrentIndex(1)  # against the reference: the tuned answer equals it
    assert "line-through" not in view.detail.toHtml()
    assert "No task metrics yet" in view.metrics.text()
    assert "5 of 9 holdout prompts" in view.status.text() and view.eval_button.isEnabled()


def test_metrics_computed_in_the_runtime(qtbot, tmp_path):
    from ftwizard.gui.run_results import SamplesView

    run = tmp_path / "run"
    _write_run(run)
    view = SamplesView(run, python=sys.executable)
    qtbot.addWidget(view)
    view.kind.setCurrentText("qa")
    with qtbot.waitSignal(view.job_finished, timeout=60_000) as got:
        view.eval_button.click()
        assert not view.make_button.isEnabled()  # one job at a time
    assert got.args == [0]
    report = json.loads((run / "eval.json").read_text())
    assert report["kind"] == "qa" and report["metrics"][0]["tuned"] == 1.0
    assert "Exact match" in view.metrics.text() and "better" in view.metrics.text()


def test_making_samples_of_an_unfinished_run_says_why(qtbot, tmp_path):
    from ftwizard.gui.run_results import SamplesView

    view = SamplesView(tmp_path, python=sys.executable)
    qtbot.addWidget(view)
    assert view.status.text().startswith("No samples yet: Make samples answers") and not view.eval_button.isEnabled()
    (tmp_path / "samples.jsonl").write_text("{broken\n")
    view.reload()
    assert "samples.jsonl: line 1: not JSON" in view.status.text()
    (tmp_path / "samples.jsonl").unlink()
    with qtbot.waitSignal(view.job_finished, timeout=60_000) as got:
        view.make_button.click()
    assert got.args == [2] and "has not finished" in view.status.text()


def test_the_answers_window_loads_no_torch(tmp_path):
    run = tmp_path / "run"
    _write_run(run)
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from ftwizard.gui.run_results import RunResultsWindow\n"
        f"w = RunResultsWindow({str(run)!r}); w.show(); app.processEvents()\n"
        "heavy = [m for m in ('torch', 'transformers', 'peft', 'trl', 'sklearn', 'scipy', 'sacrebleu') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture(autouse=True)
def _offscreen(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")


def test_the_run_report_shows_metrics_and_a_chosen_few(qapp, tmp_path):
    from pypdf import PdfReader

    from ftwizard.evaluate.metrics import evaluate_run
    from ftwizard.report.run_report import write_run_report
    from run_folder_helpers import finished_run

    run = finished_run(tmp_path / "runs")
    samples = _write_run(run, n=5)
    samples[2] = samples[2].model_copy(update={"tuned": samples[2].base})  # one answer left unchanged
    write_samples(run, read_samples(run).header, samples)
    evaluate_run(run, "qa")
    out = tmp_path / "report.pdf"
    write_run_report(run, out)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "What tuning changed" in text and "Task metrics (qa; asked for) on 5 holdout prompts" in text
    assert "Exact match 0.00 0.80" in text  # 4 of 5 tuned answers equal the reference
    # three prompts, those where base and tuned differ (the unchanged one is left out)
    assert "Holdout prompt 1 (line 10)" in text and "Holdout prompt 3 (line 12)" not in text
    assert "thing 0 is blue" in text and "Exact match 0.00 0.80 +0.80 [0.40, 1.00] better" in text


def test_history_opens_the_answers_of_a_finished_run(qtbot, tmp_path):
    from ftwizard.gui.run_history import RunHistory
    from run_folder_helpers import cancelled_run, finished_run

    runs = tmp_path / "runs"
    done, stopped = finished_run(runs), cancelled_run(runs)
    _write_run(done)
    history = RunHistory(runs)
    qtbot.addWidget(history)
    with qtbot.waitSignal(history.loaded, timeout=30_000):
        history.refresh()
    history.select(stopped)
    assert not history.answers_button.isEnabled()
    history.select(done)
    assert history.answers_button.isEnabled()
    window = history.open_answers()
    qtbot.addWidget(window)
    assert window.samples.list.count() == 5 and window.tabs.tabText(1) == "&Try it"


def test_export_of_an_unfinished_run_says_why(qtbot, tmp_path):
    from ftwizard.gui.run_results import SamplesView

    view = SamplesView(tmp_path, python=sys.executable)
    qtbot.addWidget(view)
    assert [a.text() for a in view.export_button.menu().actions()][0].startswith("Merged model")
    with qtbot.waitSignal(view.job_finished, timeout=60_000) as got:
        view.export_model("merged", tmp_path / "out")
    assert got.args == [2] and "has not finished" in view.status.text() and not (tmp_path / "out").exists()


def test_answers_opened_from_history_train_in_the_runtime_the_rule_picks(qtbot, tmp_path, monkeypatch):
    """A window opened without an interpreter asks ftwizard.runtime.rule.training_runtime (the one
    rule); none ready -> the status names the fix, no exception, nothing started."""
    import ftwizard.runtime.rule as runtime_mod
    from ftwizard.gui.run_results import RunResultsWindow

    run = tmp_path / "run"
    _write_run(run)
    asked = []

    def none_ready(configured=None, **kw):
        asked.append(kw)
        return runtime_mod.TrainingRuntime(None, None, "No Python that can train was found on this machine: "
                                           + runtime_mod.NO_RUNTIME_FIX + ".", ())

    monkeypatch.setattr(runtime_mod, "training_runtime", none_ready)
    w = RunResultsWindow(run)  # as the history opens it: no interpreter given
    qtbot.addWidget(w)
    w.samples.eval_button.click()
    assert asked and w.samples.job is None and w.samples.make_button.isEnabled()
    assert "runtime install --wheelhouse" in w.samples.status.text()
    w.chat.start()
    assert w.chat.server is None and w.chat.state == "stopped" and "runtime install" in w.chat.status.text()

    monkeypatch.setattr(runtime_mod, "training_runtime",
                        lambda configured=None, **kw: runtime_mod.TrainingRuntime(sys.executable, None, None, ()))
    with qtbot.waitSignal(w.samples.job_finished, timeout=60_000):
        w.samples.eval_button.click()
    assert w.samples.job is None or not w.samples.job.running()
