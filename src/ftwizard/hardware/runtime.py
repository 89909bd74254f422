"""What the training interpreter's torch can see, asked in a subprocess with a timeout.

The GUI never imports torch (a window in about a second); `ftwizard doctor` and the GUI's
runtime diagnostic call `runtime_check(python_exe)` for the interpreter that will train.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from ftwizard.hardware.base import ProbeError, run_command

MARKER = "FTWIZARD_RUNTIME_CHECK "

# Runs in the training interpreter; prints one marked JSON line (libraries may print too).
SCRIPT = r"""
import json, sys
out = {"python_version": sys.version.split()[0]}
try:
    import torch
    out["torch_version"] = torch.__version__
    out["cuda_available"] = bool(torch.cuda.is_available())
    out["cuda_version"] = torch.version.cuda
    out["hip_version"] = getattr(torch.version, "hip", None)
    devices = []
    if out["cuda_available"]:
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            devices.append({"index": i, "name": p.name, "memory_total_gib": p.total_memory / 2**30,
                            "compute_capability": f"{p.major}.{p.minor}"})
        try:
            out["bf16_supported"] = bool(torch.cuda.is_bf16_supported(including_emulation=False))
        except TypeError:
            out["bf16_supported"] = bool(torch.cuda.is_bf16_supported())
    else:
        out["bf16_supported"] = None
    out["devices"] = devices
    mps = getattr(torch.backends, "mps", None)
    out["mps_available"] = bool(mps is not None and mps.is_available())
except Exception as exc:
    out["torch_error"] = f"{type(exc).__name__}: {exc}"[:300]
try:
    import bitsandbytes
    out["bitsandbytes_ok"] = True
    out["bitsandbytes_version"] = getattr(bitsandbytes, "__version__", None)
except Exception as exc:
    out["bitsandbytes_ok"] = False
    out["bitsandbytes_error"] = f"{type(exc).__name__}: {exc}"[:300]
print("@MARKER@" + json.dumps(out), flush=True)
""".replace("@MARKER@", MARKER)


def runtime_check(python_exe: str | None = None, timeout_s: float = 60.0) -> dict[str, Any]:
    """Ask `python_exe` (default: this interpreter) what its torch and bitsandbytes can do.

    Returns a dict: ok, python, seconds, error (None when ok) and, when torch imported,
    torch_version, cuda_available, cuda_version, hip_version, devices (index, name,
    memory_total_gib, compute_capability), bf16_supported, mps_available; and
    bitsandbytes_ok with bitsandbytes_version or bitsandbytes_error. Never raises.
    """
    exe = python_exe or sys.executable
    t0 = time.perf_counter()
    report: dict[str, Any] = {"ok": False, "python": exe, "error": None}
    try:
        res = run_command([exe, "-c", SCRIPT], timeout_s)
    except ProbeError as exc:
        report["error"] = str(exc)
    else:
        line = next((x for x in reversed(res.stdout.splitlines()) if x.startswith(MARKER)), None)
        if line is None:
            tail = (res.stderr.strip() or res.stdout.strip() or "no output").splitlines()[-1]
            report["error"] = f"{exe} exited with {res.returncode}: {tail[:300]}"
        else:
            report.update(json.loads(line[len(MARKER):]))
            report["ok"] = "torch_error" not in report
            if not report["ok"]:
                report["error"] = f"torch does not import: {report['torch_error']}"
    report["seconds"] = round(time.perf_counter() - t0, 3)
    return report
