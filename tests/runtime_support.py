"""Interpreters for the training-runtime tests: a bare venv (not ready) and an environment
folder whose interpreter is the development venv (ready: torch and the train extra)."""

from __future__ import annotations

import sys
import venv
from pathlib import Path

import pytest

DEV_PYTHON = sys.executable


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory) -> Path:
    """A real venv without torch or ftwizard: what a user gets from `python -m venv` alone."""
    folder = tmp_path_factory.mktemp("bare") / "venv"
    venv.EnvBuilder(with_pip=False).create(folder)
    return folder / "bin" / "python"


def fake_env(folder: Path, script: str = "exit 1") -> Path:
    """An environment folder whose interpreter is a shell script."""
    python = folder / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\n{script}\n")
    python.chmod(0o755)
    return python


def ready_env(folder: Path) -> Path:
    """An environment folder whose interpreter runs the development venv (ready to train)."""
    return fake_env(folder, f'exec "{DEV_PYTHON}" "$@"')
