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
                 "linux/e2e-train.sh", "macos/build-dmg.sh", "appimage/build-appimage.sh", "appimage/AppRun"]


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
    icons = iss.split("[Icons]", 1)[1].split("\n[", 1)[0]
    shortcuts = re.findall(r'Filename: "\{app\}\\([^"]+)"', icons)
    assert shortcuts and set(shortcuts) == {"{#AppName}-gui.exe"}
    assert "#error Pass the version" in iss


def test_installers_put_the_training_runtime_where_the_program_looks():
    """Windows installs a wheelhouse shipped beside setup.exe into {app}\\runtime, the place
    find_runtimes calls "bundled" (tests/test_runtime.py); the dmg carries a script for the
    per-user "installed" one."""
    iss = (PKG / "windows" / "ftwizard.iss").read_text()
    run = iss.split("[Run]", 1)[1].split("\n[", 1)[0]
    assert 'Filename: "{app}\\{#AppName}.exe"' in run
    assert 'runtime install --wheelhouse ""{src}\\wheelhouse"" --target ""{app}\\runtime""' in run
    assert "Check: DirExists(ExpandConstant('{src}\\wheelhouse'))" in run
    assert run.index("runtime install") < run.index("{#AppName}-gui.exe")  # before the first start
    assert 'Name: "{app}\\runtime"' in iss.split("[UninstallDelete]", 1)[1]
    dmg = (PKG / "macos" / "build-dmg.sh").read_text()
    assert "ftwizard.app/Contents/MacOS/ftwizard runtime install --wheelhouse" in dmg


def test_a_wheelhouse_made_from_installed_distributions(tmp_path):
    """packaging/wheelhouse_from_env.py repacks an installed distribution into a wheel whose name
    carries every tag of its WHEEL file and whose RECORD (csv: names may hold commas) is right."""
    import base64
    import csv
    import hashlib
    import importlib.util
    import io
    import zipfile
    from importlib import metadata

    spec = importlib.util.spec_from_file_location("wheelhouse_from_env", PKG / "wheelhouse_from_env.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    wheel = mod.repack(metadata.distribution("pyqtgraph"), tmp_path)
    version = metadata.version("pyqtgraph")
    assert wheel.name == f"pyqtgraph-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        rows = list(csv.reader(io.StringIO(zf.read(f"pyqtgraph-{version}.dist-info/RECORD").decode())))
        names = set(zf.namelist())
        assert "pyqtgraph/__init__.py" in names and not any(n.endswith(".pyc") for n in names)
        assert f"pyqtgraph-{version}.dist-info/INSTALLER" not in names
        for name, digest, size in rows[:-1]:
            data = zf.read(name)
            assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert int(size) == len(data)
    assert any("," in name for name, *_ in rows)  # pyqtgraph ships a file name with commas
    assert rows[-1] == [f"pyqtgraph-{version}.dist-info/RECORD", "", ""]
    assert {r[0] for r in rows} == names
    assert mod.closure("ftwizard[train]", {"ftwizard": ["torch>=2.6; extra == 'train'"]}).keys() >= {"torch", "ftwizard"}


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
