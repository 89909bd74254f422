"""`ftwizard runtime install --wheelhouse DIR` on a machine with no network.

The wheelhouse here is real but tiny: a wheel made in the test, pip's own wheel (from the
standard library's ensurepip), requirements.txt and checksums.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "ftwizard"]


def _build_wheel(folder: Path, name: str, version: str) -> Path:
    """A valid pure-Python wheel (PEP 427) with one module that reports its version."""
    files = {
        f"{name}/__init__.py": f"VERSION = {version!r}\n",
        f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = f"{name}-{version}.dist-info/RECORD"
    rows = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        rows.append(f"{path},sha256={digest},{len(text.encode())}")
    rows.append(f"{record},,")
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
        zf.writestr(record, "\n".join(rows) + "\n")
    return wheel


def _pip_wheel() -> Path:
    bundled = resources.files("ensurepip") / "_bundled"
    wheels = sorted(Path(str(p)) for p in bundled.iterdir() if p.name.startswith("pip-"))
    if not wheels:
        pytest.skip("this Python's ensurepip has no bundled pip wheel")
    return wheels[-1]


def _sums(folder: Path) -> None:
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}"
             for p in sorted(folder.iterdir()) if p.name != "SHA256SUMS"]
    (folder / "SHA256SUMS").write_text("\n".join(lines) + "\n")


@pytest.fixture
def wheelhouse(tmp_path) -> Path:
    folder = tmp_path / "usb" / "wheelhouse"
    folder.mkdir(parents=True)
    _build_wheel(folder, "tinytrain", "0.3.1")
    shutil.copy(_pip_wheel(), folder)
    (folder / "requirements.txt").write_text("tinytrain==0.3.1\n")
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    (folder / "wheelhouse.json").write_text(json.dumps({
        "schema_version": 1, "ftwizard_version": "0.1.0", "python_version": py,
        "platform": "any", "cuda": None, "torch_version": None, "created": "2026-11-28"}))
    _sums(folder)
    return folder


def _install(wheelhouse: Path, target: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "runtime", "install", "--wheelhouse", str(wheelhouse),
                           "--target", str(target), *extra],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_install_from_a_wheelhouse_then_the_check_says_what_is_missing(wheelhouse, tmp_path):
    from ftwizard.runtime.candidates import default_runtime_dir, find_runtimes

    out = subprocess.run([*CLI, "runtime", "install", "--wheelhouse", str(wheelhouse)],
                         capture_output=True, text=True, timeout=300)
    target = default_runtime_dir()  # in the user's data folder (a temp folder in tests)
    python = target / "bin" / "python"
    # pip succeeded from the folder alone; the runtime lacks torch, and the command says so.
    assert out.returncode == 2, out.stdout + out.stderr
    assert f"Installed the training runtime: {python}" in out.stdout
    assert f"ftwizard: error: {target}: installed, but not ready: missing transformers" in out.stderr
    check = subprocess.run([str(python), "-c", "import tinytrain; print(tinytrain.VERSION)"],
                           capture_output=True, text=True)
    assert check.stdout.strip() == "0.3.1"
    # The GUI finds it next time without being told where it is.
    found = find_runtimes(None, home=tmp_path, environ={}, bundle_dir=None, include_current=False)
    assert [(c.source, c.python) for c in found] == [("installed", str(python))]


@pytest.mark.slow
def test_a_package_missing_from_the_wheelhouse_is_named_and_a_second_try_reuses_the_venv(wheelhouse, tmp_path):
    (wheelhouse / "requirements.txt").write_text("tinytrain==0.3.1\nnot-in-the-folder==1.0\n")
    (wheelhouse / "SHA256SUMS").unlink()
    target = tmp_path / "runtime"
    out = _install(wheelhouse, target, "--no-check")
    assert out.returncode == 2
    assert "pip install from" in out.stderr and "not-in-the-folder" in out.stderr
    assert (target / "pyvenv.cfg").is_file()

    (wheelhouse / "requirements.txt").write_text("tinytrain==0.3.1\n")
    again = _install(wheelhouse, target, "--no-check")
    assert again.returncode == 0, again.stderr
    assert "Creating the runtime venv" not in again.stdout  # updated in place


def test_a_folder_without_wheels_is_refused(tmp_path):
    empty = tmp_path / "wheelhouse"
    empty.mkdir()
    out = _install(empty, tmp_path / "rt")
    assert out.returncode == 2
    assert f"ftwizard: error: {empty}: no wheels (*.whl) in this folder" in out.stderr
    assert not (tmp_path / "rt").exists()


def test_a_missing_folder_and_a_missing_requirements_file_are_named(tmp_path):
    out = _install(tmp_path / "nowhere", tmp_path / "rt")
    assert out.returncode == 2 and f"{tmp_path / 'nowhere'}: no such folder" in out.stderr
    folder = tmp_path / "wh"
    folder.mkdir()
    _build_wheel(folder, "tinytrain", "0.3.1")
    out = _install(folder, tmp_path / "rt")
    assert out.returncode == 2 and f"{folder / 'requirements.txt'}: missing" in out.stderr


def test_a_corrupted_copy_is_caught_before_installing(wheelhouse, tmp_path):
    wheel = next(wheelhouse.glob("tinytrain-*.whl"))
    wheel.write_bytes(wheel.read_bytes()[:-10])  # truncated on the way
    out = _install(wheelhouse, tmp_path / "rt")
    assert out.returncode == 2
    assert f"{wheel}: checksum does not match SHA256SUMS line" in out.stderr
    assert not (tmp_path / "rt").exists()


def test_a_broken_wheelhouse_manifest_names_the_field(wheelhouse, tmp_path):
    (wheelhouse / "wheelhouse.json").write_text(json.dumps({"schema_version": 1}))
    _sums(wheelhouse)
    out = _install(wheelhouse, tmp_path / "rt")
    assert out.returncode == 2
    assert f"{wheelhouse / 'wheelhouse.json'}: $.ftwizard_version" in out.stderr


def test_a_non_empty_folder_is_never_overwritten(wheelhouse, tmp_path):
    target = tmp_path / "documents"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    out = _install(wheelhouse, target)
    assert out.returncode == 2 and "is not empty and is not a venv" in out.stderr
    assert (target / "notes.txt").read_text() == "keep me"


def test_no_python_of_the_wheelhouse_version_is_a_clear_error(monkeypatch):
    from ftwizard.runtime_install import RuntimeSetupError, WheelhouseManifest, find_base_python

    manifest = WheelhouseManifest(ftwizard_version="0.1.0", python_version="3.99",
                                  platform="any", created="2026-11-28")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeSetupError, match="no Python 3.99 found"):
        find_base_python(manifest)
