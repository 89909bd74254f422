"""Several processes (issue 12): the runner, unchanged, under `torchrun --nproc_per_node 2` on
CPU (gloo). Both processes end with the same adapter although each trained on its own share
of every step, only rank 0 speaks and writes, and a Ctrl-C stops both at the same step.

FTWIZARD_TEST_DUMP_RANK_ADAPTER makes each rank write, outside the run folder, a digest of
its adapter and the data lines it was dealt (ftwizard.train.distributed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ftwizard.runs import events as ev
from ftwizard.runs.config import write_run_config
from ftwizard.runs.manifest import Manifest
from ftwizard.train.distributed import DUMP_ENV, adapter_digest
from train_fixtures import (  # noqa: F401 (fixture)
    events_in,
    tiny_model_dir,
    tiny_run_config,
    write_chat_jsonl,
)

pytestmark = [pytest.mark.slow, pytest.mark.train]


def torchrun(tmp_path, cfg, fault="", **env_vars):
    """`python -m torch.distributed.run` as the exported recipes call it; stderr to a file."""
    write_run_config(tmp_path / "run.json", cfg)
    env = dict(os.environ, **{DUMP_ENV: str(tmp_path / "ranks"), "FTWIZARD_FAULT": fault, "OMP_NUM_THREADS": "1"},
               **env_vars)
    with open(tmp_path / "stderr.log", "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--standalone",
             "-m", "ftwizard.train", str(tmp_path / "run.json")],
            env=env, stdout=subprocess.PIPE, stderr=err, text=True,
        )


def stderr_tail(tmp_path) -> str:
    return (tmp_path / "stderr.log").read_text()[-3000:]


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def ranks(tmp_path) -> list[dict]:
    return [json.loads((tmp_path / "ranks" / f"rank-{r}.json").read_text()) for r in (0, 1)]


def test_two_processes_train_one_adapter_and_only_rank_0_writes(tiny_model_dir, tmp_path):  # noqa: F811
    from safetensors.torch import load_file

    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=48)
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=6, save_every=3, grad_accum=1)
    proc = torchrun(tmp_path, cfg, ACCELERATE_USE_FSDP="true")  # as `accelerate launch` with an FSDP config
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr_tail(tmp_path)
    events = [e for e in map(ev.parse_event, out.splitlines()) if e is not None]
    # One voice on stdout: one start, each step once, one done; metrics.jsonl holds the same.
    assert [e.event for e in events].count("start") == 1 and events[-1].event == "done"
    assert [e.step for e in events if isinstance(e, ev.StepEvent)] == [1, 2, 3, 4, 5, 6]
    start = of(events, ev.StartEvent)[0]
    assert start.processes == 2 and events_in(cfg.output_dir) == events
    # accelerate's FSDP config is honoured with the runner's own FSDP2 sharding (issue 23)
    assert start.sharding == "fsdp" and any("the launcher asked for FSDP" in n for n in start.notes)

    r0, r1 = ranks(tmp_path)
    assert r0["adapter_sha256"] == r1["adapter_sha256"]  # gradients were averaged across processes
    saved = load_file(str(cfg.output_dir / "adapter" / "adapter_model.safetensors"))
    assert adapter_digest(saved) == r0["adapter_sha256"]
    assert len(r0["examples_per_step"]) == len(r1["examples_per_step"]) == 6
    for mine, theirs in zip(r0["examples_per_step"], r1["examples_per_step"], strict=True):
        assert mine and theirs and not set(mine) & set(theirs)  # each step dealt out, not repeated

    assert sorted(p.name for p in cfg.output_dir.iterdir()) == [
        "adapter", "checkpoint-3", "checkpoint-6", "ftwizard.lock", "manifest.json", "metrics.jsonl",
        "run_config.json", "runner.log"]
    man = Manifest.model_validate_json((cfg.output_dir / "manifest.json").read_text())
    assert man.status == "done" and man.hardware.processes == 2 and man.metrics.steps == 6
    done = events[-1]
    assert done.eval_loss_after < done.eval_loss_before


def test_ctrl_c_stops_both_processes_at_the_same_step_and_rank_0_checkpoints(tiny_model_dir, tmp_path):  # noqa: F811
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=48)
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=40, save_every=0, grad_accum=1)
    proc = torchrun(tmp_path, cfg, fault="slow=0.3")
    seen = []
    for line in proc.stdout:  # torchrun passes one SIGINT on to every process
        e = ev.parse_event(line)
        seen += [e] if e is not None else []
        if isinstance(e, ev.StepEvent) and e.step == 2:
            time.sleep(0.2)  # somewhere inside a step, not between them
            proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    err = seen[-1]
    assert isinstance(err, ev.ErrorEvent) and err.kind == "cancelled", stderr_tail(tmp_path)
    stopped = [e.step for e in seen if isinstance(e, ev.StepEvent)][-1]
    assert 2 <= stopped < 40 and err.checkpoint == str(cfg.output_dir / f"checkpoint-{stopped}")
    r0, r1 = ranks(tmp_path)
    assert len(r0["examples_per_step"]) == len(r1["examples_per_step"]) == stopped
    assert r0["adapter_sha256"] == r1["adapter_sha256"]
