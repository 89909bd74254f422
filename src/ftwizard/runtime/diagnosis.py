"""What one candidate interpreter can do (`diagnose` -> `RuntimeDiagnostic`): the train
packages by their metadata in a fast subprocess, then torch and what it sees, and
bitsandbytes, through `ftwizard.hardware.runtime.runtime_check`. Nothing here imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ftwizard import __version__
from ftwizard.runtime.candidates import RuntimeCandidate, is_frozen_program

# The distributions `python -m ftwizard.train` needs besides torch (pyproject's `train` extra).
TRAIN_PACKAGES = ("transformers", "peft", "trl", "accelerate")


class RuntimeDiagnostic(BaseModel):
    """What one candidate interpreter can do, as `ftwizard runtime check --json` prints it."""

    schema_version: Literal[1] = 1
    python: str = Field(description="Interpreter path as found (not resolved).")
    source: str = Field(description="Why it was a candidate: configured, bundled, installed, ...")
    label: str
    ready: bool = Field(description="It can run `python -m ftwizard.train`.")
    problems: list[str] = Field(default_factory=list, description="Why it is not ready.")
    warnings: list[str] = Field(default_factory=list, description="Ready, but limited.")
    python_version: str | None = None
    ftwizard_version: str | None = None
    packages: dict[str, str | None] = Field(
        default_factory=dict, description="Train-extra distribution -> version, None if missing."
    )
    torch_version: str | None = None
    accelerator: Literal["cuda", "rocm", "mps", "cpu"] | None = Field(
        default=None, description="What torch trains on in that interpreter."
    )
    cuda_version: str | None = None
    devices: list[dict[str, Any]] = Field(default_factory=list)
    bitsandbytes_version: str | None = None
    bitsandbytes_ok: bool | None = None
    check_seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        """Plain lines for the GUI's runtime panel and the CLI."""
        head = "ready" if self.ready else "not ready"
        lines = [f"{self.label}: {head}", f"  Python     {self.python_version or '?'}  {self.python}"]
        if self.torch_version:
            gpus = ", ".join(f"{d.get('name')} ({d.get('memory_total_gib', 0):.0f} GiB)" for d in self.devices)
            acc = self.accelerator or "?"
            if self.cuda_version and acc == "cuda":
                acc = f"CUDA {self.cuda_version}"
            lines.append(f"  torch      {self.torch_version} on {acc}{': ' + gpus if gpus else ''}")
        if self.bitsandbytes_ok is not None:
            bnb = self.bitsandbytes_version if self.bitsandbytes_ok else "does not load"
            lines.append(f"  bitsandbytes {bnb}")
        pkgs = "  ".join(f"{k} {v or 'missing'}" for k, v in self.packages.items())
        if pkgs:
            lines.append(f"  packages   {pkgs}")
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  warning: {w}" for w in self.warnings]
        return lines


# Runs in the candidate; metadata only (no torch import), so it answers in well under a second.
_PACKAGES_MARKER = "FTWIZARD_RUNTIME_PACKAGES "
_PACKAGES_SCRIPT = r"""
import json, sys
import importlib.metadata as md
import importlib.util as iu
out = {"python_version": sys.version.split()[0], "packages": {}}
for name in NAMES:
    try:
        out["packages"][name] = md.version(name)
    except md.PackageNotFoundError:
        out["packages"][name] = None
try:
    out["ftwizard_train"] = iu.find_spec("ftwizard.train") is not None
except Exception:
    out["ftwizard_train"] = False
print(MARKER + json.dumps(out), flush=True)
""".replace("NAMES", repr(("ftwizard", "torch", *TRAIN_PACKAGES))).replace("MARKER", repr(_PACKAGES_MARKER))


