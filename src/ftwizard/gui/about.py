"""The About dialog: version, catalog date, and the third-party licences (Qt's LGPL notice)."""

from __future__ import annotations

import html
from importlib import metadata

from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ftwizard import __version__

# (distribution, what it is, licence): the libraries the desktop program ships with.
THIRD_PARTY = (
    ("PySide6-Essentials", "Qt for Python: the Qt 6 libraries and their Python bindings", "LGPL-3.0-only"),
    ("shiboken6", "the binding generator runtime used by PySide6", "LGPL-3.0-only"),
    ("pyqtgraph", "charts on the results page", "MIT"),
    ("numpy", "arrays for the charts", "BSD-3-Clause"),
    ("pydantic", "data models and validation of every file", "MIT"),
    ("platformdirs", "where user data and settings live", "MIT"),
)

QT_LGPL_NOTICE = (
    "This program uses the Qt toolkit (Qt {qt}) through PySide6, licensed under the GNU "
    "Lesser General Public License version 3 (LGPL-3.0). Qt is © The Qt Company Ltd. and "
    "other contributors. The Qt libraries are used unmodified and are dynamically linked: you "
    "may replace them with your own build of a compatible version. The Qt source code is "
    "available from https://download.qt.io/official_releases/qt/ and the PySide6 source from "
    "https://code.qt.io/cgit/pyside/pyside-setup.git/; the LGPL-3.0 text is at "
    "https://www.gnu.org/licenses/lgpl-3.0.html and in the PySide6 distribution."
)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_html(catalog) -> str:
    cat = (f"Catalog {html.escape(catalog.version)}, as of {catalog.as_of.isoformat()}"
           if catalog is not None else "Catalog not loaded")
    rows = "".join(
        f"<tr><td><b>{html.escape(d)}</b> {html.escape(_version(d))}</td>"
        f"<td>{html.escape(what)}</td><td>{html.escape(lic)}</td></tr>"
        for d, what, lic in THIRD_PARTY
    )
    return (
        f"<h2>ftwizard {html.escape(__version__)}</h2>"
        "<p>Decide how to fine-tune an open LLM, then do it on your own workstation. "
        "Licensed under the Apache License 2.0.</p>"
        f"<p>{cat}. Every figure in it carries its source.</p>"
        "<h3>Third-party software</h3>"
        f"<table cellpadding='4'><tr><th align='left'>Component</th><th align='left'>Used for</th>"
        f"<th align='left'>Licence</th></tr>{rows}</table>"
        f"<h3>Qt</h3><p>{html.escape(QT_LGPL_NOTICE.format(qt=qVersion()))}</p>"
    )


class AboutDialog(QDialog):
    def __init__(self, catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About ftwizard")
        self.resize(620, 520)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)  # no browser: offline sites, and no surprises
        self.text.setHtml(about_html(catalog))
        self.text.setAccessibleName("About ftwizard and third-party licences")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
