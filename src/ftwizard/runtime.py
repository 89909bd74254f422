"""Find a Python interpreter that can train (the `train` extra) and say what it can do.

The GUI and the installed program carry no torch: training runs in another interpreter, the
"runtime". Candidates, in the order they are preferred: the path configured in Settings, a
venv bundled next to the installed program, the one `ftwizard runtime install` made, this
interpreter when torch is installed in it, conda environments, virtualenvwrapper's.
Each is checked in a subprocess with a timeout; nothing here imports torch.

One rule picks the interpreter that trains, for every way of starting a run (the GUI's Start
and Check it fits, `ftwizard train` and `--probe`, `ftwizard doctor`, `ftwizard runtime
check`): `training_runtime()`. The configured one (FTWIZARD_PYTHON, as in the exported cluster
recipes, else Settings' `train_python`) when set, and only it; else the first *ready* candidate
in the order above. Never the installed program itself (`sys.executable` of the frozen build:
it has no `-m ftwizard.train`). When none is ready, the answer carries a message that names
the fix instead of an interpreter.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from ftwizard import __version__

# The distributions `python -m ftwizard.train` needs besides torch (pyproject's `train` extra).
TRAIN_PACKAGES = ("transformers", "peft", "trl", "accelerate")

Source = Literal["configured", "bundled", "installed", "current", "conda", "virtualenv"]


@dataclass(frozen=True)
class RuntimeCandidate:
    """An interpreter that may train; `diagnose` says whether it can."""

    python: str
    source: Source
    label: str


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


def venv_python(env_dir: Path) -> Path:
    """The interpreter of a venv or conda environment folder, on this OS."""
    if os.name == "nt":
        for rel in ("Scripts/python.exe", "python.exe"):
            if (env_dir / rel).exists():
                return env_dir / rel
        return env_dir / "Scripts" / "python.exe"
    return env_dir / "bin" / "python"


def install_dir() -> Path | None:
    """The installed program's folder (PyInstaller build), or None when run from Python."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def default_runtime_dir() -> Path:
    """Where `ftwizard runtime install` puts the venv unless told otherwise."""
    from ftwizard.base.paths import data_dir

    return data_dir() / "runtime"


def configured_python(settings: Any = None) -> str | None:
    """The interpreter the user chose: FTWIZARD_PYTHON (as in the exported cluster recipes),
    else `settings.train_python` when a Settings object is given, else the saved Settings'."""
    env = os.environ.get("FTWIZARD_PYTHON")
    if env:
        return env
    if settings is not None:
        return getattr(settings, "train_python", None) or None
    from ftwizard.base.paths import config_dir

    try:
        data = json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("train_python") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def find_runtimes(
    configured: str | None = None,
    *,
    home: Path | None = None,
    environ: dict[str, str] | None = None,
    bundle_dir: Path | None = None,
    include_current: bool | None = None,
) -> list[RuntimeCandidate]:
    """Interpreters that may train, best first; existing ones only, except `configured`.

    `configured` may be an interpreter or an environment folder; it is listed even when it
    does not exist so the user is told so. `home`, `environ`, `bundle_dir` and
    `include_current` default to this machine and process (tests pass their own).
    """
    home = home or Path.home()
    environ = dict(os.environ) if environ is None else environ
    bundle_dir = bundle_dir if bundle_dir is not None else install_dir()
    found: list[RuntimeCandidate] = []
    seen: set[str] = set()

    def add(python: Path, source: Source, label: str, must_exist: bool = True) -> None:
        key = os.path.normcase(os.path.abspath(python))
        if key in seen or (must_exist and not python.is_file()):
            return
        seen.add(key)
        found.append(RuntimeCandidate(str(python), source, label))

    if configured:
        path = Path(configured).expanduser()
        by_env = configured == environ.get("FTWIZARD_PYTHON")
        add(venv_python(path) if path.is_dir() else path, "configured",
            "named by FTWIZARD_PYTHON" if by_env else "configured in Settings", must_exist=False)
    if bundle_dir is not None:
        add(venv_python(bundle_dir / "runtime"), "bundled", "bundled with ftwizard")
    add(venv_python(default_runtime_dir()), "installed", "installed by `ftwizard runtime install`")
    if include_current is None:
        include_current = not getattr(sys, "frozen", False) and find_spec("torch") is not None
    if include_current:
        add(Path(sys.executable), "current", "this Python")
    for env_dir in _conda_envs(home, environ):
        add(venv_python(env_dir), "conda", f"conda env '{env_dir.name}'")
    for base in (home / ".virtualenvs",):
        for env_dir in _subdirs(base):
            add(venv_python(env_dir), "virtualenv", f"virtualenv '{env_dir.name}'")
    if environ.get("VIRTUAL_ENV"):
        env_dir = Path(environ["VIRTUAL_ENV"])
        add(venv_python(env_dir), "virtualenv", f"active virtualenv '{env_dir.name}'")
    return found


