"""The results page shows, beside the selected plan's figures, that they are calibrated."""

from __future__ import annotations

from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.calibration import CalibrationRecord, CalibrationStore
from ftwizard.gui import workers
from ftwizard.gui.wizard import PAGE_ORDER, WizardWindow
from gui_support import click_next, rtx4090_workstation, wait_for_plan


def _record(method: str) -> CalibrationRecord:
    return CalibrationRecord(
        gpu_name="NVIDIA GeForce RTX 4090", gpu_id="rtx-4090", model_type="llama", params_b=8.03,
        hidden_size=4096, num_hidden_layers=32, method=method, seq_len=1024, micro_batch=1, grad_ckpt=True,
        optimizer="adamw", estimated_peak_gb=10.0, measured_peak_gb=11.5,
        estimated_tokens_per_s=2000.0, measured_tokens_per_s=1700.0,
    )


def test_the_selected_plans_details_say_from_how_many_runs_it_is_calibrated(qtbot):
    store = CalibrationStore()  # the default store under FTWIZARD_HOME, as after two finished runs
    for method in ("qlora", "lora", "full"):
        store.add(_record(method))
        store.add(_record(method))
    w = WizardWindow(detector=rtx4090_workstation, catalog=load_catalog())
    qtbot.addWidget(w)
    w.show()
    w.finish_setup()
    qtbot.waitUntil(lambda: not w.pages["hardware"].detecting(), timeout=20_000)
    try:
        while w.currentId() < PAGE_ORDER.index("results"):
            click_next(qtbot, w)
        plan = wait_for_plan(qtbot, w)
        results = w.pages["results"]
        chosen = plan.chosen
        assert chosen is not None and chosen.calibration.startswith("calibrated from 2 runs on this GPU")
        assert f"Memory and time are {chosen.calibration}." in results.details.toPlainText()
        results.table.selectRow(1)
        other = plan.recommendations[1]
        assert f"Memory and time are {other.calibration}." in results.details.toPlainText()
    finally:
        workers.wait_all(20_000)
