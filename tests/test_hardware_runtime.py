"""What the training interpreter's torch sees, asked without importing torch here."""

from __future__ import annotations

import sys

import pytest

from ftwizard.hardware.runtime import runtime_check


@pytest.mark.slow
def test_the_venv_python_reports_cpu_torch_and_bitsandbytes():
    before = "torch" in sys.modules
    report = runtime_check(sys.executable, timeout_s=120)
    assert report["ok"], report
    assert report["error"] is None
    assert report["torch_version"].startswith("2.")
    assert report["cuda_available"] is False and report["devices"] == []
    assert report["bf16_supported"] is None
    assert isinstance(report["bitsandbytes_ok"], bool)
    assert report["bitsandbytes_ok"] == ("bitsandbytes_version" in report)
    assert report["seconds"] > 0
    assert ("torch" in sys.modules) == before  # asked in a subprocess, not imported here


def test_an_interpreter_that_does_not_exist_is_a_plain_answer(tmp_path):
    report = runtime_check(str(tmp_path / "no-python"), timeout_s=5)
    assert report["ok"] is False
    assert report["error"].endswith("no-python not found on PATH")


def test_an_interpreter_without_torch_says_so(tmp_path):
    # -I: isolated mode, so the stdlib-only 'python' sees no site-packages and no torch
    fake = tmp_path / "python-no-torch"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} -I -S \"$@\"\n")
    fake.chmod(0o755)
    report = runtime_check(str(fake), timeout_s=30)
    assert report["ok"] is False
    assert report["error"] == "torch does not import: ModuleNotFoundError: No module named 'torch'"
    assert report["bitsandbytes_ok"] is False


def test_a_hung_interpreter_is_given_up(tmp_path):
    fake = tmp_path / "python-hangs"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    report = runtime_check(str(fake), timeout_s=0.5)
    assert report["ok"] is False
    assert "did not answer within 0.5 s" in report["error"]
    assert report["seconds"] < 5
