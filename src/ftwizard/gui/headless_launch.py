"""Start a run through the GUI's own code path, without a screen: the run monitor finds the
training runtime (ftwizard.runtime.rule.training_runtime), the set-up checks the model folder and
data, Start launches the runner, and the monitor follows it to the end. `ftwizard runtime
gui-launch` runs this (packaging/linux/e2e-train.sh checks an installed build with it).
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def gui_launch(model_dir: Path, data: Path, runs_dir: Path, *, max_steps: int = 3,
               timeout_s: float = 900.0, echo=print) -> int:
    """0 when the run finished with its adapter written; 1 otherwise (the reason is echoed)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ftwizard.gui import workers
    from ftwizard.gui.run_monitor import RunMonitor
    from ftwizard.gui.run_watch import ENDED
    from ftwizard.runs.config import RunConfig

    app = QApplication.instance() or QApplication([])
    base = RunConfig(model_dir=model_dir, data_path=data, output_dir=runs_dir / "unused", max_steps=max_steps,
                     seq_len=64, micro_batch=2, grad_accum=1, save_every=0, holdout_fraction=0.1,
                     lora_r=8, lora_alpha=16)
    monitor = RunMonitor(base_config=base, runs_dir=runs_dir)
    monitor.ask_on_close = lambda: "stop"
    monitor._confirm_tight = lambda message: True  # no one to answer a dialog

    def wait(done, what: str) -> bool:
        end = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > end:
                echo(f"gui launch: timed out waiting for {what}")
                return False
            app.processEvents()
            time.sleep(0.02)
        return True

    try:
        monitor.setup.set_paths(model_dir, data)
        if not wait(lambda: monitor.runtime is not None and monitor.setup.is_ready(), "the runtime check"):
            return 1
        echo(f"gui launch: runtime {monitor.setup.runtime_label.text()}")
        if not monitor.start_button.isEnabled():
            echo(f"gui launch: Start is off: {monitor.status.text()}")
            return 1
        monitor.start_button.click()
        if monitor.run_dir is None:
            echo(f"gui launch: nothing was launched: {monitor.status.text()}")
            return 1
        if not wait(lambda: monitor.state in ENDED, "the run to end"):
            return 1
        done = monitor.progress.done
        echo(f"gui launch: {monitor.state}: {monitor.status.text()}")
        if monitor.state != "finished" or done is None or not done.adapter_dir:
            echo(monitor.log_view.toPlainText()[-2000:])
            return 1
        adapter = Path(done.adapter_dir) / "adapter_model.safetensors"
        echo(f"gui launch: adapter {adapter} ({'present' if adapter.is_file() else 'MISSING'})")
        return 0 if adapter.is_file() else 1
    finally:
        monitor.timer.stop()
        workers.wait_all()
        monitor.close()
