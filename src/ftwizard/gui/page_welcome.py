"""The first page: start new, resume the autosaved session, or open a saved plan.

It imports Qt and the stdlib only, so it shows before pydantic and the catalog load.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizardPage,
)

from ftwizard.gui.autosave import Peek
from ftwizard.gui.forms import ErrorLabel, hint_label

PAGE_TITLES = {
    "task": "Task", "languages": "Languages", "budget": "Budget", "data": "Data",
    "compliance": "Compliance", "hardware": "Hardware", "results": "Results",
}


class WelcomePage(QWizardPage):
    page_id = "welcome"
    first_painted = Signal()  # the window is on screen: slower set-up may start now

    def __init__(self, autosave: Peek) -> None:
        super().__init__()
        self._painted = False
        self.setTitle("Plan a fine-tune")
        self.setSubTitle("A few questions about your task, data, budget and rules; then a ranked "
                         "plan: which model, which technique, which GPU, how long and what it costs.")
        layout = QVBoxLayout(self)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName("Notice")
        self.notice.hide()
        layout.addWidget(self.notice)

        self.new = QRadioButton("Start a ne&w plan")
        self.new.setAccessibleName("Start a new plan")
        self.resume = QRadioButton("&Resume the autosaved session")
        self.resume.setAccessibleName("Resume the autosaved session")
        self.open_plan = QRadioButton("&Open a saved plan")
        self.open_plan.setAccessibleName("Open a saved plan")
        self.group = QButtonGroup(self)
        for i, button in enumerate((self.new, self.resume, self.open_plan)):
            self.group.addButton(button, i)
            layout.addWidget(button)
            if button is self.resume:
                self.resume_hint = hint_label("")
                self.resume_hint.setContentsMargins(24, 0, 0, 0)
                layout.addWidget(self.resume_hint)

        self.plan_path = QLineEdit()
        self.plan_path.setPlaceholderText("plan.json")
        self.plan_path.setAccessibleName("Saved plan file")
        self.browse = QPushButton("&Browse…")
        self.browse.setAccessibleName("Browse for a saved plan")
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.plan_path, 1)
        row.addWidget(self.browse)
        layout.addLayout(row)
        self.plan_error = ErrorLabel()
        layout.addWidget(self.plan_error)
        layout.addStretch(1)
        layout.addWidget(hint_label(
            "Everything stays on this computer: no answer, file or dataset is ever sent over the "
            "network. Answers are saved after each page, so you can close the window and resume."))

        self.set_autosave(autosave)
        self.group.idToggled.connect(self._changed)
        self.plan_path.textChanged.connect(self._changed)
        self._changed()

    def set_autosave(self, autosave: Peek, notice: str | None = None) -> None:
        """Offer resume if a session was saved; pre-select it after a crash."""
        self.resume.setEnabled(autosave.exists)
        if autosave.exists:
            where = PAGE_TITLES.get(autosave.page or "", "")
            when = (autosave.saved_at or "").replace("T", " ")
            bits = [f"saved {when}" if when else "", f"on the {where} page" if where else ""]
            text = " ".join(b for b in bits if b)
            self.resume_hint.setText(text[:1].upper() + text[1:] if text else "A session was saved.")
        else:
            self.resume_hint.setText("No autosaved session.")
        if autosave.crashed:
            self.show_notice("ftwizard did not close normally last time. Your answers were saved: "
                             "resume where you left off, or start a new plan." + (f"\n\n{notice}" if notice else ""))
            self.resume.setChecked(True)
        elif notice:
            self.show_notice(notice)
        if not self.group.checkedButton() or not self.group.checkedButton().isEnabled():
            self.new.setChecked(True)

    def show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def choice(self) -> str:
        return {0: "new", 1: "resume", 2: "open"}[self.group.checkedId()]

    def _browse(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Open a saved plan", str(Path.home()),
                                              "Plans (*.json);;All files (*)")
        if path:
            self.plan_path.setText(path)
            self.open_plan.setChecked(True)

    def _changed(self, *args) -> None:
        if self.sender() is self.plan_path and self.plan_path.text().strip():
            self.open_plan.setChecked(True)  # typing a path means "open it"
        if self.choice() != "open":
            self.plan_error.show_message(None)
        self.completeChanged.emit()

    def set_plan_error(self, message: str | None) -> None:
        self.plan_error.show_message(message)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def nextId(self) -> int:  # noqa: N802 (Qt's name)
        return 1  # the Task page; it is added after the first paint, so Qt cannot know yet

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.choice() != "open" or bool(self.plan_path.text().strip())
