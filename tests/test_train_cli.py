"""`ftwizard train` (issue 9): flags become a run configuration, the runner's events are
shown, and Ctrl-C reaches the runner once so it saves a checkpoint."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

import pytest

from ftwizard.base.errors import RunConfigError
from ftwizard.cli.main import build_parser
from ftwizard.cli.train_cmd import build_config
from ftwizard.runs import events as ev
from ftwizard.runs.config import RunConfig, write_run_config
from train_fixtures import tiny_model_dir, write_chat_jsonl  # noqa: F401 (fixture)


def parse(*argv) -> argparse.Namespace:
    return build_parser().parse_args(["train", *argv])


def test_flags_become_a_run_configuration(tmp_path):
    cfg = build_config(parse("--model-dir", "m", "--data", "d.jsonl", "--output", str(tmp_path / "o"),
                             "--method", "lora", "--max-steps", "7", "--micro-batch", "2", "--auto-fallback"))
    assert cfg.method == "lora" and cfg.max_steps == 7 and cfg.micro_batch == 2 and cfg.auto_fallback
    assert cfg.model_dir.is_absolute() and cfg.output_dir == tmp_path / "o"
    assert cfg.optimizer == "paged_adamw_8bit"  # untouched fields keep the recipe's defaults


def test_a_plan_config_is_taken_and_flags_override_it(tmp_path):
    write_run_config(tmp_path / "run.json", RunConfig(model_dir="m", data_path="d.jsonl", output_dir="o",
                                                      seq_len=1024, lora_r=32))
    cfg = build_config(parse("--config", str(tmp_path / "run.json"), "--seq-len", "512"))
    assert (cfg.seq_len, cfg.lora_r, cfg.model_dir) == (512, 32, tmp_path / "m")


def test_resume_needs_only_the_run_folder(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    write_run_config(run / "run_config.json", RunConfig(model_dir=tmp_path / "m", data_path=tmp_path / "d.jsonl",
                                                        output_dir=run, max_steps=50))
    cfg = build_config(parse("--output", str(run), "--resume", "--micro-batch", "1"))
    assert cfg.resume and cfg.max_steps == 50 and cfg.micro_batch == 1


def test_missing_flags_are_named():
    with pytest.raises(RunConfigError, match="--model-dir, --output"):
        build_config(parse("--data", "d.jsonl"))


def cli(*argv, fault=""):
    env = dict(os.environ, FTWIZARD_FAULT=fault)
    return subprocess.Popen([sys.executable, "-m", "ftwizard", "train", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.train
def test_ctrl_c_cancels_with_a_checkpoint_and_resume_finishes(tiny_model_dir, tmp_path):  # noqa: F811
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=60)
    run = tmp_path / "run"
    flags = ["--model-dir", str(tiny_model_dir), "--data", str(data), "--output", str(run),
             "--max-steps", "8", "--seq-len", "64", "--micro-batch", "2", "--grad-accum", "2", "--save-every", "0"]
    proc = cli(*flags, fault="slow=0.4")
    for line in proc.stdout:  # human lines; the user presses Ctrl-C after step 2
        if line.startswith("step 2/8"):
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == ev.EXIT_CANCELLED, err
    assert "checkpoint saved at step" in out and "cancelled: cancelled at step" in out
    assert "cancelling: finishing this step" in err

    proc = cli("--output", str(run), "--resume", "--json")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    events = [ev.parse_event(line) for line in out.splitlines()]
    assert all(e is not None for e in events)  # --json: nothing but events on stdout
    assert events[-1].event == "done" and events[-1].step == 8
    start = next(e for e in events if e.event == "start")
    assert start.resumed_from_step >= 2


@pytest.mark.slow
def test_a_bad_model_folder_is_one_clear_line(tmp_path):
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=5)
    t0 = time.time()
    proc = cli("--model-dir", str(tmp_path / "nowhere"), "--data", str(data), "--output", str(tmp_path / "run"))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == ev.EXIT_BAD_INPUT
    # A failure goes to stderr, the event lines (none here) to stdout (issue 25, item 8).
    assert out.strip() == "" and f"error (config): {tmp_path / 'nowhere'}: model folder not found" in err.splitlines()
    assert time.time() - t0 < 60
