"""Shared pieces of the GUI tests: a fixed workstation, typing like a user, waiting."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from ftwizard.hardware.profile import BackendAttempt, CpuInfo, GpuInfo, HardwareProfile


def rtx4090_workstation(catalog=None) -> HardwareProfile:
    """What detection reports on a desktop with one RTX 4090 (24 GB)."""
    return HardwareProfile(
        detected_at=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC),
        os="Linux 6.8.0 x86_64",
        os_system="Linux",
        cpu=CpuInfo(model="test CPU", logical_cores=16, physical_cores=8, usable_cores=16),
        ram_total_gib=64.0,
        ram_available_gib=60.0,
        runs_disk_free_gib=500.0,
        gpus=[GpuInfo(index=0, vendor="nvidia", name="NVIDIA GeForce RTX 4090", backend="nvml",
                      memory_total_gib=23.99, memory_free_gib=23.5, compute_capability="8.9",
                      bf16_supported=True, catalog_gpu_id="rtx-4090")],
        backends=[BackendAttempt(backend="nvml", status="ok", seconds=0.01, gpus_found=1)],
    )


def cpu_only_workstation(catalog=None) -> HardwareProfile:
    return rtx4090_workstation().model_copy(update={"gpus": []})


def type_into(qtbot, widget, text: str) -> None:
    """Replace the field's text by typing, as a user does after selecting it."""
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    if text:
        qtbot.keyClicks(widget, text)


def press(qtbot, button) -> None:
    """Check a box or pick a radio button with the keyboard (Space), as a user tabbing does."""
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def click_next(qtbot, wizard) -> None:
    button = wizard.button(QWizard.WizardButton.NextButton)
    assert button.isEnabled(), f"Next is disabled on {type(wizard.currentPage()).__name__}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def next_enabled(wizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def wait_for_plan(qtbot, wizard, previous=None):
    """Until a new plan is shown, or ranking failed (then say why)."""
    results = wizard.pages["results"]

    def settled():
        failed = results.advice.text().startswith("<b>No plan could be made.</b>")
        fresh = results.plan is not None and results.plan is not previous
        return failed or (fresh and results.status.text() != "Ranking…")

    qtbot.waitUntil(settled, timeout=20_000)
    assert results.plan is not None, results.advice.text()
    return results.plan
