"""`ftwizard doctor`: what a support ticket needs, and never a word of the user's data."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from ftwizard.base.paths import config_dir, data_dir
from ftwizard.cli.main import main

CANARY = "CANARY-doctor-4c1d-ward-7"


def doctor_json(capsys, *extra: str) -> dict:
    assert main(["doctor", "--json", *extra]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return json.loads(out.out)


def test_doctor_reports_versions_folders_gpus_and_the_network_policy(capsys):
    report = doctor_json(capsys, "--no-runtime")
    import pydantic

    from ftwizard import __version__

    assert report["ftwizard_version"] == __version__
    assert report["python_executable"] == sys.executable
    assert report["packages"]["pydantic"] == pydantic.VERSION
    assert report["catalog_version"] and report["catalog_as_of"]
    home = os.environ["FTWIZARD_HOME"]
    folders = {f["name"]: f for f in report["folders"]}
    assert set(folders) == {"data", "config", "logs", "runs"}
    for f in folders.values():
        assert f["path"].startswith(home) and f["writable"] and f["free_disk_gib"] > 0
    assert report["gpu_summary"]  # CPU-only here, said in a sentence
    assert any(line.startswith("system: ok") for line in report["detection"])
    assert "no network connections" in report["network_policy"]
    assert report["runtime"] is None


def test_doctor_never_reads_the_autosave_or_a_dataset(capsys, tmp_path):
    autosave = data_dir() / "autosave.json"
    autosave.write_text(json.dumps({"answers": {"task": {"description": CANARY}}}), encoding="utf-8")
    (config_dir() / "settings.json").write_text(json.dumps({"currency": CANARY}), encoding="utf-8")
    (data_dir() / "runs" / "ward.jsonl").parent.mkdir(parents=True, exist_ok=True)
    (data_dir() / "runs" / "ward.jsonl").write_text(json.dumps({"text": CANARY}) + "\n", encoding="utf-8")

    report = doctor_json(capsys, "--no-runtime")
    files = {s["name"]: s for s in report["state_files"]}
    assert files["autosave"]["exists"] and files["autosave"]["size_bytes"] == autosave.stat().st_size
    assert main(["doctor", "--no-runtime"]) == 0  # the text form too
    text = capsys.readouterr().out
    assert "autosave     present" in text
    assert CANARY not in json.dumps(report) and CANARY not in text


def test_doctor_says_when_the_folders_cannot_be_created(capsys, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where FTWIZARD_HOME should be a folder")
    monkeypatch.setenv("FTWIZARD_HOME", str(blocker))
    report = doctor_json(capsys, "--no-runtime")
    assert all(not f["writable"] and "cannot create" in f["problem"] for f in report["folders"])
    assert main(["doctor", "--no-runtime"]) == 0
    assert "PROBLEM: cannot create" in capsys.readouterr().out


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for a broken interpreter")
def test_doctor_reports_a_training_interpreter_that_does_not_run(capsys, tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'cannot start' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    report = doctor_json(capsys, "--runtime-python", str(broken), "--timeout", "20")
    rt = report["runtime"]
    assert rt["python"] == str(broken) and rt["ready"] is False
    assert rt["problems"] and "3" in rt["problems"][0]


def test_doctor_refuses_a_bad_timeout(capsys):
    assert main(["doctor", "--timeout", "0"]) == 2
    assert "--timeout" in capsys.readouterr().err
