"""The layer rule of the architecture note, checked in fresh interpreters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate")
QT = ("PySide6", "pyqtgraph")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def top_level(mods: set[str]) -> set[str]:
    return {m.split(".")[0] for m in mods}


def test_core_loads_no_qt_and_no_torch():
    mods = top_level(loaded_after(
        "import ftwizard.core, ftwizard.core.catalog, ftwizard.core.answers\n"
        "import pkgutil, importlib, ftwizard.core as c\n"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(c.__path__, 'ftwizard.core.')]\n"
        "from ftwizard.core.catalog import load_catalog; load_catalog()"
    ))
    assert not mods & set(HEAVY + QT)


def test_hardware_loads_no_qt_and_no_torch():
    mods = top_level(loaded_after(
        "import pkgutil, importlib, ftwizard.hardware as h\n"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(h.__path__, 'ftwizard.hardware.')]"
    ))
    assert not mods & set(HEAVY + QT)


def test_gui_and_report_load_no_training_stack():
    mods = top_level(loaded_after(
        "import pkgutil, importlib, ftwizard.gui as g, ftwizard.report as r\n"
        "[importlib.import_module(m.name) for p, n in ((g, 'ftwizard.gui.'), (r, 'ftwizard.report.'))"
        " for m in pkgutil.walk_packages(p.__path__, n)]"
    ))
    assert not mods & set(HEAVY)


def test_cli_help_loads_nothing_heavy():
    mods = top_level(loaded_after("from ftwizard.cli.main import build_parser; build_parser()"))
    assert not mods & set(HEAVY + QT)


@pytest.mark.parametrize("pkg", ["ftwizard.core", "ftwizard.hardware", "ftwizard.cli"])
def test_no_module_imports_qt_or_torch_at_top_level(pkg):
    """Static check too: a lazy import inside a function is fine, a top-level one is not."""
    import ast
    import importlib
    import pathlib

    root = pathlib.Path(importlib.import_module(pkg).__path__[0])
    banned = set(HEAVY + QT) if pkg != "ftwizard.cli" else set(HEAVY + QT)
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for n in names:
                assert n.split(".")[0] not in banned, f"{path}: top-level import of {n}"
