"""Faults during a run (issue 9): Cancel and kill -9 lose nothing and resume where they left
off with the same data order; out-of-memory is reported with the next step down (or taken,
with auto-fallback); a full disk or a vanished dataset stop cleanly, the last checkpoint intact."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest

from ftwizard.runs import events as ev
from ftwizard.runs.config import write_run_config
from ftwizard.runs.manifest import Manifest
from ftwizard.train import checkpoint as ck
from ftwizard.train.faults import Faults
from train_fixtures import (  # noqa: F401 (fixture)
    events_in,
    run_in_process,
    tiny_model_dir,
    tiny_run_config,
    write_chat_jsonl,
)

pytestmark = [pytest.mark.slow, pytest.mark.train]
STEPS = 12


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def adapter(run_dir):
    from safetensors.torch import load_file

    return load_file(str(run_dir / "adapter" / "adapter_model.safetensors"))


def same_adapter(a, b, atol=1e-5):
    import torch

    return a.keys() == b.keys() and all(torch.allclose(a[k], b[k], atol=atol) for k in a)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return write_chat_jsonl(tmp_path_factory.mktemp("data") / "train.jsonl", rows=120)


@pytest.fixture(scope="module")
def reference(tiny_model_dir, data, tmp_path_factory):  # noqa: F811
    """The same run, never interrupted."""
    out = tmp_path_factory.mktemp("reference") / "run"
    code, _ = run_in_process(tiny_run_config(tiny_model_dir, data, out, max_steps=STEPS, save_every=0))
    assert code == ev.EXIT_OK
    return adapter(out)


def runner(cfg_file, *args, fault=""):
    env = dict(os.environ, FTWIZARD_FAULT=fault)
    return subprocess.Popen([sys.executable, "-m", "ftwizard.train", str(cfg_file), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def finish(proc) -> tuple[int, list]:
    out, _ = proc.communicate(timeout=300)
    return proc.returncode, [e for e in map(ev.parse_event, out.splitlines()) if e is not None]


def test_cancel_saves_a_checkpoint_and_resume_finishes_the_same_run(tiny_model_dir, data, reference, tmp_path):  # noqa: F811
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=STEPS, save_every=0)
    write_run_config(tmp_path / "run.json", cfg)
    proc = runner(tmp_path / "run.json", fault="slow=0.4")
    seen = []
    for line in proc.stdout:  # the user presses Cancel once the third step is shown
        e = ev.parse_event(line)
        seen.append(e)
        if isinstance(e, ev.StepEvent) and e.step == 3:
            proc.send_signal(signal.SIGINT)
            break
    code, rest = finish(proc)
    seen += rest
    assert code == ev.EXIT_CANCELLED
    saved = of(seen, ev.CheckpointEvent)[-1]
    err = seen[-1]
    assert isinstance(err, ev.ErrorEvent) and err.kind == "cancelled" and err.checkpoint == saved.path
    assert 3 <= saved.step < STEPS and not of(seen, ev.DoneEvent)
    assert Manifest.model_validate_json((cfg.output_dir / "manifest.json").read_text()).status == "cancelled"

    code, events = finish(runner(tmp_path / "run.json", "--resume"))
    assert code == ev.EXIT_OK
    assert of(events, ev.StartEvent)[0].resumed_from_step == saved.step
    assert [s.step for s in of(events, ev.StepEvent)] == list(range(saved.step + 1, STEPS + 1))
    assert of(events, ev.DoneEvent)[0].step == STEPS
    assert same_adapter(adapter(cfg.output_dir), reference)  # same data order, same RNG, same result
    assert [type(e) for e in events_in(cfg.output_dir)].count(ev.StartEvent) == 2  # one history


def test_kill_9_in_the_middle_of_a_checkpoint_then_resume(tiny_model_dir, data, reference, tmp_path):  # noqa: F811
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=STEPS, save_every=4)
    write_run_config(tmp_path / "run.json", cfg)
    code, events = finish(runner(tmp_path / "run.json", fault="kill@checkpoint=2"))
    assert code == -signal.SIGKILL
    assert (cfg.output_dir / "checkpoint-8.tmp").is_dir()  # files written, never sealed
    assert ck.latest_checkpoint(cfg.output_dir).name == "checkpoint-4"

    code, events = finish(runner(tmp_path / "run.json", "--resume"))
    assert code == ev.EXIT_OK
    assert "removed half-written checkpoint-8.tmp" in [w.message for w in of(events, ev.WarningEvent)]
    assert of(events, ev.StartEvent)[0].resumed_from_step == 4
    assert of(events, ev.DoneEvent)[0].step == STEPS
    assert same_adapter(adapter(cfg.output_dir), reference)


def test_out_of_memory_names_the_next_step_and_resume_with_it_finishes(tiny_model_dir, data, tmp_path):  # noqa: F811
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=STEPS, save_every=0)
    code, events = run_in_process(cfg, Faults.from_env("oom@step=3"))
    assert code == ev.EXIT_OOM
    err = events[-1]
    assert isinstance(err, ev.ErrorEvent) and err.kind == "oom" and err.step == 2
    assert "micro_batch 2 -> 1 with grad_accum 2 -> 4" in err.suggestion
    assert err.checkpoint.endswith("checkpoint-2")  # the two finished steps are kept

    smaller = cfg.model_copy(update={"micro_batch": 1, "grad_accum": 4, "resume": True})
    code, events = run_in_process(smaller)
    assert code == ev.EXIT_OK and of(events, ev.StartEvent)[0].resumed_from_step == 2
    assert [s.step for s in of(events, ev.StepEvent)] == list(range(3, STEPS + 1))
    assert "batch settings changed" not in " ".join(w.message for w in of(events, ev.WarningEvent))


def test_auto_fallback_takes_the_ladder_itself_and_finishes(tiny_model_dir, data, tmp_path):  # noqa: F811
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=STEPS, micro_batch=4,
                          grad_accum=1, auto_fallback=True, eval_every=5)
    code, events = run_in_process(cfg, Faults.from_env("oom@micro_batch>1"))
    assert code == ev.EXIT_OK
    said = [w.message for w in of(events, ev.WarningEvent) if w.kind == "fallback"]
    assert said == ["out of memory at step 1: micro_batch 4 -> 2 with grad_accum 1 -> 2 (same effective batch); continuing",
                    "out of memory at step 1: micro_batch 2 -> 1 with grad_accum 2 -> 4 (same effective batch); continuing"]
    assert of(events, ev.DoneEvent)[0].step == STEPS
    assert [(e.phase, e.step) for e in of(events, ev.EvalEvent)] == [
        ("before", 0), ("during", 5), ("during", 10), ("after", STEPS)]
    man = Manifest.model_validate_json((cfg.output_dir / "manifest.json").read_text())
    assert (man.run_config.micro_batch, man.run_config.grad_accum) == (1, 4)
    assert man.notes == said


def test_a_full_disk_stops_the_run_and_keeps_the_last_checkpoint(tiny_model_dir, data, tmp_path):  # noqa: F811
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=STEPS, save_every=4)
    code, events = run_in_process(cfg, Faults.from_env("disk@checkpoint=2"))
    assert code == ev.EXIT_BAD_INPUT
    err = events[-1]
    assert err.kind == "disk" and "checkpoint-8" in err.message and "checkpoint-4" in err.suggestion
    assert err.checkpoint.endswith("checkpoint-4")
    assert sorted(p.name for p in cfg.output_dir.glob("checkpoint-*")) == ["checkpoint-4"]
    assert ck.latest_checkpoint(cfg.output_dir).name == "checkpoint-4"


class VanishAfter(Faults):
    """The data file disappears (a share unmounted, a colleague's clean-up) after step 2."""

    def __init__(self, path, step):
        super().__init__()
        self.path, self.step, self.steps = path, step, 0

    def after_step(self, step):
        self.steps += 1
        if self.steps == self.step:
            shutil.move(self.path, self.path.with_suffix(".away"))
        return super().after_step(step)


def test_a_vanished_dataset_stops_the_run_with_a_clear_error(tiny_model_dir, data, tmp_path):  # noqa: F811
    mine = tmp_path / "train.jsonl"
    shutil.copy(data, mine)
    cfg = tiny_run_config(tiny_model_dir, mine, tmp_path / "run", max_steps=STEPS, save_every=4)
    code, events = run_in_process(cfg, VanishAfter(mine, 2))
    assert code == ev.EXIT_BAD_INPUT
    err = events[-1]
    assert err.kind == "data" and "vanished" in err.message and str(mine) in err.message
    assert err.checkpoint.endswith("checkpoint-4") and ck.latest_checkpoint(cfg.output_dir).name == "checkpoint-4"

    shutil.move(mine.with_suffix(".away"), mine)  # the file is back: the run goes on
    code, events = run_in_process(cfg.model_copy(update={"resume": True}))
    assert code == ev.EXIT_OK and of(events, ev.StartEvent)[0].resumed_from_step == 4


def test_resume_refuses_changed_data(tiny_model_dir, data, tmp_path):  # noqa: F811
    mine = tmp_path / "train.jsonl"
    shutil.copy(data, mine)
    cfg = tiny_run_config(tiny_model_dir, mine, tmp_path / "run", max_steps=4, save_every=2)
    assert run_in_process(cfg, Faults.from_env("oom@step=4"))[0] == ev.EXIT_OOM
    write_chat_jsonl(mine, rows=120, seed=5)
    code, events = run_in_process(cfg.model_copy(update={"resume": True}))
    assert code == ev.EXIT_BAD_INPUT
    assert events[-1].kind == "data" and "changed since checkpoint-3" in events[-1].message
