"""The Settings dialog: electricity price, currency display, default runs folder, and the
training runtime (the Python that trains: ftwizard.runtime).

The runtime box lists the candidates `find_runtimes` finds, each with its diagnostic (ready or
its problems, torch and the GPUs it sees: checked in a worker, seconds each), a field for an
interpreter or environment folder (Browse, or pick a row; empty: automatic, the first ready
one), and Re-check. The choice is saved as Settings.train_python.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ftwizard.gui import workers
from ftwizard.gui.forms import buddy_label as _label
from ftwizard.gui.forms import hint_label as _hint


class SettingsDialog(QDialog):
    """Edits a copy; `result_settings()` gives the new Settings after Accept."""

    def __init__(self, settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ftwizard.base.paths import default_runs_dir

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

        runtime_box = self._runtime_box(settings)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings error")
        self.error.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(runtime_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    # -- the training runtime ------------------------------------------------------------------
    def _runtime_box(self, settings) -> QGroupBox:
        box = QGroupBox("Training runtime (the Python that trains)")
        self.train_python = QLineEdit(settings.train_python or "")
        self.train_python.setPlaceholderText("Automatic: the first ready one below")
        self.train_python.setAccessibleName("Training runtime: interpreter or environment folder")
        self.runtime_browse = QPushButton("Bro&wse…")
        menu = QMenu(self.runtime_browse)
        menu.addAction("Python &interpreter…", self._browse_interpreter)
        menu.addAction("&Environment folder (venv, conda)…", self._browse_env)
        self.runtime_browse.setMenu(menu)
        self.recheck = QPushButton("Re-c&heck")
        self.recheck.setToolTip("Find the candidates again and check each (imports torch in each: seconds)")
        self.recheck.clicked.connect(self.check_runtimes)
        row = QHBoxLayout()
        row.addWidget(self.train_python, 1)
        row.addWidget(self.runtime_browse)
        row.addWidget(self.recheck)
        self.runtimes = QListWidget()
        self.runtimes.setAccessibleName("Training runtimes found, with their diagnostic")
        self.runtimes.setMinimumHeight(150)
        self.runtimes.setWordWrap(True)
        self.runtimes.setSpacing(2)
        self.runtimes.itemClicked.connect(self._runtime_picked)
        self.runtime_status = QLabel()
        self.runtime_status.setWordWrap(True)
        self.runtime_status.setAccessibleName("Training runtime status")
        lay = QVBoxLayout(box)
        lay.addLayout(row)
        lay.addWidget(self.runtimes)
        lay.addWidget(self.runtime_status)
        lay.addWidget(_hint("Training runs in a separate Python with ftwizard[train]. None yet? "
                            "ftwizard runtime install --wheelhouse DIR installs one offline. "
                            "FTWIZARD_PYTHON, when set, overrides this choice."))
        self._check_gen = 0
        self.diagnostics: list = []
        self.check_runtimes()
        return box

    def _browse_interpreter(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Python interpreter that trains",
                                              self.train_python.text() or str(Path.home()))
        if path:
            self.train_python.setText(path)
            self.check_runtimes()

    def _browse_env(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Environment folder (venv or conda)",
                                                self.train_python.text() or str(Path.home()))
        if path:
            self.train_python.setText(path)
            self.check_runtimes()

    def _runtime_picked(self, item: QListWidgetItem) -> None:
        python = item.data(Qt.ItemDataRole.UserRole)
        self.train_python.setText(python or "")

    def check_runtimes(self) -> None:
        """List the candidates now (cheap), check each in a worker (`runtimes_checked` when done)."""
        from ftwizard.runtime.candidates import find_runtimes

        self._check_gen += 1
        gen = self._check_gen
        candidates = find_runtimes(self.train_python.text().strip() or None)
        self.runtimes.clear()
        auto = QListWidgetItem("Automatic: the first ready one below")
        auto.setData(Qt.ItemDataRole.UserRole, None)
        self.runtimes.addItem(auto)
        for c in candidates:
            item = QListWidgetItem(f"… {c.label}: {c.python} (checking)")
            item.setData(Qt.ItemDataRole.UserRole, c.python)
            self.runtimes.addItem(item)
        self.recheck.setEnabled(False)
        self.runtime_status.setText(f"Checking {len(candidates)} candidate(s)…" if candidates else
                                    "No candidate found: install one offline (ftwizard runtime install "
                                    "--wheelhouse DIR) or browse to an interpreter.")
        worker = workers.Worker(_diagnose_all, candidates)
        worker.signals.done.connect(lambda diags: self._checked(gen, diags))
        worker.signals.failed.connect(lambda msg: self._checked(gen, [], msg))
        workers.start(worker)

    def _checked(self, gen: int, diags: list, problem: str | None = None) -> None:
        if gen != self._check_gen:
            return  # an older check; a newer one is running
        self.diagnostics = diags
        self.recheck.setEnabled(True)
        for i, d in enumerate(diags, start=1):
            item = self.runtimes.item(i)
            if item is not None:
                item.setText(runtime_item_text(d))
        chosen = self.train_python.text().strip()
        ready = [d for d in diags if d.ready]
        if problem:
            self.runtime_status.setText(f"✘ check failed: {problem}")
        elif chosen:
            mine = diags[0] if diags and diags[0].source == "configured" else None
            self.runtime_status.setText(
                f"Training will use {mine.python}." if mine is not None and mine.ready else
                f"✘ {chosen} cannot train: {mine.problems[0] if mine and mine.problems else 'not found'}. "
                "Pick a ready one or Automatic.")
        elif ready:
            self.runtime_status.setText(f"Automatic: training will use {ready[0].python} ({ready[0].label}).")
        elif diags:
            self.runtime_status.setText("✘ None of these can train: install one offline (ftwizard runtime "
                                        "install --wheelhouse DIR) or browse to an interpreter.")
        self.runtimes_checked()

    def runtimes_checked(self) -> None:
        """Hook after each check (tests wait on `diagnostics`)."""

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for training runs", self.runs_dir.text())
        if folder:
            self.runs_dir.setText(folder)

    def _accept(self) -> None:
        import datetime as dt

        from pydantic import ValidationError

        currency, rate = self.currency.text().strip().upper(), self.rate.value()
        old = self._settings
        changed = (currency, rate) != (old.currency, old.usd_to_currency_rate)
        # The rate is typed by hand (no network): remember the day, so a plan can say how current it is.
        as_of = dt.date.today().isoformat() if changed else getattr(old, "usd_to_currency_rate_as_of", None)
        try:
            self._result = type(self._settings).model_validate(
                self._settings.model_dump()
                | {
                    "electricity_usd_per_kwh": self.electricity.value(),
                    "currency": currency,
                    "usd_to_currency_rate": rate,
                    "usd_to_currency_rate_as_of": as_of,
                    "runs_dir": self.runs_dir.text().strip() or None,
                    "train_python": self.train_python.text().strip() or None,
                }
            )
            chosen = self._result.train_python
            if chosen and not Path(chosen).expanduser().exists():
                self.error.setText(f"Training runtime: {chosen}: no such file or folder")
                self.error.show()
                return
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            self.error.setText(f"{err['loc'][0]}: {err['msg']}")
            self.error.show()
            return
        self.accept()

    def result_settings(self):
        return getattr(self, "_result", self._settings)



def _diagnose_all(candidates) -> list:
    from ftwizard.runtime.diagnosis import diagnose

    return [diagnose(c, timeout_s=60.0) for c in candidates]


def runtime_item_text(d) -> str:
    """One list row: where it came from, the path, and ready / its first problem, torch, GPUs."""
    head = f"{'✔' if d.ready else '✘'} {d.label}: {d.python}"
    if d.ready:
        gpus = ", ".join(f"{x.get('name')} ({x.get('memory_total_gib', 0):.0f} GiB)" for x in d.devices)
        body = f"ready: torch {d.torch_version} on {d.accelerator}" + (f", GPUs: {gpus}" if gpus else "")
        if d.warnings:
            body += f"; {d.warnings[0]}"
    else:
        body = "; ".join(d.problems[:2]) or "not ready"
    return f"{head}\n    {body}"
