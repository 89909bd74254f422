"""One rule picks the interpreter that trains (ftwizard.runtime.rule.training_runtime): the configured
one, else the first ready candidate, never the installed program itself. The installed build is
simulated by setting sys.frozen and pointing sys.executable at a program file that is no Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ftwizard.runtime.candidates import RuntimeCandidate
from ftwizard.runtime.rule import NO_RUNTIME_FIX, training_runtime
from runtime_support import DEV_PYTHON, bare_venv, ready_env  # noqa: F401 (fixture)

CLI = [DEV_PYTHON, "-m", "ftwizard"]
FIX = "ftwizard runtime install --wheelhouse DIR"


@pytest.fixture
def installed_build(tmp_path, monkeypatch) -> Path:
    """This process as the installed program: frozen, sys.executable the program, a clean home."""
    program = tmp_path / "opt" / "ftwizard" / "ftwizard"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\necho 'I am the GUI, not a Python' >&2\nexit 2\n")
    program.chmod(0o755)
    for var in ("FTWIZARD_PYTHON", "CONDA_PREFIX", "VIRTUAL_ENV"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    return program


def test_installed_build_without_a_runtime_names_the_fix(installed_build):
    rt = training_runtime()
    assert rt.python is None and not rt.ready
    assert "No Python that can train was found" in rt.problem
    assert FIX in rt.problem and "Settings > Training runtime" in rt.problem
    assert rt.describe().startswith("✘ ")


def test_installed_build_trains_with_the_installed_runtime_never_itself(installed_build):
    from ftwizard.runtime.candidates import default_runtime_dir

    runtime = ready_env(default_runtime_dir())
    rt = training_runtime()
    assert rt.python == str(runtime) != sys.executable
    assert rt.diagnostic.source == "installed" and rt.diagnostic.ready
    assert rt.diagnostic.torch_version  # read from its metadata by the quick check
    assert rt.describe().startswith(f"✔ {runtime}")
    # A bundled runtime next to the program comes first.
    bundled = ready_env(installed_build.parent / "runtime")
    assert training_runtime().python == str(bundled)


def test_the_program_itself_is_refused_even_when_configured(installed_build):
    rt = training_runtime(str(installed_build))
    assert rt.python is None
    assert "is this installed program, not a Python" in rt.problem
    assert rt.diagnostic.python == str(installed_build)


def test_a_configured_runtime_that_cannot_train_is_not_replaced_silently(installed_build, bare_venv):  # noqa: F811 (fixture)
    from ftwizard.runtime.candidates import default_runtime_dir

    ready_env(default_runtime_dir())  # a ready one exists, but the user chose another
    rt = training_runtime(str(bare_venv.parent.parent))  # an environment folder is accepted
    assert rt.python is None
    assert rt.problem.startswith(f"The training runtime you chose, {bare_venv}, cannot train (missing ")
    assert rt.problem.endswith(f"{NO_RUNTIME_FIX}.")
    assert [d.python for d in rt.checked] == [str(bare_venv)]


def test_the_first_ready_candidate_wins_and_unready_ones_are_passed(tmp_path, bare_venv):  # noqa: F811 (fixture)
    ready = ready_env(tmp_path / "ready")
    found = [RuntimeCandidate(str(tmp_path / "gone" / "python"), "bundled", "bundled"),
             RuntimeCandidate(str(bare_venv), "installed", "installed"),
             RuntimeCandidate(str(ready), "conda", "conda env 'ready'")]
    rt = training_runtime(candidates=found)
    assert rt.python == str(ready)
    assert [d.ready for d in rt.checked] == [False, False, True]
    rt = training_runtime(candidates=found[:2])
    assert rt.python is None
    assert rt.problem.startswith("None of the 2 Pythons found can train (")
    assert f"{bare_venv}: missing transformers" in rt.problem and FIX in rt.problem


def test_settings_object_and_file_and_environment(monkeypatch, tmp_path, bare_venv):  # noqa: F811 (fixture)
    from ftwizard.base.paths import config_dir
    from ftwizard.base.settings import Settings
    from ftwizard.gui.settings import load_settings, save_settings
    from ftwizard.runtime.candidates import configured_python

    monkeypatch.delenv("FTWIZARD_PYTHON", raising=False)
    save_settings(Settings(train_python=str(bare_venv)))
    assert load_settings() == (Settings(train_python=str(bare_venv)), None)  # the field round-trips
    assert json.loads((config_dir() / "settings.json").read_text())["train_python"] == str(bare_venv)
    assert configured_python() == str(bare_venv)
    assert configured_python(Settings(train_python="/x/python")) == "/x/python"
    assert training_runtime().checked[0].python == str(bare_venv)
    monkeypatch.setenv("FTWIZARD_PYTHON", "/other/python")  # as in the exported recipes: it wins
    assert configured_python(Settings(train_python="/x/python")) == "/other/python"


def test_train_without_a_ready_runtime_exits_2_naming_the_fix(tmp_path):
    env = os.environ | {"FTWIZARD_PYTHON": str(tmp_path / "nowhere" / "python")}
    out = subprocess.run([*CLI, "train", "--model-dir", str(tmp_path), "--data", str(tmp_path / "d.jsonl"),
                          "--output", str(tmp_path / "run"), "--probe"],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 2, out.stderr
    assert f"{tmp_path / 'nowhere' / 'python'}: no such interpreter" in out.stderr
    assert FIX in out.stderr
    assert not (tmp_path / "run").exists()


def test_train_python_flag_picks_the_runtime(tmp_path, bare_venv):  # noqa: F811 (fixture)
    out = subprocess.run([*CLI, "train", "--python", str(bare_venv), "--model-dir", str(tmp_path),
                          "--data", str(tmp_path / "d.jsonl"), "--output", str(tmp_path / "run")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert f"The training runtime you chose, {bare_venv}, cannot train" in out.stderr


def test_doctor_reports_the_runtime_the_rule_picks(monkeypatch, bare_venv):  # noqa: F811 (fixture)
    from ftwizard.cli.doctor_cmd import _runtime

    monkeypatch.setenv("FTWIZARD_PYTHON", str(bare_venv))
    status = _runtime(None, timeout_s=60)
    assert status.python == str(bare_venv) and not status.ready
    assert any("missing transformers" in p for p in status.problems)
