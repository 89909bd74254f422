"""`ftwizard doctor [--json] [--no-runtime] [--runtime-python PY] [--timeout S]`: the facts a
support ticket needs (versions, folders, training interpreter, GPUs), and nothing else.

It never opens a dataset, the autosaved answers or a plan: their contents (which may
describe regulated work) cannot end up in a ticket. It reports whether state files exist
and their size, so "resume was not offered" can still be diagnosed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ftwizard.cli.common import add_json_flag, print_json

NETWORK_POLICY = (
    "ftwizard makes no network connections: no update checks, no telemetry, no downloads; "
    "the training runner sets HF_HUB_OFFLINE=1, TRANSFORMERS_OFFLINE=1, HF_DATASETS_OFFLINE=1 "
    "and HF_HUB_DISABLE_TELEMETRY=1 before loading any Hugging Face library"
)
# Distributions whose versions decide how the program behaves (GUI, formats, detection).
PACKAGES = ("PySide6-Essentials", "PySide6", "pydantic", "platformdirs", "pyqtgraph", "nvidia-ml-py")
GIB = 2**30


class FolderStatus(BaseModel):
    name: Literal["data", "config", "logs", "runs"]
    path: str
    writable: bool
    free_disk_gib: float | None = Field(default=None, description="Free space on its file system, GiB.")
    problem: str | None = None


class StateFile(BaseModel):
    """A file the program keeps; its contents are never read here."""

    name: str
    path: str
    exists: bool
    size_bytes: int | None = None


class RuntimeStatus(BaseModel):
    """The interpreter that will train (the `train` extra), checked in a subprocess."""

    python: str
    ready: bool
    python_version: str | None = None
    torch_version: str | None = None
    accelerator: str | None = None
    devices: list[str] = Field(default_factory=list)
    bitsandbytes: str | None = Field(default=None, description="Version, or why it does not load.")
    problems: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    other_candidates: list[str] = Field(default_factory=list, description="Found, not checked.")


class DoctorReport(BaseModel):
    """What `ftwizard doctor --json` prints: attach it to a support ticket."""

    schema_version: Literal[1] = 1
    created_at: dt.datetime
    ftwizard_version: str
    python_version: str
    python_executable: str
    os: str
    machine: str
    packages: dict[str, str | None] = Field(description="Distribution -> version, None if missing.")
    catalog_version: str | None = None
    catalog_as_of: dt.date | None = None
    catalog_problem: str | None = None
    folders: list[FolderStatus]
    state_files: list[StateFile]
    runtime: RuntimeStatus | None = Field(default=None, description="None with --no-runtime.")
    runtime_problem: str | None = None
    gpu_summary: str | None = None
    gpus: list[str] = Field(default_factory=list, description="One line per device as detected.")
    detection: list[str] = Field(default_factory=list, description="Each backend tried, its status and reason.")
    network_policy: str = NETWORK_POLICY


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "doctor",
        help="report versions, folders, the training interpreter and GPUs for a support ticket",
        description="Report the environment for a support ticket: versions, ftwizard's folders "
        "(writable, free disk), the training interpreter and the GPUs. Never reads a dataset, "
        "the autosaved answers or a plan.",
    )
    p.add_argument("--no-runtime", action="store_true",
                   help="skip checking the training interpreter (it imports torch: seconds)")
    p.add_argument("--runtime-python", metavar="PY", help="check this interpreter instead of the one found")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S",
                   help="seconds the interpreter check may take (default 60); GPU tools get 3")
    add_json_flag(p)
    return p


def _package_versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _writable(folder: Path) -> str | None:
    """None if a file can be created in `folder`, else why not."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ftwizard-doctor-"):
            pass
    except OSError as exc:
        return f"not writable ({exc.strerror})"
    return None


def _folder(name, make) -> FolderStatus:
    try:
        path = make()
    except OSError as exc:  # FTWIZARD_HOME on a read-only share, a file where a folder should be
        where = exc.filename or "?"
        return FolderStatus(name=name, path=str(where), writable=False,
                            problem=f"cannot create ({exc.strerror})")
    problem = _writable(path)
    try:
        free = round(shutil.disk_usage(path).free / GIB, 1)
    except OSError:
        free = None
    return FolderStatus(name=name, path=str(path), writable=problem is None, free_disk_gib=free, problem=problem)