def diagnose(candidate: RuntimeCandidate | str | Path, timeout_s: float = 60.0, *,
             quick: bool = False) -> RuntimeDiagnostic:
    """Check one interpreter: train packages, torch and what it sees, bitsandbytes. Never raises.

    Two subprocesses: a metadata probe (fast), then `ftwizard.hardware.runtime.runtime_check`
    (imports torch; up to `timeout_s`). `quick` stops after the first: ready then means every
    distribution is installed (torch by its metadata) and `ftwizard.train` is importable, which
    is what launching needs; whether torch imports and what it sees is the full check's.
    """
    import time

    from ftwizard.hardware.base import ProbeError, run_command
    from ftwizard.hardware.runtime import runtime_check

    if not isinstance(candidate, RuntimeCandidate):
        candidate = RuntimeCandidate(str(candidate), "configured", "given on the command line")
    t0 = time.perf_counter()
    diag = RuntimeDiagnostic(python=candidate.python, source=candidate.source,
                             label=candidate.label, ready=False)
    if not Path(candidate.python).is_file():
        diag.problems.append(f"{candidate.python}: no such interpreter")
        return diag
    if is_frozen_program(candidate.python):
        diag.problems.append(f"{candidate.python} is this installed program, not a Python: "
                             "name the runtime's interpreter instead")
        return diag
    try:
        res = run_command([candidate.python, "-c", _PACKAGES_SCRIPT], min(timeout_s, 30.0))
        line = next((x for x in res.stdout.splitlines() if x.startswith(_PACKAGES_MARKER)), None)
        if line is None:
            tail = (res.stderr.strip() or "no output").splitlines()[-1]
            raise ProbeError(f"{candidate.python} exited with {res.returncode}: {tail[:200]}")
        meta = json.loads(line[len(_PACKAGES_MARKER):])
    except ProbeError as exc:
        diag.problems.append(f"does not run: {exc}")
        diag.check_seconds = round(time.perf_counter() - t0, 3)
        return diag
    diag.python_version = meta["python_version"]
    diag.ftwizard_version = meta["packages"].pop("ftwizard")
    torch_dist = meta["packages"].pop("torch", None)
    diag.packages = meta["packages"]
    missing = [k for k, v in diag.packages.items() if v is None]
    if missing:
        diag.problems.append(f"missing {', '.join(missing)} (install the train extra)")
    if diag.ftwizard_version is None or not meta["ftwizard_train"]:
        diag.problems.append("ftwizard is not installed in it (pip install 'ftwizard[train]')")
    elif diag.ftwizard_version != __version__:
        diag.warnings.append(f"it has ftwizard {diag.ftwizard_version}, this program is {__version__}")
    if quick:
        diag.torch_version = torch_dist
        if torch_dist is None:
            diag.problems.append("torch is not installed in it")
        diag.ready = not diag.problems
        diag.check_seconds = round(time.perf_counter() - t0, 3)
        return diag

    report = runtime_check(candidate.python, timeout_s)
    diag.torch_version = report.get("torch_version")
    diag.cuda_version = report.get("cuda_version")
    diag.devices = list(report.get("devices") or [])
    diag.bitsandbytes_ok = report.get("bitsandbytes_ok")
    diag.bitsandbytes_version = report.get("bitsandbytes_version")
    if not report.get("ok"):
        diag.problems.append(report.get("error") or "torch check failed")
    else:
        diag.accelerator = _accelerator(report)
        if diag.accelerator == "cpu":
            diag.warnings.append("torch sees no GPU: training would run on the CPU, very slowly")
        if not diag.bitsandbytes_ok:
            why = (report.get("bitsandbytes_error") or "").splitlines()[:1]
            diag.warnings.append("bitsandbytes does not load: QLoRA (4-bit) is unavailable"
                                 + (f" ({why[0]})" if why else ""))
    diag.ready = not diag.problems
    diag.check_seconds = round(time.perf_counter() - t0, 3)
    return diag


def _accelerator(report: dict[str, Any]) -> Literal["cuda", "rocm", "mps", "cpu"]:
    if report.get("cuda_available"):
        return "rocm" if report.get("hip_version") else "cuda"
    return "mps" if report.get("mps_available") else "cpu"
