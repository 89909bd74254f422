"""The run folder is the runner's alone: a second runner on it is refused naming the first,
a link planted in it cannot send our writes elsewhere, and what it holds is the user's only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from trust_helpers import fake_model_folder

pytestmark = [pytest.mark.slow, pytest.mark.train]

HOLD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ftwizard.base.locks import exclusive_lock
    with exclusive_lock(Path(sys.argv[1])):
        print("running", flush=True)
        sys.stdin.readline()
""")


def run_in_process(tmp_path: Path, run_dir: Path) -> list[dict]:
    pytest.importorskip("torch")
    from ftwizard.runs.config import RunConfig
    from ftwizard.train.events import Emitter
    from ftwizard.train.recipe import run

    cfg = RunConfig(model_dir=fake_model_folder(tmp_path / "model"), data_path=tmp_path / "missing.jsonl",
                    output_dir=run_dir, optimizer="adamw")
    out = io.StringIO()
    run(cfg, Emitter(out))
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_second_runner_on_the_same_folder_is_refused_naming_the_first(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    first = subprocess.Popen([sys.executable, "-c", HOLD, str(run_dir)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "running"
        events = run_in_process(tmp_path, run_dir)
    finally:
        first.stdin.close()
        first.wait(10)
    error = events[-1]
    assert error["event"] == "error" and error["kind"] == "config"
    assert str(run_dir) in error["message"] and f"pid {first.pid}" in error["message"]
    assert not (run_dir / "run_config.json").exists() and not (run_dir / "metrics.jsonl").exists()
    # once the first has gone, the folder is usable (the run then stops at the missing data)
    assert run_in_process(tmp_path, run_dir)[-1]["kind"] == "data"


def test_a_link_planted_in_the_run_folder_cannot_redirect_our_writes(tmp_path):
    run_dir = tmp_path / "copied-run"
    run_dir.mkdir()
    victim = tmp_path / "bashrc"
    victim.write_text("export PATH=/usr/bin\n")
    (run_dir / "metrics.jsonl").symlink_to(victim)
    events = run_in_process(tmp_path, run_dir)
    assert events[-1]["kind"] == "config" and "symbolic link" in events[-1]["message"]
    assert victim.read_text() == "export PATH=/usr/bin\n"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_runner_process_keeps_its_folder_and_log_private(tmp_path):
    run_dir = tmp_path / "runs" / "first"
    cfg = {"schema_version": 1, "model_dir": str(fake_model_folder(tmp_path / "model")),
           "data_path": str(tmp_path / "missing.jsonl"), "output_dir": str(run_dir), "optimizer": "adamw"}
    (tmp_path / "run.json").write_text(json.dumps(cfg))
    proc = subprocess.run([sys.executable, "-m", "ftwizard.train", str(tmp_path / "run.json")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1])["kind"] == "data"
    assert run_dir.stat().st_mode & 0o777 == 0o700
    assert (run_dir / "runner.log").stat().st_mode & 0o777 == 0o600
