"""Every package ships, and resources load from the installed package, not the working directory."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT / "src").parts)
        for p in (ROOT / "src").rglob("__init__.py")
    }
    assert found - {"ftwizard.resources"} <= listed, f"add to pyproject packages: {found - listed}"
    assert "ftwizard.resources" in listed


def test_version_comes_from_one_place():
    import ftwizard

    out = subprocess.run([sys.executable, "-m", "ftwizard", "--version"], capture_output=True, text=True)
    assert out.stdout.strip() == f"ftwizard {ftwizard.__version__}"


def test_catalog_loads_from_any_working_directory(tmp_path):
    code = "from ftwizard.catalog.store import load_catalog; print(len(load_catalog().models))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env=os.environ | {"PYTHONPATH": ""})
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 20
