"""Start-up discipline, checked in fresh interpreters: the training stack never loads in the
GUI process, and the first page shows before pydantic and the catalog load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate")


def run_python(code: str, home) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FTWIZARD_HOME=str(home))
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=180, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_walking_every_page_with_real_detection_loads_no_training_stack(tmp_path):
    dataset = tmp_path / "chats.jsonl"
    dataset.write_text("".join(
        json.dumps({"messages": [{"role": "user", "content": f"q{i}"},
                                 {"role": "assistant", "content": "an answer " * (i + 5)}]}) + "\n"
        for i in range(50)))
    result = run_python(f"""
        import json, sys, time
        from pathlib import Path
        from ftwizard.gui.app import create_app
        from ftwizard.gui.wizard import WizardWindow

        app = create_app([])
        w = WizardWindow()  # the real detector and the shipped catalog
        w.show()
        w.finish_setup()

        def until(cond, s=60):
            end = time.monotonic() + s
            while not cond():
                assert time.monotonic() < end, "timed out"
                app.processEvents()
                time.sleep(0.005)

        seen = []
        w.next()
        while w.currentId() < 7:
            page = w.currentPage()
            seen.append(type(page).__name__)
            if page is w.pages["data"]:
                page.inspect_file(Path({str(dataset)!r}))
                until(lambda: page.pick.isEnabled())
            until(page.isComplete)
            w.next()
        results = w.pages["results"]
        until(lambda: results.plan is not None)
        seen.append(type(results).__name__)
        results.tabs.setCurrentWidget(results.charts_tab)
        if results.plan.recommendations:
            results.table.selectRow(min(1, len(results.plan.recommendations) - 1))
        results.export_pdf_clicked(path=Path({str(tmp_path / "plan.pdf")!r}))
        results.save_plan_clicked(path=Path({str(tmp_path / "plan.json")!r}))
        w.close()
        print(json.dumps({{"pages": seen, "modules": sorted(sys.modules),
                          "examples": w.answers.data.examples}}))
    """, tmp_path / "home")
    assert result["pages"] == ["TaskPage", "LanguagesPage", "BudgetPage", "DataPage", "CompliancePage",
                               "HardwarePage", "ResultsPage"]
    assert result["examples"] == 50  # the inspector really ran
    loaded = {m.split(".")[0] for m in result["modules"]}
    assert "pyqtgraph" in loaded  # the charts really drew
    assert not loaded & set(HEAVY), f"the GUI loaded {sorted(loaded & set(HEAVY))}"
    assert (tmp_path / "plan.json").exists()


def test_the_first_page_shows_before_pydantic_and_the_catalog_load(tmp_path):
    result = run_python("""
        import json, sys
        from ftwizard.gui.app import create_app
        from ftwizard.gui.wizard import WizardWindow

        app = create_app([])
        w = WizardWindow()
        w.show()
        shown = w.welcome.isVisible() and w.currentPage() is w.welcome
        before = sorted(sys.modules)
        import time
        end = time.monotonic() + 10
        while len(w.pages) < 8 and time.monotonic() < end:  # built once the page is painted
            app.processEvents()
            time.sleep(0.01)
        print(json.dumps({"shown": shown, "before": before, "ready": len(w.pages)}))
    """, tmp_path / "home")
    assert result["shown"]
    before = {m.split(".")[0] for m in result["before"]}
    assert not before & {"pydantic", "pyqtgraph", "numpy", *HEAVY}
    assert "ftwizard.catalog.entries" not in result["before"]
    assert result["ready"] == 8
