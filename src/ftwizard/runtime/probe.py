"""`ftwizard train --probe` in a training runtime, for the GUI's Check it fits: the probe
event, or the runner's own error."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def run_probe(cfg: Any, python: str, *, timeout_s: float = 1800.0) -> Any:
    """`ftwizard train --probe` on `cfg` in `python` (the GUI's Check it fits); the probe event
    (runs.events.ProbeEvent: measured beside estimated, the largest settings that fit).

    The runner gets a throw-away output folder (a probe writes nothing there). Raises
    FtwizardError with the runner's own message when it ends with an error event, or with the
    last lines it printed when it dies without one.
    """
    import shutil
    import subprocess
    import tempfile

    from ftwizard.base.errors import FtwizardError
    from ftwizard.base.offline import child_env
    from ftwizard.runs.config import write_run_config
    from ftwizard.runs.events import ErrorEvent, ProbeEvent, parse_event

    scratch = Path(tempfile.mkdtemp(prefix="ftwizard-probe-"))  # 0700
    try:
        probe_cfg = cfg.model_copy(update={"probe": True, "resume": False, "output_dir": scratch / "run"})
        cfg_file = scratch / "run_config.json"
        write_run_config(cfg_file, probe_cfg)
        try:
            proc = subprocess.run([python, "-m", "ftwizard.train", str(cfg_file)], capture_output=True,
                                  text=True, encoding="utf-8", errors="replace", timeout=timeout_s,
                                  stdin=subprocess.DEVNULL, env=child_env())
        except subprocess.TimeoutExpired:
            raise FtwizardError(f"the probe did not finish within {timeout_s:g} s") from None
        except OSError as exc:
            raise FtwizardError(f"{python}: cannot start the training runner ({exc.strerror})") from None
        events = [e for e in map(parse_event, proc.stdout.splitlines()) if e is not None]
        probe = next((e for e in events if isinstance(e, ProbeEvent)), None)
        if probe is not None:
            return probe
        error = next((e for e in events if isinstance(e, ErrorEvent)), None)
        if error is not None:
            raise FtwizardError(f"the probe failed ({error.kind}): {error.message}"
                                + (f" {error.suggestion}" if error.suggestion else ""))
        tail = (proc.stderr.strip() or "no output").splitlines()[-1][:300]
        raise FtwizardError(f"the probe runner exited with code {proc.returncode} without a result: {tail}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
