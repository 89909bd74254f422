"""The Hardware page: the detected profile, a manual override, or "plan for cloud".

Detection runs in a worker (it may call nvidia-smi with a timeout); the UI never waits.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from ftwizard.base.units import mem_gib, profile_summary
from ftwizard.gui import workers
from ftwizard.gui.forms import QuestionPage, hint_label
from ftwizard.recommend.answers import GpuCount, HardwareAnswers
from ftwizard.recommend.hardware_options import local_only

MODES = ("detect", "local", "cloud")


def detect_hardware(catalog):
    from ftwizard.hardware.detect import detect

    return detect(catalog)


class HardwarePage(QuestionPage):
    page_id = "hardware"

    def __init__(self, catalog, detector=detect_hardware) -> None:
        super().__init__("Where will it train?", "The GPU's memory decides which techniques fit; "
                         "its speed and price decide time and cost.")
        self.catalog = catalog
        self.detector = detector
        self.profile = None
        self._detect_error: str | None = None
        self._worker: workers.Worker | None = None

        self.use_detected = QRadioButton("Use the hardware &detected on this computer")
        self.use_manual = QRadioButton("I will name the &GPUs (manual override)")
        self.use_cloud = QRadioButton("Plan for cl&oud GPUs (any priced option in the catalog)")
        self.mode = QButtonGroup(self)
        for i, button in enumerate((self.use_detected, self.use_manual, self.use_cloud)):
            self.mode.addButton(button, i)
        self.add_row("", self.use_detected,
                     "Ranks options that fit the cards found here; a card other programs use is "
                     "sized against its free memory.",
                     "detect", "Use detected hardware")
        self.status = QLabel("Detecting hardware…")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Detected hardware")
        self.redetect = QPushButton("Detect aga&in")
        self.redetect.clicked.connect(self.start_detection)
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.status, 1)
        row.addWidget(self.redetect)
        self.form.addRow("", row)

        self.add_row("", self.use_manual,
                     "For a machine you will train on later, or when detection cannot see the "
                     "cards (a container without drivers).", "local", "Name the GPUs manually")
        self.gpu = QComboBox()
        self.gpu.setAccessibleName("GPU model")
        for g in catalog.gpus:
            if g.memory_gb:
                self.gpu.addItem(f"{g.name} — {g.memory_gb:g} GB", g.id)
        self.count = QSpinBox()
        self.count.setRange(1, 64)
        self.count.setPrefix("× ")
        self.count.setAccessibleName("Number of GPUs")
        manual = QWidget()
        mrow = QHBoxLayout(manual)
        mrow.setContentsMargins(24, 0, 0, 0)
        mrow.addWidget(self.gpu, 1)
        mrow.addWidget(self.count)
        self.form.addRow("", manual)
        self.manual_box = manual

        self.add_row("", self.use_cloud,
                     "Compares every priced cloud GPU; prices carry their source and date.",
                     "cloud", "Plan for cloud GPUs")
        self.cloud_note = hint_label("")
        self.form.addRow("", self.cloud_note)

        self.mode.idToggled.connect(lambda *_: self._mode_changed())
        self.gpu.currentIndexChanged.connect(self.refresh)
        self.count.valueChanged.connect(self.refresh)

    # -- detection ---------------------------------------------------------------
    def start_detection(self) -> workers.Worker:
        if self._worker is not None:
            return self._worker
        self.profile, self._detect_error = None, None
        self.status.setText("Detecting hardware…")
        self.redetect.setEnabled(False)
        worker = workers.Worker(self.detector, self.catalog)
        worker.signals.done.connect(lambda p, w=worker: w is self._worker and self._on_profile(p))
        worker.signals.failed.connect(lambda m, w=worker: w is self._worker and self._on_failed(m))
        worker.signals.finished.connect(self._on_finished)
        self._worker = worker
        self.refresh()
        return workers.start(worker)

    def detecting(self) -> bool:
        return self._worker is not None

    def use_saved_profile(self, profile) -> None:
        """A saved plan's workstation, shown instead of this one's (Detect again replaces it)."""
        if self._worker is not None:
            self._worker.cancel()  # a detection still running must not overwrite it
            self._on_finished()
        self._on_profile(profile)
        self.status.setText(f"From the saved plan ({profile.os}): {self.status.text()}")

    def _on_profile(self, profile) -> None:
        self.profile = profile
        lines = [profile_summary(profile)]
        for g in profile.usable_gpus():
            if g.catalog_gpu_id is None:
                lines.append(f"{g.name}: not in the catalog ({g.catalog_note or 'no match'}).")
        facts = []
        if profile.ram_total_gib is not None:
            facts.append(f"{mem_gib(profile.ram_total_gib, 0)} RAM")
        if profile.runs_disk_free_gib is not None:
            facts.append(f"{mem_gib(profile.runs_disk_free_gib, 0)} free for runs")
        if facts:
            lines.append(", ".join(facts) + ".")
        self.status.setText("\n".join(lines))
        if self.mode.checkedId() != 1:
            self._preselect_detected()
        self._fallback_to_cloud()

    def _preselect_detected(self) -> None:
        """The manual override starts from the card found here, not the catalog's first."""
        found = [g.catalog_gpu_id for g in self.profile.usable_gpus() if g.catalog_gpu_id] if self.profile else []
        if found and self.gpu.findData(found[0]) >= 0:
            self.gpu.setCurrentIndex(self.gpu.findData(found[0]))

    def _fallback_to_cloud(self) -> None:
        """Nothing to train on here: cloud is the useful default, where it is allowed."""
        no_gpu = self.profile is not None and not self.profile.usable_gpus()
        if no_gpu and self.mode.checkedId() == 0 and self.use_cloud.isEnabled():
            self.use_cloud.setChecked(True)

    def _way_out(self) -> str:
        """What to do instead; cloud only where the Compliance page allows it."""
        return "name the GPUs or plan for cloud" if self.use_cloud.isEnabled() else "name the GPUs"

    def _on_failed(self, message: str) -> None:
        self._detect_error = message
        way = self._way_out()
        self.status.setText(f"Detection failed: {message}. {way[0].upper() + way[1:]}.")

    def _on_finished(self) -> None:
        self._worker = None
        self.redetect.setEnabled(True)
        self.refresh()

    # -- answers <-> widgets -----------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        """Cloud is refused for air-gapped sites only; regulated data may use cloud offers inside the
        data residency (recommend.hardware_options)."""
        wizard = self.wizard()
        answers = getattr(wizard, "answers", None)
        if answers is not None:
            self.set_local_only(local_only(answers), answers.compliance.air_gapped)

    def set_local_only(self, only_local: bool, air_gapped: bool = False) -> None:
        self.use_cloud.setEnabled(not only_local)
        if only_local:
            self.cloud_note.setText("Not available: the site is air-gapped (Compliance page).")
            if self.use_cloud.isChecked():
                self.use_detected.setChecked(True)
        else:
            self.cloud_note.setText("")
        self.refresh()

    def load(self, answers) -> None:
        hw = answers.hardware
        {"detect": self.use_detected, "local": self.use_manual, "cloud": self.use_cloud}[hw.mode].setChecked(True)
        if hw.gpus:
            entry = self.catalog.find_gpu(hw.gpus[0].name, hw.gpus[0].memory_gb)
            if entry is not None:
                self.gpu.setCurrentIndex(max(0, self.gpu.findData(entry.id)))
            self.count.setValue(hw.gpus[0].count)
        else:
            self._preselect_detected()
        self._fallback_to_cloud()
        self._mode_changed()

    def _mode_changed(self) -> None:
        self.manual_box.setEnabled(self.mode.checkedId() == 1)
        self.refresh()

    def _hardware(self) -> HardwareAnswers:
        mode = MODES[max(0, self.mode.checkedId())]
        gpus = [GpuCount(name=self.gpu.currentData(), count=self.count.value())] if mode == "local" else []
        return HardwareAnswers(mode=mode, gpus=gpus)

    def problems(self) -> dict[str, str]:
        mode = MODES[max(0, self.mode.checkedId())]
        if mode == "detect":
            if self._detect_error:
                return {"detect": f"detection failed; {self._way_out()}"}
            if self.profile is not None and not self.profile.usable_gpus():
                return {"detect": f"no GPU was found here; {self._way_out()}"}
        if mode == "local" and self.gpu.currentData() is None:
            return {"local": "pick a GPU"}
        return {}

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        waiting = self.mode.checkedId() == 0 and self.profile is None and self._detect_error is None
        return super().isComplete() and not waiting

    def apply(self, answers):
        return answers.model_copy(update={"hardware": self._hardware()})
