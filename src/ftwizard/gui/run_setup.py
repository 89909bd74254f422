"""The run monitor's set-up panel: pick the local model folder and the dataset, see the
folder's checklist (config, tokenizer, weights, licence file) and the pre-flight sentence
("fits with 3.1 GB to spare" or why not). Hardware detection and the estimate run in workers.

It also shows the training runtime the run will use (ftwizard.runtime.rule.training_runtime, chosen
by the monitor) and offers Check it fits: `ftwizard train --probe` on these settings in that
runtime, measured peak memory and tokens/s beside the estimate, and the largest settings along
the runner's ladder that fit, which one click makes the run's settings.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ftwizard.catalog.model_folder_report import inspect_model_folder
from ftwizard.gui import workers
from ftwizard.gui.forms import buddy_label
from ftwizard.runs.config import RunConfig
from ftwizard.runs.model_match import plan_model_name, safe_check, truthful_config

CHECK_DELAY_MS = 300  # typing a path: check once the user pauses
MARK = {True: "✔", False: "✘", None: "⚠"}
METHOD_LABEL = {"qlora": "QLoRA", "lora": "LoRA", "full": "Full fine-tune"}


def run_folder_name(cfg: RunConfig, now: dt.datetime | None = None) -> str:
    """'20261128-133420-tiny-llama-qlora': sortable, and says what ran."""
    model = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(cfg.model_dir).name or "model").strip("-.")[:40] or "model"
    return f"{(now or dt.datetime.now()):%Y%m%d-%H%M%S}-{model}-{cfg.method}"


def _path_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    row = QWidget()
    lay = QHBoxLayout(row)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(edit, 1)
    lay.addWidget(button)
    return row


class RunSetup(QGroupBox):
    """`ready_changed(bool)`: both paths usable. `config()` builds the RunConfig to launch."""

    ready_changed = Signal(bool)
    preflight_done = Signal(object)  # runs.preflight.Preflight
    probe_done = Signal(object)  # runs.events.ProbeEvent, None when the probe failed

    def __init__(self, base_config: RunConfig, runs_dir: Path, *, catalog=None, hardware=None,
                 detector=None, parent: QWidget | None = None) -> None:
        super().__init__("Set-up", parent)
        self.base_config, self.runs_dir = base_config, Path(runs_dir)
        self.catalog, self.hardware, self._detector = catalog, hardware, detector
        self.folder_report = None
        self.preflight = None
        self._preflight_gen = 0
        self._detecting = False

        self.model_dir = QLineEdit()
        self.model_dir.setAccessibleName("Local model folder")
        self.model_dir.setPlaceholderText("Folder with config.json, tokenizer files and *.safetensors")
        self.model_browse = QPushButton("Bro&wse…")
        self.data_path = QLineEdit()
        self.data_path.setAccessibleName("Training data file")
        self.data_path.setPlaceholderText("JSONL file: chat messages or instruction rows")
        self.data_browse = QPushButton("Brows&e…")
        self.checklist = QLabel()
        self.checklist.setAccessibleName("Model folder checks")
        self.checklist.setTextFormat(Qt.TextFormat.PlainText)
        self.checklist.setWordWrap(True)
        self.data_note = QLabel()
        self.data_note.setAccessibleName("Training data check")
        self.data_note.setWordWrap(True)
        self.preflight_label = QLabel("Pick the model folder to check whether the run fits.")
        self.preflight_label.setAccessibleName("Pre-flight check")
        self.preflight_label.setWordWrap(True)
        self.settings_label = QLabel(self._settings_text())
        self.settings_label.setAccessibleName("Run settings")
        self.settings_label.setWordWrap(True)
        self.runtime = None  # ftwizard.runtime.rule.TrainingRuntime, set by the monitor
        self.runtime_label = QLabel("Looking for the Python that trains…")
        self.runtime_label.setAccessibleName("Training runtime")
        self.runtime_label.setWordWrap(True)
        self.runtime_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fit_button = QPushButton("Check it &fits")
        self.fit_button.setToolTip("Train a few real steps at the data's longest sequence in the training "
                                   "runtime: measured memory and speed beside the estimate (writes nothing)")
        self.fit_button.setEnabled(False)
        self.fit_apply = QPushButton("Use the &largest that fits")
        self.fit_apply.hide()
        self.fit_label = QLabel()
        self.fit_label.setAccessibleName("Fit check result")
        self.fit_label.setTextFormat(Qt.TextFormat.PlainText)
        self.fit_label.setWordWrap(True)
        self.fit_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.probe = None  # the last ProbeEvent
        self._probing = False

        form = QFormLayout(self)
        form.addRow(buddy_label("&Model folder:", self.model_dir), _path_row(self.model_dir, self.model_browse))
        form.addRow("", self.checklist)
        form.addRow(buddy_label("&Data:", self.data_path), _path_row(self.data_path, self.data_browse))
        form.addRow("", self.data_note)
        form.addRow("Settings:", self.settings_label)
        form.addRow("Pre-flight:", self.preflight_label)
        form.addRow("Runtime:", self.runtime_label)
        fit_row = QWidget()
        fit_lay = QHBoxLayout(fit_row)
        fit_lay.setContentsMargins(0, 0, 0, 0)
        fit_lay.addWidget(self.fit_button)
        fit_lay.addWidget(self.fit_apply)
        fit_lay.addStretch(1)
        form.addRow("Fit check:", fit_row)
        form.addRow("", self.fit_label)
        self.fit_button.clicked.connect(self.check_fit)
        self.fit_apply.clicked.connect(self.apply_probe)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)
        self.model_dir.textChanged.connect(self._timer.start)
        self.data_path.textChanged.connect(self._timer.start)
        self.model_browse.clicked.connect(self._pick_model)
        self.data_browse.clicked.connect(self._pick_data)

    # -- what the user picks ----------------------------------------------------------------
    def _settings_text(self) -> str:
        c = self.base_config
        steps = f"{c.max_steps} steps" if c.max_steps else f"{c.epochs:g} epoch(s)"
        lora = f", LoRA rank {c.lora_r}" if c.uses_lora else ""
        plan = f"the plan's model, {plan_model_name(c.catalog_model_id, self.catalog)}: " if c.catalog_model_id else ""
        return (f"{plan}{METHOD_LABEL[c.method]} ({c.objective.upper()}){lora}, "
                f"learning rate {c.learning_rate:g}, {steps}, sequence length {c.seq_len:,}, "
                f"batch {c.micro_batch} × {c.grad_accum}")

    def _pick_model(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Local model folder", self.model_dir.text() or str(Path.home()))
        if path:
            self.model_dir.setText(path)

    def _pick_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Training data", self.data_path.text() or str(Path.home()),
                                              "JSON lines (*.jsonl *.json);;All files (*)")
        if path:
            self.data_path.setText(path)

    def set_paths(self, model_dir: Path | None, data_path: Path | None) -> None:
        if model_dir is not None:
            self.model_dir.setText(str(model_dir))
        if data_path is not None:
            self.data_path.setText(str(data_path))
        self.check()

    # -- checks --------------------------------------------------------------------------------
    def check(self) -> None:
        self._timer.stop()
        text = self.model_dir.text().strip()
        self.folder_report = None
        if text:
            c = self.base_config
            self.folder_report = inspect_model_folder(Path(text), c.trust_remote_code, c.allow_pickle_weights)
            self.checklist.setText("\n".join(f"{MARK[ok]} {line}" for ok, line in self.folder_report.checklist()))
        else:
            self.checklist.setText("")
        data = self.data_path.text().strip()
        self.data_note.setText(self._data_problem(Path(data).expanduser()) or "" if data else "")
        self._update_fit_button()
        self.ready_changed.emit(self.is_ready())
        if self.folder_report is not None and self.folder_report.ok:
            self.run_preflight()
        else:
            self.preflight_label.setText("Pick a usable model folder to check whether the run fits.")

    @staticmethod
    def _data_problem(path: Path) -> str | None:
        if not path.is_file():
            return f"✘ {path}: no such file"
        size = path.stat().st_size
        return f"✔ {path.name}: {size / 1e6:.1f} MB" if size >= 1e5 else f"✔ {path.name}: {size / 1e3:.1f} kB"

    def is_ready(self) -> bool:
        data = self.data_path.text().strip()
        return bool(self.folder_report and self.folder_report.ok and data and Path(data).expanduser().is_file())

    def run_preflight(self) -> None:
        """Detect the hardware once (worker), then estimate this run against it (worker)."""
        if self.hardware is None and self._detector is not None:
            if not self._detecting:
                self._detecting = True
                self.preflight_label.setText("Detecting the GPU…")
                worker = workers.Worker(self._detector, self.catalog)
                worker.signals.done.connect(self._detected)
                worker.signals.failed.connect(lambda msg: self._detected(None, msg))
                workers.start(worker)
            return
        from ftwizard.runs.preflight import preflight

        self._preflight_gen += 1
        gen = self._preflight_gen
        cfg = self.base_config.model_copy(update={"model_dir": Path(self.model_dir.text().strip()).expanduser()})
        self.preflight_label.setText("Estimating memory…")
        worker = workers.Worker(preflight, cfg, self.hardware, self._catalog())
        worker.signals.done.connect(lambda p: gen == self._preflight_gen and self._show_preflight(p))
        worker.signals.failed.connect(lambda msg: gen == self._preflight_gen and self.preflight_label.setText(msg))
        workers.start(worker)

    def _detected(self, profile, problem: str | None = None) -> None:
        self._detecting = False
        self._detector = None  # once per window; a failure is said, not retried in a loop
        self.hardware = profile
        if problem:
            self.preflight_label.setText(f"Hardware detection failed: {problem}")
        if self.folder_report is not None and self.folder_report.ok:
            self.run_preflight()

    def _catalog(self):
        if self.catalog is None:
            from ftwizard.catalog.store import load_catalog

            self.catalog = load_catalog()
        return self.catalog

    def _show_preflight(self, result) -> None:
        self.preflight = result
        mark = MARK[result.fits] if result.fits is not None else "ℹ"
        self.preflight_label.setText(f"{mark} {result.message}")
        self.preflight_done.emit(result)

    # -- the run --------------------------------------------------------------------------------
    def config(self, now: dt.datetime | None = None) -> RunConfig:
        """The run to launch: the plan's settings with the user's paths and a fresh run folder."""
        holdout = self.base_config.holdout_path  # a plan's placeholder (relative) is no file
        cfg = self.base_config.model_copy(update={
            "model_dir": Path(self.model_dir.text().strip()).expanduser().resolve(),
            "data_path": Path(self.data_path.text().strip()).expanduser().resolve(),
            "holdout_path": holdout if holdout is not None and holdout.is_absolute() else None,
            "resume": False,
        })
        # The prediction for this machine; a plan's is for the card it planned on (kept if no check ran).
        estimate = self.preflight.run_estimate() if self.preflight is not None else cfg.estimate
        # A folder that is not the plan's model runs as what it is: history and manifest name the folder.
        cfg = truthful_config(cfg, safe_check(cfg.model_dir, cfg.catalog_model_id, self._catalog()))
        return cfg.model_copy(update={"output_dir": self.runs_dir / run_folder_name(cfg, now), "estimate": estimate})

    def set_locked(self, locked: bool) -> None:
        """While a run is on, its paths stay as they are."""
        self._locked = locked
        for w in (self.model_dir, self.model_browse, self.data_path, self.data_browse):
            w.setEnabled(not locked)
        self._update_fit_button()

    # -- the training runtime and Check it fits ---------------------------------------------------
    def set_runtime(self, runtime) -> None:
        """Show the interpreter the run will use (or why there is none)."""
        self.runtime = runtime
        self.runtime_label.setText(runtime.describe())
        self._update_fit_button()

    def _update_fit_button(self) -> None:
        ok = (self.is_ready() and self.runtime is not None and self.runtime.ready and not self._probing
              and not getattr(self, "_locked", False))
        self.fit_button.setEnabled(ok)

    def check_fit(self) -> None:
        """Run the probe on these settings in the training runtime (worker); see _probed."""
        from ftwizard.runtime.probe import run_probe

        if not self.fit_button.isEnabled():
            return
        self._probing = True
        self._update_fit_button()
        self.fit_apply.hide()
        self.fit_label.setText(f"Probing in {self.runtime.python}: a few real steps at the data's longest "
                               "sequence (a minute or two on a GPU, longer on a CPU)…")
        worker = workers.Worker(run_probe, self.config(), self.runtime.python)
        worker.signals.done.connect(self._probed)
        worker.signals.failed.connect(self._probe_failed)
        workers.start(worker)

    def _probed(self, probe) -> None:
        from ftwizard.runs.event_text import human

        self._probing = False
        self.probe = probe
        self.fit_label.setText(human(probe))
        self.fit_apply.setVisible(probe.config is not None and not probe.fits)
        self._update_fit_button()
        self.probe_done.emit(probe)

    def _probe_failed(self, message: str) -> None:
        self._probing = False
        self.probe = None
        self.fit_label.setText(f"✘ {message}")
        self._update_fit_button()
        self.probe_done.emit(None)

    def apply_probe(self) -> None:
        """Make the largest settings the probe found to fit the run's settings."""
        if self.probe is None or self.probe.config is None:
            return
        c = self.probe.config
        self.base_config = self.base_config.model_copy(update={
            "micro_batch": c.micro_batch, "grad_accum": c.grad_accum, "seq_len": c.seq_len,
            "grad_ckpt": c.grad_ckpt, "optimizer": c.optimizer})
        self.settings_label.setText(self._settings_text())
        self.fit_apply.hide()
        self.fit_label.setText(self.fit_label.text() + "\nThe run now uses these settings.")
        if self.folder_report is not None and self.folder_report.ok:
            self.run_preflight()  # the estimate for the new settings
