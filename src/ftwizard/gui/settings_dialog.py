"""The Settings dialog: electricity price, currency display, default runs folder."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ftwizard.gui.forms import buddy_label as _label
from ftwizard.gui.forms import hint_label as _hint


class SettingsDialog(QDialog):
    """Edits a copy; `result_settings()` gives the new Settings after Accept."""

    def __init__(self, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ftwizard.core.paths import default_runs_dir

        self.setWindowTitle("Settings")
        self.setMinimumWidth(540)
        self._settings = settings
        form = QFormLayout()

        self.electricity = QDoubleSpinBox()
        self.electricity.setRange(0.0, 10.0)
        self.electricity.setDecimals(3)
        self.electricity.setSingleStep(0.01)
        self.electricity.setSuffix(" USD/kWh")
        self.electricity.setValue(settings.electricity_usd_per_kwh)
        self.electricity.setAccessibleName("Electricity price in US dollars per kilowatt-hour")
        form.addRow(_label("&Electricity price:", self.electricity), self.electricity)
        form.addRow("", _hint("Local training cost = GPU board power × hours × this price."))

        self.currency = QLineEdit(settings.currency)
        self.currency.setMaxLength(3)
        self.currency.setInputMask(">AAA")
        self.currency.setAccessibleName("Display currency, three-letter ISO 4217 code")
        form.addRow(_label("&Currency:", self.currency), self.currency)

        self.rate = QDoubleSpinBox()
        self.rate.setRange(0.0001, 100000.0)
        self.rate.setDecimals(4)
        self.rate.setValue(settings.usd_to_currency_rate)
        self.rate.setAccessibleName("Units of the display currency per US dollar")
        form.addRow(_label("&Rate per USD:", self.rate), self.rate)
        form.addRow("", _hint("Catalog prices are in US dollars; costs are shown as USD × rate. "
                              "ftwizard never fetches rates: type today's rate."))

        self.runs_dir = QLineEdit(settings.runs_dir or "")
        self.runs_dir.setPlaceholderText(str(default_runs_dir()))
        self.runs_dir.setAccessibleName("Folder for training runs")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.runs_dir, 1)
        row.addWidget(browse)
        form.addRow(_label("Runs &folder:", self.runs_dir), row)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings error")
        self.error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for training runs", self.runs_dir.text())
        if folder:
            self.runs_dir.setText(folder)

    def _accept(self) -> None:
        from pydantic import ValidationError

        try:
            self._result = type(self._settings).model_validate(
                self._settings.model_dump()
                | {
                    "electricity_usd_per_kwh": self.electricity.value(),
                    "currency": self.currency.text().strip().upper(),
                    "usd_to_currency_rate": self.rate.value(),
                    "runs_dir": self.runs_dir.text().strip() or None,
                }
            )
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            self.error.setText(f"{err['loc'][0]}: {err['msg']}")
            self.error.show()
            return
        self.accept()

    def result_settings(self):
        return getattr(self, "_result", self._settings)