def _runs_dir() -> Path:
    """The Settings' runs folder if one is set, else the default."""
    from ftwizard.base.errors import FtwizardError
    from ftwizard.base.jsonio import load_model
    from ftwizard.base.paths import config_dir, default_runs_dir
    from ftwizard.base.settings import Settings

    settings = config_dir() / "settings.json"
    if settings.is_file():
        try:
            chosen = load_model(Settings, settings, FtwizardError).runs_dir
        except FtwizardError:
            chosen = None
        if chosen:
            path = Path(chosen).expanduser()
            path.mkdir(parents=True, exist_ok=True)
            return path
    return default_runs_dir()


def _folders() -> list[FolderStatus]:
    from ftwizard.base import paths
    return [
        _folder("data", paths.data_dir),
        _folder("config", paths.config_dir),
        _folder("logs", paths.log_dir),
        _folder("runs", _runs_dir),
    ]


def _state_files(folders: list[FolderStatus]) -> list[StateFile]:
    from ftwizard.base.logs import LOG_FILE

    where = {f.name: Path(f.path) for f in folders}
    files = [
        ("autosave", where["data"] / "autosave.json"),
        ("settings", where["config"] / "settings.json"),
        ("calibration", where["data"] / "calibration.sqlite3"),
        ("log", where["logs"] / LOG_FILE),
    ]
    out = []
    for name, path in files:
        try:
            size = path.stat().st_size if path.is_file() else None
        except OSError:
            size = None
        out.append(StateFile(name=name, path=str(path), exists=size is not None, size_bytes=size))
    return out


def _runtime(python: str | None, timeout_s: float) -> RuntimeStatus:
    """The interpreter training would use (ftwizard.runtime.rule.training_runtime), fully checked."""
    try:  # the packaging module finds the interpreter the GUI would train with
        from ftwizard.runtime.candidates import find_runtimes
        from ftwizard.runtime.diagnosis import diagnose
        from ftwizard.runtime.rule import training_runtime
    except ImportError:
        return _runtime_plain(python or sys.executable, timeout_s)
    others: list[str] = []
    if python is None:
        rt = training_runtime()
        if rt.python is None and rt.diagnostic is None:
            return RuntimeStatus(python="(none ready)", ready=False, problems=[rt.problem or "none ready"],
                                 other_candidates=[d.python for d in rt.checked])
        target = rt.python or rt.diagnostic.python
        others = [c.python for c in find_runtimes() if c.python != target]
    else:
        target = python
    d = diagnose(target, timeout_s)
    bnb = d.bitsandbytes_version if d.bitsandbytes_ok else ("does not load" if d.bitsandbytes_ok is False else None)
    return RuntimeStatus(
        python=d.python, ready=d.ready, python_version=d.python_version, torch_version=d.torch_version,
        accelerator=d.accelerator, devices=[_device_line(x) for x in d.devices], bitsandbytes=bnb,
        problems=d.problems, warnings=d.warnings, other_candidates=others,
    )


def _runtime_plain(python: str, timeout_s: float) -> RuntimeStatus:
    from ftwizard.hardware.runtime import runtime_check

    r = runtime_check(python, timeout_s)
    bnb = r.get("bitsandbytes_version") if r.get("bitsandbytes_ok") else r.get("bitsandbytes_error")
    acc = ("rocm" if r.get("hip_version") else "cuda") if r.get("cuda_available") else (
        "mps" if r.get("mps_available") else ("cpu" if r.get("ok") else None))
    return RuntimeStatus(
        python=python, ready=bool(r.get("ok")), python_version=r.get("python_version"),
        torch_version=r.get("torch_version"), accelerator=acc,
        devices=[_device_line(x) for x in r.get("devices") or []], bitsandbytes=bnb,
        problems=[r["error"]] if r.get("error") else [],
    )


def _device_line(d: dict) -> str:
    mem = d.get("memory_total_gib")
    cc = d.get("compute_capability")
    return f"{d.get('name', '?')}" + (f", {mem:.1f} GiB" if isinstance(mem, int | float) else "") + (
        f", compute {cc}" if cc else "")


