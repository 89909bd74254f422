"""Finding and checking the Python that trains: the GUI ships without torch and must find one."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ftwizard.runtime.candidates import RuntimeCandidate, find_runtimes
from ftwizard.runtime.diagnosis import diagnose
from runtime_support import bare_venv, fake_env  # noqa: F401 (fixture)

CLI = [sys.executable, "-m", "ftwizard"]


def test_candidates_come_in_order_of_preference(tmp_path, monkeypatch):
    home = tmp_path / "home"
    configured = fake_env(tmp_path / "site-env")
    bundle = tmp_path / "opt" / "ftwizard"
    bundled = fake_env(bundle / "runtime")
    installed = fake_env(Path(os.environ["FTWIZARD_HOME"]) / "data" / "runtime")
    active_conda = fake_env(tmp_path / "shared" / "conda-envs" / "team")
    miniconda = fake_env(home / "miniconda3" / "envs" / "llm")
    listed = fake_env(tmp_path / "elsewhere" / "proj")
    (home / ".conda").mkdir()
    (home / ".conda" / "environments.txt").write_text(f"{listed.parent.parent}\n\n")
    wrapper = fake_env(home / ".virtualenvs" / "ft")
    (home / ".virtualenvs" / "empty-folder").mkdir()  # no interpreter: not a candidate

    found = find_runtimes(
        str(configured.parent.parent),  # a folder is accepted as well as an interpreter
        home=home,
        environ={"CONDA_PREFIX": str(active_conda.parent.parent)},
        bundle_dir=bundle,
        include_current=True,
    )

    assert [(c.source, c.python) for c in found] == [
        ("configured", str(configured)),
        ("bundled", str(bundled)),
        ("installed", str(installed)),
        ("current", sys.executable),
        ("conda", str(active_conda)),
        ("conda", str(miniconda)),
        ("conda", str(listed)),
        ("virtualenv", str(wrapper)),
    ]
    assert found[5].label == "conda env 'llm'"


def test_the_same_environment_is_listed_once(tmp_path):
    env = fake_env(tmp_path / "home" / "miniconda3" / "envs" / "llm")
    found = find_runtimes(str(env), home=tmp_path / "home",
                          environ={"CONDA_PREFIX": str(env.parent.parent)}, bundle_dir=None,
                          include_current=False)
    assert [c.source for c in found] == ["configured"]


def test_a_configured_path_that_is_gone_is_still_reported(tmp_path):
    found = find_runtimes(str(tmp_path / "deleted" / "python"), home=tmp_path, environ={},
                          bundle_dir=None, include_current=False)
    assert [c.source for c in found] == ["configured"]
    diag = diagnose(found[0], timeout_s=5)
    assert not diag.ready
    assert diag.problems == [f"{tmp_path / 'deleted' / 'python'}: no such interpreter"]


def test_nothing_found_on_a_clean_machine(tmp_path):
    assert find_runtimes(None, home=tmp_path, environ={}, bundle_dir=None, include_current=False) == []


def test_a_plain_venv_is_not_ready_and_says_what_is_missing(bare_venv):  # noqa: F811 (fixture)
    diag = diagnose(RuntimeCandidate(str(bare_venv), "virtualenv", "virtualenv 'bare'"), timeout_s=60)
    assert not diag.ready
    assert diag.python_version == ".".join(map(str, sys.version_info[:3]))
    assert diag.packages == {"transformers": None, "peft": None, "trl": None, "accelerate": None}
    text = " | ".join(diag.problems)
    assert "missing transformers, peft, trl, accelerate" in text
    assert "ftwizard is not installed" in text
    assert "torch does not import" in text
    assert diag.torch_version is None and diag.accelerator is None


def test_an_interpreter_that_hangs_is_stopped_at_the_timeout(tmp_path):
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\nsleep 30\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    diag = diagnose(str(python), timeout_s=1)
    assert not diag.ready
    assert "did not answer within 1 s" in diag.problems[0]
    assert diag.check_seconds < 10


@pytest.mark.slow
@pytest.mark.train
def test_the_development_venv_is_ready_to_train():
    pytest.importorskip("torch")
    diag = diagnose(sys.executable, timeout_s=120)
    assert diag.ready, diag.problems
    import importlib.metadata as md

    assert diag.torch_version == md.version("torch")
    assert diag.packages["peft"] == md.version("peft")
    assert diag.accelerator in {"cuda", "rocm", "mps", "cpu"}
    assert diag.bitsandbytes_ok is not None
    assert any(line.startswith("  torch") for line in diag.summary_lines())


def test_cli_check_prints_json_and_exits_1_when_not_ready(bare_venv):  # noqa: F811 (fixture)
    out = subprocess.run([*CLI, "runtime", "check", str(bare_venv.parent.parent), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    assert report["schema_version"] == 1
    assert report["python"] == str(bare_venv)
    assert report["ready"] is False


@pytest.mark.slow  # the dev venv has torch, so `list` checks it too (imports torch)
def test_cli_list_checks_the_configured_interpreter_first(bare_venv, tmp_path):  # noqa: F811 (fixture)
    env = os.environ | {"FTWIZARD_PYTHON": str(bare_venv), "HOME": str(tmp_path),
                        "CONDA_PREFIX": "", "VIRTUAL_ENV": ""}
    out = subprocess.run([*CLI, "runtime", "list", "--json", "--timeout", "60"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    runtimes = json.loads(out.stdout)["runtimes"]
    assert runtimes[0]["python"] == str(bare_venv)
    assert runtimes[0]["source"] == "configured"
    assert runtimes[0]["ready"] is False


def test_settings_file_names_the_interpreter(tmp_path, monkeypatch):
    from ftwizard.base.paths import config_dir
    from ftwizard.runtime.candidates import configured_python

    monkeypatch.delenv("FTWIZARD_PYTHON", raising=False)
    assert configured_python() is None
    (config_dir() / "settings.json").write_text(json.dumps({"train_python": "/srv/envs/llm/bin/python"}))
    assert configured_python() == "/srv/envs/llm/bin/python"
    monkeypatch.setenv("FTWIZARD_PYTHON", "/other/python")
    assert configured_python() == "/other/python"
