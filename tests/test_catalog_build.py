"""tools/build_catalog.py is the one way the catalog is made: rebuilt from the reference data
beside the checkout (../shared/data/reference) and the curated rows in tools/catalog_build/,
it reproduces the shipped resources/catalog/*.json byte for byte. A hand edit of the JSON, or
a change to the build that was not rebuilt, fails here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "resources" / "catalog"


def test_the_build_reproduces_the_shipped_catalog(tmp_path, monkeypatch, capsys):
    spec = importlib.util.spec_from_file_location("build_catalog_under_test", ROOT / "tools" / "build_catalog.py")
    build = importlib.util.module_from_spec(spec)
    monkeypatch.syspath_prepend(str(ROOT / "tools"))
    spec.loader.exec_module(build)
    if not (build.DEFAULT_REFERENCE / "models_reference.csv").is_file():
        pytest.skip(f"reference data not beside the checkout: {build.DEFAULT_REFERENCE}")
    monkeypatch.setattr(build, "OUT_DIR", tmp_path)
    monkeypatch.setattr(sys, "argv", ["build_catalog.py"])
    assert build.main() == 0
    built = sorted(p.name for p in tmp_path.glob("*.json"))
    assert built == sorted(p.name for p in SHIPPED.glob("*.json"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), (
            f"resources/catalog/{name} differs from what tools/build_catalog.py makes: rebuild it")
