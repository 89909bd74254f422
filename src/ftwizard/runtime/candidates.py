"""Interpreters that may train, in the order they are preferred: the path configured in
Settings, a venv bundled next to the installed program, the one `ftwizard runtime install`
made, this interpreter when torch is installed in it, conda environments, virtualenvwrapper's.
Found by their paths only; diagnosis.py checks what each can do. Never the installed program
itself (`is_frozen_program`).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Literal

Source = Literal["configured", "bundled", "installed", "current", "conda", "virtualenv"]


@dataclass(frozen=True)
class RuntimeCandidate:
    """An interpreter that may train; `diagnose` says whether it can."""

    python: str
    source: Source
    label: str


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


def is_frozen_program(python: str | Path) -> bool:
    """True when `python` is the installed (PyInstaller) program itself."""
    if not getattr(sys, "frozen", False):
        return False
    try:
        return os.path.samefile(python, sys.executable)
    except OSError:
        return os.path.normcase(os.path.abspath(python)) == os.path.normcase(os.path.abspath(sys.executable))
