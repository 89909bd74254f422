"""The installer scripts that cannot run here (Windows, macOS, the wheelhouse download) stay
consistent with the PyInstaller spec and refuse bad arguments."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

import ftwizard

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "packaging"
SHELL_SCRIPTS = ["offline-wheelhouse.sh", "linux/build-deb.sh", "linux/ftwizard-wrapper.sh",
                 "macos/build-dmg.sh", "appimage/build-appimage.sh", "appimage/AppRun"]


@pytest.mark.parametrize("script", SHELL_SCRIPTS)
def test_shell_scripts_parse_and_are_executable(script):
    path = PKG / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    out = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_spec_leaves_the_training_stack_out():
    tree = ast.parse((PKG / "ftwizard.spec").read_text())
    excludes = next(node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
                    and getattr(node.targets[0], "id", "") == "EXCLUDES")
    names = set(ast.literal_eval(excludes))
    assert {"torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate", "ftwizard.train"} <= names


def test_the_windows_installer_uses_what_the_spec_builds():
    iss = (PKG / "windows" / "ftwizard.iss").read_text()
    spec = (PKG / "ftwizard.spec").read_text()
    assert 'name=f"{NAME}-gui", console=False' in spec  # the windowed program on Windows
    assert r'#define BuildDir "..\..\dist\ftwizard"' in iss
    shortcuts = re.findall(r'Filename: "\{app\}\\([^"]+)"', iss)
    assert shortcuts and set(shortcuts) == {"{#AppName}-gui.exe"}
    assert "#error Pass the version" in iss


def test_the_wheelhouse_script_pins_ftwizard_and_the_cuda_index():
    out = subprocess.run(["bash", str(PKG / "offline-wheelhouse.sh"), "--cuda", "12.4", "--python", "3.11",
                          "--torch", "2.6.0", "--dry-run", "--out", "/tmp/never-created"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    download = next(line for line in out.stdout.splitlines() if " pip download " in line)
    assert "--only-binary=:all:" in download and "--python-version 3.11" in download
    assert download.rstrip().endswith(f"ftwizard[train]=={ftwizard.__version__} torch==2.6.0 pip")
    assert re.search(r"--extra-index-url \S+/cu124\b", download)
    assert not Path("/tmp/never-created").exists()


@pytest.mark.parametrize("args, message", [
    ([], "--cuda VERSION|cpu|default is required"),
    (["--cuda", "twelve"], "expected a version like 12.4"),
    (["--cuda", "cpu", "--bogus"], "unknown option --bogus"),
])
def test_the_wheelhouse_script_refuses_bad_arguments(args, message):
    out = subprocess.run(["bash", str(PKG / "offline-wheelhouse.sh"), *args], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2
    assert message in out.stderr