def _subdirs(base: Path) -> list[Path]:
    try:
        return sorted(p for p in base.iterdir() if p.is_dir())
    except OSError:
        return []


def _conda_envs(home: Path, environ: dict[str, str]) -> list[Path]:
    """CONDA_PREFIX first, then the usual install folders, then conda's own list of envs."""
    envs: list[Path] = []
    if environ.get("CONDA_PREFIX"):
        envs.append(Path(environ["CONDA_PREFIX"]))
    for root in ("miniconda3", "anaconda3", "miniforge3", "mambaforge"):
        envs += _subdirs(home / root / "envs")
    try:  # conda records every env it creates here, wherever it lives
        lines = (home / ".conda" / "environments.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    envs += [Path(x.strip()) for x in lines if x.strip()]
    return envs


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


def is_frozen_program(python: str | Path) -> bool:
    """True when `python` is the installed (PyInstaller) program itself."""
    if not getattr(sys, "frozen", False):
        return False
    try:
        return os.path.samefile(python, sys.executable)
    except OSError:
        return os.path.normcase(os.path.abspath(python)) == os.path.normcase(os.path.abspath(sys.executable))


# What the user can do when nothing can train; every message about it ends with this.
NO_RUNTIME_FIX = ("install one offline with `ftwizard runtime install --wheelhouse DIR`, or pick an "
                  "interpreter that has ftwizard[train] in Settings > Training runtime "
                  "(or set FTWIZARD_PYTHON)")


@dataclass(frozen=True)
class TrainingRuntime:
    """The answer of the rule: the interpreter that trains, or why there is none."""

    python: str | None
    diagnostic: RuntimeDiagnostic | None = None  # the chosen one's, or the configured one's that failed
    problem: str | None = None  # set exactly when python is None; names the fix
    checked: tuple[RuntimeDiagnostic, ...] = ()

    @property
    def ready(self) -> bool:
        return self.python is not None

    def describe(self) -> str:
        """One line for the run page and the CLI: which interpreter, or why none."""
        if self.python is None:
            return f"✘ {self.problem}"
        d = self.diagnostic
        extra = ""
        if d is not None:
            extra = f", {d.label}" + (f", Python {d.python_version}" if d.python_version else "")
            extra += f", torch {d.torch_version}" if d.torch_version else ""
            if d.accelerator:
                gpus = ", ".join(str(x.get("name")) for x in d.devices)
                extra += f" on {d.accelerator}" + (f" ({gpus})" if gpus else "")
        return f"✔ {self.python}{extra}"


def training_runtime(configured: str | None = None, *, settings: Any = None, full: bool = False,
                     timeout_s: float = 60.0,
                     candidates: list[RuntimeCandidate] | None = None) -> TrainingRuntime:
    """The interpreter that trains; THE rule (module docstring). Never raises.

    `configured` defaults to `configured_python(settings)`. A configured interpreter is the
    only one considered: if it cannot train the answer says so (a choice is not overridden
    silently). Otherwise the candidates are checked in order and the first ready one wins.
    `full` runs the torch check too (seconds per candidate); the default quick check is what
    a click can afford. `candidates` replaces `find_runtimes` (tests).
    """
    if configured is None:
        configured = configured_python(settings)
    found = candidates if candidates is not None else find_runtimes(configured)
    checked: list[RuntimeDiagnostic] = []
    for candidate in found:
        if candidate.source != "configured" and is_frozen_program(candidate.python):
            continue
        diag = diagnose(candidate, timeout_s, quick=not full)
        checked.append(diag)
        if diag.ready:
            return TrainingRuntime(candidate.python, diag, None, tuple(checked))
        if candidate.source == "configured":
            why = diag.problems[0] if diag.problems else "not ready"
            return TrainingRuntime(None, diag, f"The training runtime you chose, {candidate.python}, "
                                   f"cannot train ({why}). Fix it, or {NO_RUNTIME_FIX}.", tuple(checked))
    if not checked:
        problem = f"No Python that can train was found on this machine: {NO_RUNTIME_FIX}."
    else:
        seen = "; ".join(f"{d.python}: {d.problems[0] if d.problems else 'not ready'}" for d in checked[:3])
        problem = f"None of the {len(checked)} Pythons found can train ({seen}): {NO_RUNTIME_FIX}."
    return TrainingRuntime(None, None, problem, tuple(checked))


def require_training_python(configured: str | None = None, *, settings: Any = None) -> str:
    """`training_runtime(...).python`, or a FtwizardError (exit 2) that names the fix."""
    rt = training_runtime(configured, settings=settings)
    if rt.python is None:
        from ftwizard.base.errors import FtwizardError

        raise FtwizardError(rt.problem or "no training runtime")
    return rt.python



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