def collect(args: argparse.Namespace) -> DoctorReport:
    from ftwizard import __version__

    folders = _folders()
    report = DoctorReport(
        created_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        ftwizard_version=__version__,
        python_version=platform.python_version(),
        python_executable=sys.executable,
        os=platform.platform(),
        machine=platform.machine(),
        packages=_package_versions(),
        folders=folders,
        state_files=_state_files(folders),
    )
    try:
        from ftwizard.cli.common import catalog_from_args

        catalog = catalog_from_args(args)
        report.catalog_version, report.catalog_as_of = catalog.version, catalog.as_of
    except Exception as exc:  # a broken catalog is a finding, not a reason to stop
        catalog = None
        report.catalog_problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    try:
        from ftwizard.hardware.detect import detect

        runs = next(Path(f.path) for f in folders if f.name == "runs")
        profile = detect(catalog=catalog, runs_dir=runs if runs.is_dir() else None, timeout_s=3.0)
        report.gpu_summary = profile.summary
        report.gpus = [g.label() + (f" [driver {g.driver_version}]" if g.driver_version else "") for g in profile.gpus]
        report.detection = [
            f"{b.backend}: {b.status}" + (f" ({b.reason})" if b.reason else "") for b in profile.backends
        ]
    except Exception as exc:  # detection never raises by design; say so if it ever does
        report.gpu_summary = f"detection failed: {type(exc).__name__}: {str(exc)[:200]}"
    if not args.no_runtime:
        try:
            report.runtime = _runtime(args.runtime_python, args.timeout)
        except Exception as exc:
            report.runtime_problem = f"{type(exc).__name__}: {str(exc)[:200]}"
    return report


def run(args: argparse.Namespace) -> int:
    from ftwizard.base.errors import FtwizardError

    if not args.timeout > 0:
        raise FtwizardError(f"--timeout: must be a positive number of seconds, got {args.timeout:g}")
    report = collect(args)
    if args.json:
        print_json(report)
        return 0
    for line in format_report(report):
        print(line)
    return 0


def format_report(r: DoctorReport) -> list[str]:
    lines = [
        f"ftwizard {r.ftwizard_version} on Python {r.python_version} ({r.python_executable})",
        f"OS          {r.os} ({r.machine})",
        "Packages    " + ", ".join(f"{k} {v}" for k, v in r.packages.items() if v),
        "Catalog     " + (f"{r.catalog_version} (as of {r.catalog_as_of})" if r.catalog_version
                          else f"PROBLEM: {r.catalog_problem}"),
        "Folders",
    ]
    for f in r.folders:
        state = "writable" if f.writable else f"PROBLEM: {f.problem}"
        free = f", {f.free_disk_gib:.1f} GiB free" if f.free_disk_gib is not None else ""
        lines.append(f"  {f.name:<8} {f.path}  [{state}{free}]")
    lines.append("State files (contents not read)")
    for s in r.state_files:
        lines.append(f"  {s.name:<12} {'present, ' + str(s.size_bytes) + ' bytes' if s.exists else 'none'}")
    lines.append("Training interpreter")
    if r.runtime is None:
        lines.append(f"  {r.runtime_problem or 'not checked (--no-runtime)'}")
    else:
        rt = r.runtime
        lines.append(f"  {rt.python}: {'ready' if rt.ready else 'NOT READY'}")
        if rt.torch_version:
            lines.append(f"  torch {rt.torch_version} on {rt.accelerator or '?'}; bitsandbytes {rt.bitsandbytes or '?'}")
        lines += [f"  device: {d}" for d in rt.devices]
        lines += [f"  problem: {p}" for p in rt.problems] + [f"  warning: {w}" for w in rt.warnings]
        lines += [f"  also found: {c}" for c in rt.other_candidates]
    lines.append(f"GPUs        {r.gpu_summary}")
    lines += [f"  {g}" for g in r.gpus]
    lines += [f"  tried {d}" for d in r.detection]
    lines.append(f"Network     {r.network_policy}")
    lines.append(f"Environment FTWIZARD_HOME {'set' if os.environ.get('FTWIZARD_HOME') else 'not set'}")
    return lines
