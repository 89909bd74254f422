"""The .deb a hospital's administrator double-clicks: built by `make package`, unpacked into a
temporary root, and the installed program checks itself offscreen.

Builds take about 2-3 minutes on 2 cores, so a .deb newer than every source file is reused.
FTWIZARD_PACKAGE_TEST=0 skips these tests (e.g. on a machine without dpkg or PyPI access).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import ftwizard
from ftwizard.selftest import STEP_NAMES

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("src", "resources", "packaging", "pyproject.toml")
TRAINING_STACK = ("torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is needed (Debian/Ubuntu)"),
    pytest.mark.skipif(os.environ.get("FTWIZARD_PACKAGE_TEST") == "0", reason="FTWIZARD_PACKAGE_TEST=0"),
]


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else path.rglob("*")
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts and not f.name.endswith(".egg-info"):
                newest = max(newest, f.stat().st_mtime)
    return newest


def _deb_path() -> Path:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()
    return ROOT / "dist" / f"ftwizard_{ftwizard.__version__}_{arch}.deb"


@pytest.fixture(scope="module")
def deb() -> Path:
    path = _deb_path()
    if not path.is_file() or path.stat().st_mtime < _newest_input_mtime():
        out = subprocess.run(["make", "package"], cwd=ROOT, capture_output=True, text=True, timeout=1500)
        assert out.returncode == 0, (out.stdout + out.stderr)[-4000:]
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def root(deb, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(target)], check=True)
    return target


def _clean_env(tmp: Path) -> dict[str, str]:
    """As on a workstation that has never seen this repository: no venv, no display."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "FTWIZARD_HOME": str(tmp / "ftwizard-home"),
            "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8"}


def test_the_installed_program_passes_its_self_test(root, tmp_path):
    out = subprocess.run([str(root / "usr" / "bin" / "ftwizard"), "--self-test"], capture_output=True,
                         text=True, timeout=300, cwd=tmp_path, env=_clean_env(tmp_path))
    assert out.returncode == 0, out.stdout + out.stderr
    for step in STEP_NAMES:
        assert any(line.split()[:2] == ["PASS", step] for line in out.stdout.splitlines()), out.stdout
    assert "installed build" in out.stdout
    assert "self-test OK" in out.stdout


def test_the_package_installs_a_command_a_menu_entry_and_an_icon(deb, root):
    fields = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Version", "Depends"],
                            capture_output=True, text=True, check=True).stdout
    assert "Package: ftwizard" in fields
    assert f"Version: {ftwizard.__version__}" in fields
    assert "libc6 (>= " in fields

    wrapper = root / "usr" / "bin" / "ftwizard"
    assert os.access(wrapper, os.X_OK)
    assert os.access(root / "opt" / "ftwizard" / "ftwizard", os.X_OK)

    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str
    desktop.read(root / "usr" / "share" / "applications" / "ftwizard.desktop")
    entry = desktop["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "ftwizard"
    assert (root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps" / f"{entry['Icon']}.svg").is_file()
    assert (root / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{entry['Icon']}.png").is_file()

    listing = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    owners = {line.split()[1] for line in listing.splitlines()}
    assert owners == {"root/root"}


def test_the_installer_is_under_100_mb_and_carries_no_training_stack(deb, root):
    assert deb.stat().st_size < 100 * 10**6
    internal = root / "opt" / "ftwizard" / "_internal"
    bundled = {p.name.split("-")[0].split(".")[0] for p in internal.iterdir()}
    assert not bundled & set(TRAINING_STACK), bundled & set(TRAINING_STACK)
    assert (internal / "ftwizard" / "resources" / "catalog" / "models.json").is_file()


def test_the_installed_command_line_reports_version_and_runtime(root, tmp_path):
    env = _clean_env(tmp_path)
    ftw = str(root / "usr" / "bin" / "ftwizard")
    version = subprocess.run([ftw, "--version"], capture_output=True, text=True, env=env, timeout=60)
    assert version.stdout.strip() == f"ftwizard {ftwizard.__version__}"
    # No training interpreter on this clean machine: the program says how to get one.
    listed = subprocess.run([ftw, "runtime", "list"], capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "ftwizard runtime install --wheelhouse DIR" in listed.stdout


def test_the_appimage_folder_from_the_same_build_passes_its_self_test(deb):
    out = subprocess.run(["bash", "packaging/appimage/build-appimage.sh"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env=os.environ | {"APPDIR_ONLY": "1"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "self-test OK" in out.stdout
    appdir = ROOT / "build" / "ftwizard.AppDir"
    assert os.access(appdir / "AppRun", os.X_OK)
    assert (appdir / "ftwizard.desktop").is_file() and (appdir / "ftwizard.png").is_file()
