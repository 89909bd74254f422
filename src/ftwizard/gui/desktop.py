"""What the windows reach outside themselves: the desktop's file manager and the training
runtime. One small module so the run monitor, the history and the results windows share
them without importing one another (tests replace `open_folder`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from ftwizard.base.errors import FtwizardError


def open_folder(path: Path) -> bool:
    """Show a folder in the desktop's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def runtime_python(settings=None) -> str:
    """The interpreter that trains, by the one rule (ftwizard.runtime.rule.training_runtime: the
    configured one, else the first ready candidate). FtwizardError naming the fix when none
    is ready."""
    from ftwizard.runtime.rule import training_runtime

    runtime = training_runtime(settings=settings)
    if not runtime.ready or runtime.python is None:
        raise FtwizardError(runtime.problem or "no training runtime is ready")
    return runtime.python
