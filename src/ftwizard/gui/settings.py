"""Settings (electricity price, currency display, runs folder): the file.

Stdlib at import time: the window reads its saved geometry from here before it first
shows. The dialog is in settings_dialog.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ftwizard.base.paths import config_dir

FILE_NAME = "settings.json"


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def peek_geometry(path: Path | None = None) -> bytes | None:
    """The saved window geometry, read with the stdlib before pydantic loads (start-up)."""
    import base64
    import binascii

    try:
        data = json.loads((path or settings_path()).read_text(encoding="utf-8"))
        return base64.b64decode(data["window_geometry_b64"], validate=True)
    except (OSError, ValueError, KeyError, TypeError, RecursionError, binascii.Error):
        return None


def load_settings(path: Path | None = None):  # -> tuple[Settings, str | None]
    """(settings, notice). A broken file gives defaults and a notice; the file is first moved
    aside whole (settings.corrupt-STAMP.json), so saving the defaults later loses nothing."""
    from ftwizard.base.errors import FtwizardError
    from ftwizard.base.jsonio import load_model, set_aside
    from ftwizard.base.settings import Settings

    path = path or settings_path()
    if not os.path.lexists(path):
        return Settings(), None
    try:
        return load_model(Settings, path, FtwizardError), None
    except FtwizardError as exc:
        reason = str(exc).splitlines()[0]
    return Settings(), f"Settings were reset to defaults: {reason}. {set_aside(path)}"


def save_settings(settings, path: Path | None = None) -> None:
    from ftwizard.base.jsonio import write_model

    write_model(path or settings_path(), settings, private=True)
