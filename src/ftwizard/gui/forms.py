"""The pieces every question page is made of: a labelled input, its help text, its error.

A `QuestionPage` turns a section of the Answers into widgets (`load`) and back (`apply`);
the rules live in the Qt-free packages (ftwizard.recommend.wizard_state, ftwizard.base.units). `problems()` returns field -> message; Next stays disabled while
any message is shown.
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic (Alt+letter) focuses `buddy`."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def hint_label(text: str) -> QLabel:
    """Help text in the palette's muted colour, so it reads in light and dark themes."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


class ErrorLabel(QLabel):
    """An inline message under an input; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Error")
        self.hide()

    def show_message(self, message: str | None) -> None:
        if not message:
            self.clear()
            self.hide()
            return
        colour = "#ff8a80" if is_dark(self) else "#b00020"  # Material error red, light/dark
        self.setStyleSheet(f"color: {colour};")
        self.setText(f"⚠ {message}")
        self.show()


class QuestionPage(QWizardPage):
    """One page of questions; subclasses add rows and implement load/apply/problems."""

    page_id = ""

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(title)
        self.setSubTitle(subtitle)
        outer = QVBoxLayout(self)
        self.form = QFormLayout()
        outer.addLayout(self.form)
        outer.addStretch(1)  # rows keep their natural height; spare room goes below
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setVerticalSpacing(10)
        self._inputs: dict[str, QWidget] = {}
        self._errors: dict[str, ErrorLabel] = {}
        self._problems: dict[str, str] = {}
        self._loading = False

    def add_row(self, label: str, widget: QWidget, help_text: str, key: str, accessible: str) -> QWidget:
        """Label (with mnemonic), input, why-it-matters help, inline error; returns widget."""
        widget.setAccessibleName(accessible)
        widget.setAccessibleDescription(help_text)
        widget.setToolTip(help_text)
        column = QWidget()
        box = QVBoxLayout(column)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(hint_label(help_text))
        error = ErrorLabel()
        box.addWidget(error)
        self.form.addRow(buddy_label(label, widget), column)
        self._inputs[key] = widget
        self._errors[key] = error
        return widget

    # -- what subclasses implement -------------------------------------------------
    def load(self, answers) -> None:  # Answers -> widgets
        raise NotImplementedError

    def apply(self, answers):  # widgets -> a new Answers
        raise NotImplementedError

    def problems(self) -> dict[str, str]:  # field key -> message
        return {}

    # -- shared behaviour ----------------------------------------------------------
    def set_answers(self, answers) -> None:
        self._loading = True
        try:
            self.load(answers)
        finally:
            self._loading = False
        self.refresh()

    def refresh(self) -> None:
        """Re-check the inputs; show each message under its input; enable Next if none."""
        if self._loading:
            return
        self._problems = self.problems()
        for key, label in self._errors.items():
            message = self._problems.get(key)
            label.show_message(message)
            base = self._inputs[key].toolTip()
            self._inputs[key].setAccessibleDescription(f"Error: {message}" if message else base)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return not self._problems

    def current_problems(self) -> dict[str, str]:
        return dict(self._problems)
