"""`ftwizard` with no arguments: the desktop wizard.

Imports here stay light (Qt and the stdlib): pydantic, the catalog and pyqtgraph load after
the first page is on screen. torch and the training stack never load in this process.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ftwizard import __version__


def app_icon() -> QIcon:
    from importlib import resources

    icon = QIcon()
    folder = resources.files("ftwizard.resources").joinpath("icons")
    for name in ("ftwizard.svg", "ftwizard-256.png"):
        res = folder.joinpath(name)
        if res.is_file():
            with resources.as_file(res) as path:
                icon.addFile(str(path))
    return icon


def create_app(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication. Qt 6 scales for HiDPI by itself (fractional factors pass through,
    its default) and takes the system's light or dark palette; nothing here overrides them."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "ftwizard", *argv])
    app.setApplicationName("ftwizard")
    app.setApplicationDisplayName("ftwizard")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("ftwizard")
    return app


def _show_errors(window) -> None:
    """A user-facing error that escapes a slot becomes one dialog, not a crash."""
    previous = sys.excepthook

    def hook(kind, exc, tb):
        from PySide6.QtWidgets import QMessageBox

        from ftwizard.base.errors import FtwizardError

        if isinstance(exc, FtwizardError):
            QMessageBox.warning(window, "ftwizard", str(exc).splitlines()[0])
            return
        previous(kind, exc, tb)
        QMessageBox.critical(window, "ftwizard: internal error",
                             f"{kind.__name__}: {exc}\nDetails are in the log file.")

    sys.excepthook = hook


def run_app(argv: Sequence[str]) -> int:
    app = create_app(argv)
    from ftwizard.gui.wizard import WizardWindow

    window = WizardWindow()
    window.show()

    def after_first_paint() -> None:
        from ftwizard.base.logs import setup_logging

        setup_logging()
        app.setWindowIcon(app_icon())
        _show_errors(window)

    QTimer.singleShot(0, after_first_paint)
    app.aboutToQuit.connect(window.close_session)
    code = app.exec()
    from ftwizard.gui import workers

    workers.wait_all(3000)
    return code
