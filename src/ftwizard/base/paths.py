"""Where ftwizard keeps the user's state (platformdirs), in one place.

`FTWIZARD_HOME` overrides the base folder: tests point it at a temp folder, and a site
can point it at a managed share.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "ftwizard"


def _base(kind: str) -> Path:
    home = os.environ.get("FTWIZARD_HOME")
    if home:
        return Path(home) / kind
    import platformdirs

    fn = {
        "data": platformdirs.user_data_dir,
        "config": platformdirs.user_config_dir,
        "logs": platformdirs.user_log_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return Path(fn(APP, appauthor=False))


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        try:
            os.chmod(path, 0o700)  # user data: readable by the user only
        except OSError:
            pass
    return path


def data_dir() -> Path:
    """Autosaved answers, run history, calibration records."""
    return _ensure(_base("data"))


def config_dir() -> Path:
    """Settings."""
    return _ensure(_base("config"))


def log_dir() -> Path:
    """Rotating logs (never dataset text or task descriptions)."""
    return _ensure(_base("logs"))


def default_runs_dir() -> Path:
    """Training run folders, unless the user picks another place in Settings."""
    return _ensure(data_dir() / "runs")
