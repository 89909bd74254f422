"""Sharded training (issue 23): the runner with `sharding: fsdp` under
`torchrun --nproc_per_node 2` on CPU (gloo) shards the model with PyTorch FSDP2, each
process holding half of it, and ends with the adapter one process would have trained;
sharded checkpoints resume at the same or another number of processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from ftwizard.runs import events as ev
from ftwizard.runs.config import write_run_config
from ftwizard.train.faults import Faults
from train_fixtures import (  # noqa: F401 (fixtures)
    one_torch_thread,
    run_in_process,
    tiny_model_dir,
    tiny_run_config,
    write_chat_jsonl,
)

pytestmark = [pytest.mark.slow, pytest.mark.train, pytest.mark.usefixtures("one_torch_thread")]
STEPS = 4


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def torchrun(tmp_path, cfg, name: str, fault: str = "", nproc: int = 2):
    """`python -m torch.distributed.run` as the exported recipes call it; (exit code, events)."""
    write_run_config(tmp_path / f"{name}.json", cfg)
    env = dict(os.environ, FTWIZARD_FAULT=fault, OMP_NUM_THREADS="1")
    with open(tmp_path / f"{name}.err", "w") as err:
        proc = subprocess.run(
            [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(nproc), "--standalone",
             "-m", "ftwizard.train", str(tmp_path / f"{name}.json")],
            env=env, stdout=subprocess.PIPE, stderr=err, text=True, timeout=600)
    events = [e for e in map(ev.parse_event, proc.stdout.splitlines()) if e is not None]
    return proc.returncode, events


def adapter(run_dir):
    from safetensors.torch import load_file

    return load_file(str(run_dir / "adapter" / "adapter_model.safetensors"))


def max_diff(a, b) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    # Enough rows that every step of the run is a full one: the last, partial step of an epoch is
    # padded across processes (as DistributedSampler) and would differ from one process by design.
    return write_chat_jsonl(tmp_path_factory.mktemp("data") / "train.jsonl", rows=96)


def config(model_dir, data, out, method):
    # No LoRA dropout: each process draws its own masks, so only a dropout-free run can be
    # compared weight for weight across process counts.
    return tiny_run_config(model_dir, data, out, method=method, max_steps=STEPS, save_every=2, grad_accum=1,
                           lora_dropout=0.0, sharding="fsdp", learning_rate=1e-3)


@pytest.fixture(scope="module", params=["lora", "qlora"])
def pair(request, tiny_model_dir, data, tmp_path_factory):  # noqa: F811
    """The same sharded config run by two processes, and by one with the same global batch
    (grad_accum doubled: a step takes the same sequences either way)."""
    tmp = tmp_path_factory.mktemp(f"sharded-{request.param}")
    cfg2 = config(tiny_model_dir, data, tmp / "two", request.param)
    cfg = cfg2.model_copy(update={"output_dir": tmp / "one", "grad_accum": 2})
    code1, one = run_in_process(cfg)
    assert code1 == ev.EXIT_OK, of(one, ev.ErrorEvent)
    code2, two = torchrun(tmp, cfg2, "two")
    assert code2 == ev.EXIT_OK, (tmp / "two.err").read_text()[-3000:]
    return cfg, one, cfg2, two, tmp


def test_two_processes_each_hold_half_and_train_the_one_process_adapter(pair):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    cfg, one, cfg2, two, _ = pair
    assert [e.event for e in two].count("start") == 1 and [e.event for e in two].count("done") == 1
    start = of(two, ev.StartEvent)[0]
    assert (start.sharding, start.world_size, start.processes) == ("fsdp", 2, 2)
    assert 0.48 <= start.local_param_fraction <= 0.52
    assert any("AdamW" in n for n in start.notes)  # 8-bit optimizers cannot step shards: said so
    alone = of(one, ev.StartEvent)[0]
    assert (alone.sharding, alone.local_param_fraction) == ("none", 1.0)
    steps = of(two, ev.StepEvent)
    assert [s.step for s in steps] == list(range(1, STEPS + 1)) and steps[-1].loss < steps[0].loss
    done = of(two, ev.DoneEvent)[0]
    assert done.eval_loss_after < done.eval_loss_before - 0.1
    assert done.eval_loss_after == pytest.approx(of(one, ev.DoneEvent)[0].eval_loss_after, abs=1e-4)
    assert max_diff(adapter(cfg.output_dir), adapter(cfg2.output_dir)) < 1e-5
    base = AutoModelForCausalLM.from_pretrained(cfg.model_dir, local_files_only=True)
    PeftModel.from_pretrained(base, cfg2.output_dir / "adapter")  # the gathered adapter loads as any other


def test_a_sharded_run_cancelled_resumes_to_the_same_adapter_at_two_processes_or_one(pair):
    cfg, _, cfg2, _, tmp = pair
    cut = cfg2.model_copy(update={"output_dir": tmp / "cut"})
    code, events = torchrun(tmp, cut, "cut", fault="cancel@step=3")
    # torchrun exits 1 when its processes exit 3 (cancelled): the stream says what happened.
    assert code != 0 and events[-1].event == "error" and events[-1].kind == "cancelled", events[-1]
    saved = cut.output_dir / "checkpoint-3"
    assert sorted(p.name for p in saved.iterdir()) == ["COMPLETE.json", "dcp", "rng-0.pt", "rng-1.pt", "state.json"]
    shutil.copytree(cut.output_dir, tmp / "cut-alone")

    code, events = torchrun(tmp, cut.model_copy(update={"resume": True}), "resume")
    assert code == ev.EXIT_OK, (tmp / "resume.err").read_text()[-3000:]
    check = of(events, ev.StartEvent)[0].resume_check
    assert check["checkpoint"] == "checkpoint-3" and check["differ"] == []
    assert max_diff(adapter(cut.output_dir), adapter(cfg2.output_dir)) < 1e-6  # as never interrupted

    alone = cut.model_copy(update={"output_dir": tmp / "cut-alone", "resume": True, "grad_accum": 2})
    code, events = run_in_process(alone, faults=Faults())
    assert code == ev.EXIT_OK, of(events, ev.ErrorEvent)
    start = of(events, ev.StartEvent)[0]
    # weights and moments gathered whole, random state, data position: all as saved by two processes
    assert start.resumed_from_step == 3 and start.resume_check["differ"] == []
    assert max_diff(adapter(alone.output_dir), adapter(cfg2.output_dir)) < 1e-4


def test_a_sharded_checkpoint_is_not_resumed_unsharded(pair):
    cfg, *_ = pair
    code, events = run_in_process(cfg.model_copy(update={"resume": True, "sharding": "none"}))
    err = of(events, ev.ErrorEvent)[0]
    assert code == ev.EXIT_BAD_INPUT and "sharding fsdp" in err.message


def test_deepspeed_is_refused_with_a_config_error(tiny_model_dir, data, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ACCELERATE_USE_DEEPSPEED", "true")
    code, events = run_in_process(tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=1))
    err = of(events, ev.ErrorEvent)[0]
    assert code == ev.EXIT_BAD_INPUT and err.kind == "config" and "DeepSpeed" in err.message


def test_ftwizard_train_starts_the_sharded_processes_itself(tiny_model_dir, data, tmp_path):  # noqa: F811
    """`ftwizard train --sharding fsdp --nproc 2` runs torchrun for the user; the events and
    the exit code are the runner's (torchrun's own exit code says only 'a child failed')."""
    run = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "ftwizard", "train", "--model-dir", str(tiny_model_dir), "--data", str(data),
         "--output", str(run), "--method", "lora", "--max-steps", "2", "--seq-len", "64", "--micro-batch", "2",
         "--grad-accum", "1", "--sharding", "fsdp", "--nproc", "2", "--json", "--python", sys.executable],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [ev.parse_event(line) for line in proc.stdout.splitlines()]
    start = next(e for e in events if e.event == "start")
    assert (start.sharding, start.world_size) == ("fsdp", 2) and events[-1].event == "done"


def test_the_cli_reports_the_runners_exit_code_for_the_final_event():
    from ftwizard.cli.train_cmd import exit_code_of
    from ftwizard.runs.launch import runner_argv

    assert exit_code_of(ev.ErrorEvent(kind="cancelled", message="x")) == ev.EXIT_CANCELLED
    assert exit_code_of(ev.ErrorEvent(kind="oom", message="x")) == ev.EXIT_OOM
    assert exit_code_of(ev.ErrorEvent(kind="data", message="x")) == ev.EXIT_BAD_INPUT
    argv = runner_argv("py", "run.json", 4)
    assert argv[:4] == ["py", "-m", "torch.distributed.run", "--standalone"] and "4" in argv
    assert runner_argv("py", "run.json", 1) == ["py", "-m", "ftwizard.train", "run.json"]


def test_a_multi_gpu_plan_runs_as_that_many_sharded_processes(tmp_path):
    """The plan's strategy and GPU count reach run.json, and the GUI's launcher starts torchrun
    with that many processes (runs.launch)."""
    from pathlib import Path

    from ftwizard.catalog.store import load_catalog
    from ftwizard.recommend.answers import load_answers
    from ftwizard.recommend.hyperparams import run_config_for
    from ftwizard.recommend.ranking import recommend
    from ftwizard.runs.launch import runner_argv

    examples = Path(__file__).resolve().parents[1] / "examples"
    plan = recommend(load_answers(examples / "answers-support-bot.json"), load_catalog())
    rec = plan.recommendations[0]
    sharded = rec.model_copy(update={"hardware": rec.hardware.model_copy(update={"count": 4, "strategy": "fsdp"})})
    cfg = run_config_for(sharded, plan.answers)
    assert (cfg.sharding, cfg.processes) == ("fsdp", 4)
    argv = runner_argv("python", tmp_path / "run_config.json", cfg.processes)
    assert argv[argv.index("--nproc_per_node") + 1] == "4" and argv[-2:] == ["ftwizard.train", str(tmp_path / "run_config.json")]
    single = run_config_for(rec.model_copy(update={"hardware": rec.hardware.model_copy(update={"count": 1, "strategy": "single"})}), plan.answers)
    assert (single.sharding, single.processes) == ("none", 1)
