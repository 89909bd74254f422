"""The wizard as a user meets it: walking every page, resuming, bad input, opening a plan."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ftwizard.catalog.store import load_catalog
from ftwizard.gui import autosave, workers
from ftwizard.gui.wizard import PAGE_INDEX, WizardWindow
from ftwizard.recommend.answers import default_answers
from ftwizard.recommend.plan import load_plan
from gui_support import (
    click_next,
    cpu_only_workstation,
    next_enabled,
    press,
    rtx4090_workstation,
    type_into,
    wait_for_plan,
)

WAIT_MS = 20_000


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def make_wizard(qtbot, catalog):
    made = []

    def make(detector=rtx4090_workstation):
        w = WizardWindow(detector=detector, catalog=catalog)
        qtbot.addWidget(w)
        w.show()
        w.finish_setup()
        qtbot.waitUntil(lambda: not w.pages["hardware"].detecting(), timeout=WAIT_MS)
        made.append(w)
        return w

    yield make
    workers.wait_all(WAIT_MS)


def test_a_new_user_types_through_every_page_and_re_ranks_by_budget(qtbot, make_wizard):
    """An air-gapped hospital plans a German/English classifier on its one RTX 4090."""
    w = make_wizard()
    assert w.welcome.new.isChecked()  # nothing saved yet: start new is the default
    assert not w.welcome.resume.isEnabled()
    click_next(qtbot, w)

    task = w.pages["task"]
    assert w.currentPage() is task
    type_into(qtbot, task.project, "Radiology triage")
    task.kind.setCurrentIndex(task.kind.findData("classification"))
    type_into(qtbot, task.domain, "radiology reports")
    type_into(qtbot, task.description, "Sort incoming reports by urgency.")
    click_next(qtbot, w)

    langs = w.pages["languages"]
    type_into(qtbot, langs.codes, "en, German")
    assert "German (de)" in langs.summary.text()
    assert "catalog models list all of these" in langs.summary.text()
    click_next(qtbot, w)

    budget = w.pages["budget"]
    type_into(qtbot, budget.training, "1,500")
    type_into(qtbot, budget.monthly, "")
    click_next(qtbot, w)

    data = w.pages["data"]
    type_into(qtbot, data.examples, "12k")
    type_into(qtbot, data.avg_tokens, "600")
    click_next(qtbot, w)

    compliance = w.pages["compliance"]
    press(qtbot, compliance.air_gapped)
    assert compliance.air_gapped.isChecked()
    click_next(qtbot, w)

    hardware = w.pages["hardware"]
    assert "RTX 4090" in hardware.status.text()
    assert not hardware.use_cloud.isEnabled()  # air-gapped: cloud is not offered
    assert hardware.use_detected.isChecked()
    assert hardware.gpu.currentData() == "rtx-4090"  # an override starts from the card found
    click_next(qtbot, w)

    plan = wait_for_plan(qtbot, w)
    results = w.pages["results"]
    a = plan.answers
    assert (a.project_name, a.task.kind, a.task.domain) == ("Radiology triage", "classification", "radiology reports")
    assert a.languages == ["en", "de"]
    assert (a.budget.training_usd, a.budget.monthly_inference_usd) == (1500, None)
    assert (a.data.examples, a.data.avg_tokens) == (12_000, 600)
    assert a.compliance.air_gapped
    # The table shows the plan, in rank order, all on the local card.
    assert plan.recommendations, "an RTX 4090 fits several models with adapters"
    assert results.table.rowCount() == len(plan.recommendations)
    for row, rec in enumerate(plan.recommendations):
        assert results.table.item(row, 1).text() == rec.model_name
        assert rec.hardware.where == "local" and rec.hardware.gpu_id == "rtx-4090"
        assert rec.margin_gb >= 0  # fits the card
        # Memory in the vendors' GB (2^30 bytes), as the hardware page names the card: "of 24 GB".
        peak = f"{rec.peak_vram_gb * 1e9 / 2**30:.1f}"
        assert results.table.item(row, 4).text() == f"{peak} of 24 GB usable"
    assert plan.advice.summary in results.advice.text()
    assert plan.recommendations[0].reasons[0] in results.details.toPlainText()
    assert results.excluded.rowCount() == len(plan.excluded)
    assert results.save_plan.isEnabled()

    # Moving the budget below the cheapest option's cost re-ranks live.
    cheapest = min(r.train_cost_usd for r in plan.recommendations if r.train_cost_usd is not None)
    tight = round(cheapest * 0.99, 4)
    type_into(qtbot, results.budget, f"{tight}")
    tighter = wait_for_plan(qtbot, w, previous=plan)
    assert tighter.answers.budget.training_usd == pytest.approx(tight)
    assert all(r.train_cost_usd is None or r.train_cost_usd <= tight for r in tighter.recommendations)
    assert len(tighter.recommendations) < len(plan.recommendations)
    assert any(e.constraint == "budget" for e in tighter.excluded)
    assert results.table.rowCount() == len(tighter.recommendations)
    assert budget.training.text() == f"{tight:g}"  # the Budget page shows the same answer

    # A weight change re-ranks too: all weight on cost puts the cheapest first.
    type_into(qtbot, results.budget, "1500")
    plan = wait_for_plan(qtbot, w, previous=tighter)
    for name, slider in results.sliders.items():
        slider.setValue(100 if name == "cost" else 0)
    by_cost = wait_for_plan(qtbot, w, previous=plan)
    assert by_cost.weights.cost == pytest.approx(1.0)
    costs = [r.train_cost_usd for r in by_cost.recommendations]
    assert costs[0] == min(c for c in costs if c is not None)
    # After every re-rank the table still fills its width (the model column takes the rest).
    header = results.table.horizontalHeader()
    used = sum(header.sectionSize(i) for i in range(results.table.columnCount()))
    assert abs(used - results.table.viewport().width()) <= 2

    # The answers were autosaved on the way, readable by the user only.
    path = autosave.autosave_path()
    saved = json.loads(path.read_text())
    assert saved["page"] == "results" and saved["answers"]["languages"] == ["en", "de"]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_selecting_a_row_chooses_it_and_the_saved_plan_opens_as_it_was(qtbot, make_wizard, tmp_path):
    w = make_wizard()
    click_next(qtbot, w)
    for _ in range(6):
        click_next(qtbot, w)
    plan = wait_for_plan(qtbot, w)
    results = w.pages["results"]
    results.table.selectRow(2)
    assert results.plan.chosen_index == 2
    assert results.plan.run_config is not None
    assert plan.recommendations[2].model_name in results.details.toPlainText()
    path = results.save_plan_clicked(path=tmp_path / "plan.json")
    saved = load_plan(path)
    assert saved.chosen_index == 2
    assert saved.recommendations == results.plan.recommendations

    again = make_wizard()
    press(qtbot, again.welcome.open_plan)
    type_into(qtbot, again.welcome.plan_path, str(path))
    click_next(qtbot, again)
    qtbot.waitUntil(lambda: again.currentId() == PAGE_INDEX["results"], timeout=WAIT_MS)
    shown = again.pages["results"]
    assert shown.status.text() == "Opened from file."
    assert shown.plan.recommendations == saved.recommendations
    assert shown.table.selectionModel().selectedRows()[0].row() == 2
    assert again.pages["languages"].codes.text() == ", ".join(saved.answers.languages)
    # Re-ranking an opened plan keeps planning for the workstation it was made for.
    assert again.pages["hardware"].profile == saved.hardware
    assert again.pages["hardware"].status.text().startswith("From the saved plan")


def test_a_plan_file_that_is_not_a_plan_is_refused_on_the_welcome_page(qtbot, make_wizard, tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"schema_version": 1, "answers": {}}')
    w = make_wizard()
    press(qtbot, w.welcome.open_plan)
    type_into(qtbot, w.welcome.plan_path, str(bad))
    click_next(qtbot, w)
    assert w.currentPage() is w.welcome
    message = w.welcome.plan_error.text()
    assert str(bad) in message and "$." in message


def test_after_a_crash_the_user_resumes_on_the_page_they_were_on(qtbot, make_wizard):
    answers = default_answers().model_copy(update={"languages": ["fr", "nl"], "project_name": "Dossiers"})
    autosave.save(answers, "compliance")  # clean_exit False: the program died
    w = make_wizard()
    assert w.welcome.resume.isChecked()  # offered first after a crash
    assert "did not close normally" in w.welcome.notice.text()
    assert "Compliance page" in w.welcome.resume_hint.text()
    click_next(qtbot, w)
    qtbot.waitUntil(lambda: w.currentId() == PAGE_INDEX["compliance"], timeout=WAIT_MS)
    assert w.pages["languages"].codes.text() == "fr, nl"
    assert w.pages["task"].project.text() == "Dossiers"
    w.back()  # the pages before are in the history, as if walked
    assert w.currentPage() is w.pages["data"]


def test_a_clean_close_is_not_taken_for_a_crash(qtbot, make_wizard):
    autosave.save(default_answers(), "budget", clean_exit=True)
    w = make_wizard()
    assert w.welcome.resume.isEnabled() and not w.welcome.resume.isChecked()
    assert w.welcome.new.isChecked()
    assert not w.welcome.notice.isVisible()


def test_a_corrupt_autosave_is_set_aside_and_start_up_goes_on(qtbot, make_wizard):
    path = autosave.autosave_path()
    path.write_text('{"schema_version": 1, "page": "task", "answers": {"languages": 3')
    w = make_wizard()
    assert not path.exists()
    aside = list(path.parent.glob("autosave.corrupt-*.json"))
    assert len(aside) == 1 and aside[0].read_text().startswith('{"schema_version"')  # nothing lost
    assert "set aside" in w.welcome.notice.text() and str(aside[0]) in w.welcome.notice.text()
    assert not w.welcome.resume.isEnabled()
    click_next(qtbot, w)
    assert w.currentPage() is w.pages["task"]


def test_invalid_input_shows_a_message_and_keeps_next_disabled(qtbot, make_wizard):
    w = make_wizard()
    click_next(qtbot, w)
    click_next(qtbot, w)
    langs = w.pages["languages"]
    type_into(qtbot, langs.codes, "en, xx1")
    assert not next_enabled(w)
    assert "'xx1' is not a language" in langs._errors["languages"].text()
    assert langs._errors["languages"].isVisible()
    assert langs.codes.accessibleDescription().startswith("Error:")
    type_into(qtbot, langs.codes, "en, xx1, Klingonish")  # every bad entry is named
    assert "'xx1', 'Klingonish' are not languages" in langs._errors["languages"].text()
    type_into(qtbot, langs.codes, "")
    assert "at least one language" in langs._errors["languages"].text()
    type_into(qtbot, langs.codes, "Deutsch, English, francais")  # a language's own name counts
    assert next_enabled(w) and "German (de), English (en), French (fr)" in langs.summary.text()
    type_into(qtbot, langs.codes, "en, fr")
    assert next_enabled(w) and not langs._errors["languages"].isVisible()
    click_next(qtbot, w)

    budget = w.pages["budget"]
    type_into(qtbot, budget.training, "0")  # nothing to spend leaves nothing to rank
    assert not next_enabled(w)
    assert "budget of 0" in budget._errors["training_usd"].text()
    type_into(qtbot, budget.training, "-20")
    assert not next_enabled(w)
    assert "cannot be negative" in budget._errors["training_usd"].text()
    type_into(qtbot, budget.training, "lots")
    assert "'lots' is not an amount" in budget._errors["training_usd"].text()
    type_into(qtbot, budget.training, "$2.5k")
    assert next_enabled(w)
    click_next(qtbot, w)

    data = w.pages["data"]
    type_into(qtbot, data.examples, "0")  # "learns the task from 0 examples" is no plan
    assert not next_enabled(w)
    assert "between 1" in data._errors["examples"].text()
    type_into(qtbot, data.examples, "1,500")
    type_into(qtbot, data.avg_tokens, "0")
    assert not next_enabled(w)
    assert "between 1" in data._errors["avg_tokens"].text()
    type_into(qtbot, data.avg_tokens, "800")
    type_into(qtbot, data.p95_tokens, "300")
    assert "cannot be below the average" in data._errors["p95_tokens"].text()
    assert not next_enabled(w)
    type_into(qtbot, data.p95_tokens, "")
    assert next_enabled(w)
    click_next(qtbot, w)
    assert w.answers.budget.training_usd == 2500


def test_task_description_over_the_limit_is_refused_with_its_length(qtbot, make_wizard):
    w = make_wizard()
    click_next(qtbot, w)
    task = w.pages["task"]
    task.description.setPlainText("x" * 5001)
    assert not next_enabled(w)
    assert "5,001 characters" in task._errors["description"].text()


def test_no_gpu_here_switches_to_cloud_and_detect_mode_is_refused(qtbot, make_wizard):
    w = make_wizard(detector=cpu_only_workstation)
    for _ in range(6):
        click_next(qtbot, w)
    hardware = w.pages["hardware"]
    assert "No supported GPU found" in hardware.status.text()
    assert hardware.use_cloud.isChecked()
    hardware.use_detected.setChecked(True)
    assert "no GPU was found here" in hardware._errors["detect"].text()
    assert not hardware.isComplete()
    hardware.use_manual.setChecked(True)
    assert hardware.isComplete() and hardware.gpu.isEnabled()
    # Where the Compliance page rules cloud out, no message suggests it.
    hardware.set_local_only(True, air_gapped=True)
    hardware.use_detected.setChecked(True)
    assert hardware._errors["detect"].text().endswith("no GPU was found here; name the GPUs")
    hardware._on_failed("nvidia-smi timed out")
    assert "cloud" not in hardware.status.text() and hardware.status.text().endswith("Name the GPUs.")


def test_typing_is_autosaved_without_leaving_the_page(qtbot, make_wizard):
    """A crash before Next loses at most the last second and a half of typing."""
    w = make_wizard()
    click_next(qtbot, w)
    type_into(qtbot, w.pages["task"].domain, "pension claims")
    qtbot.waitUntil(lambda: autosave.peek().exists and
                    json.loads(autosave.autosave_path().read_text())["answers"]["task"]["domain"]
                    == "pension claims", timeout=5000)
    saved, _ = autosave.load()
    assert saved.page == "task" and not saved.clean_exit


def test_closing_without_resuming_keeps_the_session_and_clears_the_crash(qtbot, make_wizard):
    answers = default_answers().model_copy(update={"languages": ["pt"]})
    autosave.save(answers, "budget")
    w = make_wizard()
    w.close()  # on the welcome page: nothing chosen yet
    saved, notice = autosave.load()
    assert notice is None and saved.answers == answers and saved.page == "budget"
    assert saved.clean_exit
