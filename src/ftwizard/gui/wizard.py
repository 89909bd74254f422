"""The wizard window: pages in order, answers carried between them, autosave, actions.

Start-up order matters: the window shows the Welcome page first (Qt + stdlib only); once
it is painted, `finish_setup()` builds everything that needs pydantic and the catalog.
A user sees a window in about the time a bare QWizard takes (benchmarks/startup.py).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QTimer, Signal
from PySide6.QtWidgets import QWizard, QWizardPage

from ftwizard.gui import autosave
from ftwizard.gui.page_welcome import WelcomePage
from ftwizard.gui.settings import peek_geometry

log = logging.getLogger("ftwizard.gui")

PAGE_ORDER = ("welcome", "task", "languages", "budget", "data", "compliance", "hardware", "results")
PAGE_INDEX = {name: i for i, name in enumerate(PAGE_ORDER)}
FIRST_PAINT_WAIT_MS = 300
EDIT_SAVE_DELAY_MS = 1500


class WizardWindow(QWizard):
    """`launch_training_requested(plan)` is the hook the run monitor connects to."""

    launch_training_requested = Signal(object)

    def __init__(self, *, detector=None, catalog=None) -> None:
        super().__init__()
        self.setWindowTitle("ftwizard — plan a fine-tune")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton2, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton3, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, "&Settings…")
        self.setButtonText(QWizard.WizardButton.CustomButton2, "Abo&ut")
        # No mnemonic: every letter of "Runs" is taken on some page.
        self.setButtonText(QWizard.WizardButton.CustomButton3, "Runs…")
        self.button(QWizard.WizardButton.CustomButton3).setToolTip("Training runs: start, watch, resume, report")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Back")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Next >")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Close")
        self.setButtonLayout([
            QWizard.WizardButton.CustomButton1, QWizard.WizardButton.CustomButton2,
            QWizard.WizardButton.CustomButton3,
            QWizard.WizardButton.Stretch, QWizard.WizardButton.BackButton,
            QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ])
        self.customButtonClicked.connect(self._custom_button)
        self.resize(920, 680)
        geometry = peek_geometry()
        if geometry:
            self.restoreGeometry(QByteArray(geometry))

        self.welcome = WelcomePage(autosave.peek())
        self.setPage(PAGE_INDEX["welcome"], self.welcome)
        self.welcome.first_painted.connect(lambda: QTimer.singleShot(0, self.finish_setup))

        self._detector = detector
        self.catalog = catalog
        self.settings = None
        self.answers = None  # Answers, once the user picks new / resume / open
        self.saved = None  # the Autosave read at start-up
        self.pages: dict[str, QWizardPage] = {"welcome": self.welcome}
        self._ready = False
        self._resume_to: int | None = None
        self._previous_id = PAGE_INDEX["welcome"]
        self._clean_exit_written = False
        self.run_monitor = None  # gui.run_monitor.RunMonitor, once opened
        self.launch_training_requested.connect(self.open_run_monitor)
        # Typing is saved too, a moment after it stops, so a crash mid-page loses little.
        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_SAVE_DELAY_MS)
        self._edit_timer.timeout.connect(self._save_edits)

    # -- start-up ----------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if not self._ready:
            # After the first paint, so the user sees the window before pydantic loads; the
            # timer covers a window that is never painted (minimised, covered).
            QTimer.singleShot(FIRST_PAINT_WAIT_MS, self.finish_setup)

    def finish_setup(self) -> None:
        """Build the pages that need pydantic and the catalog (idempotent)."""
        if self._ready:
            return
        self._ready = True
        from ftwizard.base.errors import FtwizardError
        from ftwizard.catalog.store import load_catalog
        from ftwizard.gui.page_hardware import HardwarePage, detect_hardware
        from ftwizard.gui.page_results import ResultsPage
        from ftwizard.gui.pages_data import DataPage
        from ftwizard.gui.pages_questions import BudgetPage, CompliancePage, LanguagesPage, TaskPage
        from ftwizard.gui.settings import load_settings

        self.settings, settings_notice = load_settings()
        if self.catalog is None:
            try:
                self.catalog = load_catalog()
            except FtwizardError as exc:
                from PySide6.QtWidgets import QMessageBox

                QMessageBox.critical(self, "ftwizard: the catalog cannot be read", str(exc))
                raise
        self.saved, notice = autosave.load()
        saved = self.saved
        self.welcome.set_autosave(
            autosave.Peek(exists=True, crashed=not saved.clean_exit, page=saved.page,
                          saved_at=saved.saved_at.isoformat(sep=" "))
            if saved else autosave.Peek(exists=False),
            "\n\n".join(n for n in (notice, settings_notice) if n) or None,  # both, when both
        )

        pages = [TaskPage(), LanguagesPage(self.catalog), BudgetPage(), DataPage(), CompliancePage(),
                 HardwarePage(self.catalog, self._detector or detect_hardware), ResultsPage(self)]
        for page in pages:
            self.setPage(PAGE_INDEX[page.page_id], page)
            self.pages[page.page_id] = page
            page.completeChanged.connect(self._continue_resume)
            page.completeChanged.connect(self._edit_timer.start)  # emitted on every edit
        self.currentIdChanged.connect(self._page_changed)
        self.pages["hardware"].start_detection()
        QTimer.singleShot(0, self._reattach_runs)  # a run left going last time is shown again

    # -- moving between pages ------------------------------------------------------
    def validateCurrentPage(self) -> bool:  # noqa: N802 (Qt's name)
        page = self.currentPage()
        if page is self.welcome:
            return self._start_from_welcome()
        if not super().validateCurrentPage():
            return False
        self._take_answers(page)  # before the next page's initializePage reads them
        return True

    def _take_answers(self, page) -> None:
        if hasattr(page, "apply") and page.isComplete() and self.answers is not None:
            self.answers = page.apply(self.answers)

    def _start_from_welcome(self) -> bool:
        self.finish_setup()
        choice = self.welcome.choice()
        self._resume_to = None
        if choice == "resume" and self.saved is not None:
            self.set_answers(self.saved.answers)
            self._resume_to = PAGE_INDEX.get(self.saved.page)
        elif choice == "open":
            from pathlib import Path

            from ftwizard.base.errors import FtwizardError
            from ftwizard.recommend.plan import load_plan

            try:
                plan = load_plan(Path(self.welcome.plan_path.text().strip()).expanduser())
            except FtwizardError as exc:
                self.welcome.set_plan_error(str(exc).splitlines()[0])
                return False
            self.welcome.set_plan_error(None)
            self.set_answers(plan.answers)
            if plan.hardware is not None:
                self.pages["hardware"].use_saved_profile(plan.hardware)
            self.pages["results"].set_opened_plan(plan)
            self._resume_to = PAGE_INDEX["results"]
        else:
            from ftwizard.recommend.answers import default_answers

            self.set_answers(default_answers())
        return True

    def set_answers(self, answers) -> None:
        """Show `answers` on every question page."""
        self.answers = answers
        for name in PAGE_ORDER[1:-1]:
            self.pages[name].set_answers(answers)

    def _page_changed(self, new_id: int) -> None:
        if new_id < self._previous_id:
            self._resume_to = None  # the user went back: stop walking forward for them
            self._take_answers(self.page(self._previous_id))  # going back keeps what was typed
        self._previous_id = new_id
        if self.answers is not None and new_id >= 0:
            self.save_session(PAGE_ORDER[new_id])
        QTimer.singleShot(0, self._continue_resume)

    def _continue_resume(self) -> None:
        """Resuming walks page by page (so Back works), stopping at the first incomplete one."""
        target = self._resume_to
        if target is None:
            return
        if self.currentId() >= target:
            self._resume_to = None
            return
        if self.currentPage().isComplete():
            self.next()

    # -- persistence -------------------------------------------------------------
    def _save_edits(self) -> None:
        """The current page's answers, if valid, without leaving the page."""
        page = self.currentPage()
        if self.answers is None or not hasattr(page, "apply") or not page.isComplete():
            return
        self._take_answers(page)
        self.save_session(PAGE_ORDER[self.currentId()])

    def save_session(self, page: str, clean_exit: bool = False, answers=None) -> None:
        from ftwizard.base.errors import FtwizardError

        try:
            autosave.save(answers or self.answers, page, clean_exit=clean_exit)
        except FtwizardError as exc:  # a full disk must not take the session down
            log.warning("autosave failed: %s", exc)

    def done(self, result: int) -> None:
        self.close_session()
        super().done(result)

    def close_session(self) -> None:
        """Mark a clean exit and remember the window geometry."""
        if self._clean_exit_written:
            return
        self._clean_exit_written = True
        page_id = self.currentId()
        page = self.currentPage()
        if self.answers is not None:
            self._take_answers(page)
            self.save_session(PAGE_ORDER[max(page_id, 0)], clean_exit=True)
        elif self.saved is not None:  # not resumed this time: keep the session, but it was no crash
            self.save_session(self.saved.page, clean_exit=True, answers=self.saved.answers)
        if self._ready and self.settings is not None:
            from ftwizard.base.errors import FtwizardError
            from ftwizard.gui.settings import save_settings

            b64 = bytes(self.saveGeometry().toBase64()).decode("ascii")
            self.settings = self.settings.model_copy(update={"window_geometry_b64": b64})
            try:
                save_settings(self.settings)
            except FtwizardError as exc:
                log.warning("settings not saved: %s", exc)

    # -- buttons -----------------------------------------------------------------
    def _custom_button(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.open_settings()
        elif which == QWizard.WizardButton.CustomButton2.value:
            self.open_about()
        elif which == QWizard.WizardButton.CustomButton3.value:
            self.open_run_monitor(history=True)

    def open_settings(self):
        from ftwizard.gui.settings import save_settings
        from ftwizard.gui.settings_dialog import SettingsDialog

        self.finish_setup()
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.settings = dialog.result_settings()
            save_settings(self.settings)
            self.pages["results"].settings_changed()
        return dialog

    def open_about(self):
        from ftwizard.gui.about import AboutDialog

        self.finish_setup()
        dialog = AboutDialog(self.catalog, self)
        dialog.exec()
        return dialog

    def launch_training(self, plan) -> None:
        """The results page's Launch: emits `launch_training_requested` (open_run_monitor listens)."""
        self.launch_training_requested.emit(plan)

    def open_run_monitor(self, plan=None, history: bool = False):
        """The run monitor (gui.run_monitor) for `plan`'s chosen run, or on its History tab."""
        from ftwizard.gui.run_monitor import RunMonitor

        self.finish_setup()
        detected = self.answers is not None and self.answers.hardware.mode == "detect"
        profile = self.pages["hardware"].profile if detected else None
        self.run_monitor = RunMonitor(plan=plan, catalog=self.catalog, settings=self.settings, hardware=profile)
        if history:
            self.run_monitor.tabs.setCurrentIndex(1)
        self.run_monitor.show()
        return self.run_monitor

    def _reattach_runs(self) -> None:
        from ftwizard.gui.run_monitor import reattach_live_runs

        self.run_monitor = reattach_live_runs(settings=self.settings, catalog=self.catalog) or self.run_monitor

    def has_training_monitor(self) -> bool:
        from PySide6.QtCore import QMetaMethod

        return self.isSignalConnected(QMetaMethod.fromSignal(self.launch_training_requested))
