"""Page by page: the dataset inspector, keyboard and screen-reader access, dialogs, actions."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSlider,
    QTableWidget,
    QTabWidget,
    QTextBrowser,
    QWizard,
)

from ftwizard import __version__
from ftwizard.catalog.store import load_catalog
from ftwizard.gui import workers
from ftwizard.gui.about import AboutDialog
from ftwizard.gui.settings import load_settings
from ftwizard.gui.settings_dialog import SettingsDialog
from ftwizard.gui.wizard import PAGE_ORDER, WizardWindow
from gui_support import click_next, rtx4090_workstation, type_into, wait_for_plan

WAIT_MS = 20_000
INPUTS = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractButton, QAbstractSpinBox, QSlider,
          QTableWidget, QTextBrowser)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def wizard(qtbot, catalog):
    w = WizardWindow(detector=rtx4090_workstation, catalog=catalog)
    qtbot.addWidget(w)
    w.show()
    w.finish_setup()
    qtbot.waitUntil(lambda: not w.pages["hardware"].detecting(), timeout=WAIT_MS)
    yield w
    workers.wait_all(WAIT_MS)


def go_to(qtbot, wizard, name: str) -> None:
    while wizard.currentId() < PAGE_ORDER.index(name):
        click_next(qtbot, wizard)


def wait_idle(qtbot, page) -> None:
    """Until the inspection ended (its signals may already be queued: wait on state)."""
    qtbot.waitUntil(lambda: page.pick.isEnabled(), timeout=WAIT_MS)


def write_chats(path, n: int, bad: int = 0) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            words = " ".join(["word"] * (20 + (i % 40) * 10))
            row = {"messages": [{"role": "user", "content": f"question {i}?"},
                                {"role": "assistant", "content": words}]}
            fh.write(json.dumps(row) + "\n")
        for _ in range(bad):
            fh.write('{"messages": "not a list"}\n')


def test_the_data_inspector_fills_the_counts_and_shows_the_lengths(qtbot, wizard, tmp_path):
    data_file = tmp_path / "chats.jsonl"
    write_chats(data_file, 400, bad=3)
    go_to(qtbot, wizard, "data")
    page = wizard.pages["data"]
    page.inspect_file(data_file)
    assert not page.pick.isEnabled() and page.cancel.isVisible()
    wait_idle(qtbot, page)
    assert page.examples.text() == "400"
    avg = int(page.avg_tokens.text())
    p95 = int(page.p95_tokens.text())
    assert 20 < avg < p95
    assert "400 usable examples of 403 rows" in page.report.text()
    assert "3 rows have problems" in page.report.text()
    assert "word" not in page.report.text()  # counts only, never the contents
    assert page.histogram.isVisible() and sum(page.histogram._counts) == 400
    assert page.pick.isEnabled() and not page.progress.isVisible()
    click_next(qtbot, wizard)
    assert wizard.answers.data.examples == 400 and wizard.answers.data.p95_tokens == p95
    # The exported plan's compliance checklist names this file, its SHA-256 and the personal-data scan.
    import hashlib

    from pypdf import PdfReader

    go_to(qtbot, wizard, "results")
    wait_for_plan(qtbot, wizard)
    out = wizard.pages["results"].export_pdf_clicked(path=tmp_path / "plan.pdf")
    text = "".join("".join(pg.extract_text().split()) for pg in PdfReader(out).pages)
    assert hashlib.sha256(data_file.read_bytes()).hexdigest() in text and "chats.jsonl" in text
    assert re.search(r"Personal-datascan(nolikelypersonaldatafoundin403rows|\d+of403rowslooklike)", text)


def test_cancelling_an_inspection_keeps_the_numbers_typed(qtbot, wizard, tmp_path):
    data_file = tmp_path / "big.jsonl"
    write_chats(data_file, 20_000)
    go_to(qtbot, wizard, "data")
    page = wizard.pages["data"]
    type_into(qtbot, page.examples, "777")
    page.inspect_file(data_file)
    qtbot.mouseClick(page.cancel, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert page.examples.text() == "777"
    assert "cancelled" in page.report.text()
    assert page.pick.isEnabled()


def test_a_file_that_is_no_dataset_is_reported_on_the_page(qtbot, wizard, tmp_path):
    junk = tmp_path / "notes.jsonl"
    junk.write_text("this is not json\nnor this\n")
    go_to(qtbot, wizard, "data")
    page = wizard.pages["data"]
    before = page.examples.text()
    page.inspect_file(junk)
    wait_idle(qtbot, page)
    assert page.report.text().startswith("⚠ The file could not be inspected: ")
    assert "notes.jsonl" in page.report.text()
    assert page.examples.text() == before


def _mnemonic(text: str) -> str | None:
    m = re.search(r"&([^&])", text.replace("&&", ""))
    return m.group(1).lower() if m else None


def _visible_mnemonics(wizard) -> list[tuple[str, str]]:
    found = []
    page = wizard.currentPage()
    for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton) + page.findChildren(QGroupBox):
        text = w.title() if isinstance(w, QGroupBox) else w.text()
        if w.isVisibleTo(wizard) and _mnemonic(text):
            found.append((_mnemonic(text), text))
    for tabs in page.findChildren(QTabWidget):
        if tabs.isVisibleTo(wizard):
            found += [(_mnemonic(tabs.tabText(i)), tabs.tabText(i)) for i in range(tabs.count())
                      if _mnemonic(tabs.tabText(i))]
    for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                  QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton,
                  QWizard.WizardButton.CustomButton1, QWizard.WizardButton.CustomButton2):
        button = wizard.button(which)
        if button.isVisibleTo(wizard):
            found.append((_mnemonic(button.text()), button.text()))
    return found


def test_every_page_is_usable_by_keyboard_and_screen_reader(qtbot, wizard):
    """Each input is reachable by Tab and named; each visible mnemonic is unique on its page."""
    for name in PAGE_ORDER:
        go_to(qtbot, wizard, name)
        if name == "results":
            wait_for_plan(qtbot, wizard)
            results = wizard.pages["results"]
            results.weights_button.setChecked(True)  # everything on show at once
            results.tabs.setCurrentWidget(results.charts_tab)
        letters = _visible_mnemonics(wizard)
        assert all(letter for letter, _ in letters)
        seen: dict[str, str] = {}
        for letter, text in letters:
            assert letter not in seen, f"{name}: Alt+{letter} is both '{seen[letter]}' and '{text}'"
            seen[letter] = text
        inputs = [w for kind in INPUTS for w in wizard.currentPage().findChildren(kind)]
        for widget in inputs:
            if not widget.isVisibleTo(wizard) or isinstance(widget.parent(), QAbstractSpinBox | QComboBox):
                continue  # hidden, or the editor inside a spin box or combo box
            label = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
            assert label.replace("&", "").strip(), f"{name}: {type(widget).__name__} has no accessible name"
            if isinstance(widget, QRadioButton) and not widget.isChecked():
                continue  # Qt's radio groups: Tab reaches the checked one, arrows the others
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, f"{name}: {label} is not reachable by Tab"


def test_settings_change_the_currency_shown_and_are_kept(qtbot, wizard):
    go_to(qtbot, wizard, "results")
    results = wizard.pages["results"]
    wait_for_plan(qtbot, wizard)
    dialog = SettingsDialog(wizard.settings, wizard)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog.currency, "EUR")
    dialog.rate.setValue(0.5)
    dialog.electricity.setValue(0.10)
    dialog._accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    new = dialog.result_settings()
    assert (new.currency, new.usd_to_currency_rate, new.electricity_usd_per_kwh) == ("EUR", 0.5, 0.10)
    import datetime as dt

    from ftwizard.base.units import Money

    assert new.usd_to_currency_rate_as_of == dt.date.today().isoformat()  # the day the rate was typed
    assert Money.from_settings(new).as_of == new.usd_to_currency_rate_as_of
    wizard.settings = new
    previous = results.plan
    results.settings_changed()
    qtbot.waitUntil(lambda: results.plan is not previous, timeout=WAIT_MS)
    rec = results.plan.recommendations[0]
    cost_cell = results.table.item(0, 6).text()
    assert cost_cell.startswith("€") and cost_cell == f"€{rec.train_cost_usd * 0.5:,.2f}"
    # One currency on the whole page: the budget field, the reasons, the assumptions.
    assert results.budget_label.text() == "&Training budget (EUR):"
    assert float(results.budget.text()) == wizard.answers.budget.training_usd * 0.5
    assert "$" not in results.details.toPlainText() and "€" in results.details.toPlainText()
    assert "0.5 EUR per USD" in results.assumptions.toPlainText()
    # One memory convention, said once: the estimator's decimal-GB line is not a second one.
    assert "1 GB = 2^30 bytes" in results.assumptions.toPlainText()
    assert "Memory is per GPU in decimal GB" not in results.assumptions.toPlainText()
    wizard.close()
    saved, notice = load_settings()
    assert notice is None and saved.currency == "EUR" and saved.window_geometry_b64


def test_a_bad_currency_code_is_refused_in_the_dialog(qtbot, wizard):
    dialog = SettingsDialog(wizard.settings, wizard)
    qtbot.addWidget(dialog)
    type_into(qtbot, dialog.currency, "E1")
    dialog._accept()
    assert dialog.result() != dialog.DialogCode.Accepted
    assert "currency" in dialog.error.text()


def test_about_names_the_version_the_catalog_date_and_qts_licence(qtbot, catalog):
    dialog = AboutDialog(catalog)
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert f"ftwizard {__version__}" in text
    assert catalog.as_of.isoformat() in text
    assert "GNU Lesser General Public License version 3" in text and "LGPL-3.0-only" in text
    for name in ("PySide6-Essentials", "pyqtgraph", "pydantic", "platformdirs"):
        assert name in text


def test_charts_draw_the_plan_and_a_row_choice_redraws_them(qtbot, wizard):
    go_to(qtbot, wizard, "results")
    results = wizard.pages["results"]
    wait_for_plan(qtbot, wizard)
    results.tabs.setCurrentWidget(results.charts_tab)
    charts = results._charts
    assert charts is not None and charts.tabs.count() == 3
    vram = charts.widgets[0].getPlotItem()
    ticks = vram.getAxis("bottom")._tickLevels[0]
    assert [t[1] for t in ticks][0].startswith("1. " + results.plan.recommendations[0].model_name)
    first = charts.widgets[2]
    results.table.selectRow(1)
    assert charts.widgets[2] is not first  # redrawn for the newly chosen row
    labels = [t[1] for t in charts.widgets[2].getPlotItem().getAxis("bottom")._tickLevels[0]]
    assert any("RTX 4090" in lab for lab in labels)
    # The ranker's first plan stays "recommended"; the row picked here is "selected", not "chosen".
    ticks = [t[1] for t in charts.widgets[0].getPlotItem().getAxis("bottom")._tickLevels[0]]
    assert ticks[0].endswith("\u2605 recommended") and ticks[1].endswith("(selected)")
    assert not any("(chosen)" in t for t in ticks)
    # The quality chart names the plans on its front, in words, never rank numbers alone.
    from pyqtgraph import TextItem

    names = [i.textItem.toPlainText() for i in charts.widgets[1].getPlotItem().items if isinstance(i, TextItem)]
    assert any(n.startswith("recommended: " + results.plan.recommendations[0].model_name) for n in names)


def test_export_pdf_writes_the_plan(qtbot, wizard, tmp_path):
    pytest.importorskip("ftwizard.report.pdf")
    go_to(qtbot, wizard, "results")
    results = wizard.pages["results"]
    wait_for_plan(qtbot, wizard)
    out = results.export_pdf_clicked(path=tmp_path / "plan.pdf")
    assert out is not None and out.read_bytes().startswith(b"%PDF")
    assert results.status.text() == "Saved plan.pdf."


def test_launch_training_opens_the_run_monitor_on_the_chosen_plan(qtbot, wizard):
    go_to(qtbot, wizard, "results")
    results = wizard.pages["results"]
    plan = wait_for_plan(qtbot, wizard)
    with qtbot.waitSignal(wizard.launch_training_requested) as signal:
        results.launch_clicked()
    monitor = wizard.run_monitor
    qtbot.addWidget(monitor)
    assert signal.args[0] is plan and monitor.plan is plan and monitor.isVisible()
    assert monitor.setup.base_config == plan.run_config  # the paths are the user's to pick there
    assert monitor.setup.hardware is wizard.pages["hardware"].profile  # the pre-flight uses the detected card
