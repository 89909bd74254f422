"""Checkpoints are atomic: a half-written one is never taken for a complete one (issue 9)."""

from __future__ import annotations

import errno
import json

import pytest

from ftwizard.runs.config import RunConfig
from ftwizard.train import checkpoint as ck
from ftwizard.train.faults import Faults, next_rung


def _writer(payload: bytes):
    def write(folder):
        (folder / "weights.bin").write_bytes(payload)
        (folder / "state.json").write_text(json.dumps({"n": len(payload)}))
    return write


def test_the_newest_complete_checkpoint_wins_and_old_ones_are_pruned(tmp_path):
    for step in (5, 10, 15):
        ck.save_checkpoint(tmp_path, step, _writer(b"x" * step))
    assert ck.latest_checkpoint(tmp_path).name == "checkpoint-15"
    ck.prune(tmp_path, keep=2)
    assert [s for s, _ in ck.checkpoints(tmp_path)] == [10, 15]
    marker = json.loads((tmp_path / "checkpoint-15" / ck.COMPLETE).read_text())
    assert marker["files"]["weights.bin"] == 15


def test_a_checkpoint_interrupted_before_its_seal_is_skipped_and_removed(tmp_path):
    ck.save_checkpoint(tmp_path, 5, _writer(b"good"))

    def crash():
        raise KeyboardInterrupt  # as if the process died between the files and the marker

    with pytest.raises(KeyboardInterrupt):
        ck.save_checkpoint(tmp_path, 10, _writer(b"half"), before_seal=crash)
    assert ck.latest_checkpoint(tmp_path).name == "checkpoint-5"
    # a killed process (no cleanup at all) leaves a .tmp folder behind: resume removes it
    (tmp_path / "checkpoint-10.tmp").mkdir()
    (tmp_path / "checkpoint-10.tmp" / "weights.bin").write_bytes(b"half")
    assert [p.name for p in ck.remove_incomplete(tmp_path)] == ["checkpoint-10.tmp"]
    assert ck.latest_checkpoint(tmp_path).name == "checkpoint-5"


def test_a_damaged_checkpoint_is_skipped(tmp_path):
    ck.save_checkpoint(tmp_path, 5, _writer(b"good"))
    ck.save_checkpoint(tmp_path, 10, _writer(b"0123456789"))
    (tmp_path / "checkpoint-10" / "weights.bin").write_bytes(b"0123")  # truncated by a crash or a copy
    assert ck.latest_checkpoint(tmp_path).name == "checkpoint-5"
    assert [p.name for p in ck.incomplete_checkpoints(tmp_path)] == ["checkpoint-10"]


def test_disk_full_while_saving_leaves_no_partial_folder(tmp_path):
    ck.save_checkpoint(tmp_path, 5, _writer(b"good"))
    faults = Faults.from_env("disk@checkpoint=1")
    with pytest.raises(OSError) as exc:
        ck.save_checkpoint(tmp_path, 10, _writer(b"new"), before_seal=faults.before_seal)
    assert exc.value.errno == errno.ENOSPC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-5"]


def test_saving_the_same_step_again_replaces_it_whole(tmp_path):
    ck.save_checkpoint(tmp_path, 5, _writer(b"first"))
    ck.save_checkpoint(tmp_path, 5, _writer(b"second!"))
    assert (tmp_path / "checkpoint-5" / "weights.bin").read_bytes() == b"second!"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint-5"]


def _cfg(tmp_path, **kw):
    return RunConfig(model_dir=tmp_path, data_path=tmp_path / "d.jsonl", output_dir=tmp_path / "o", **kw)


def test_the_memory_ladder_keeps_the_maths_first_and_cuts_data_last(tmp_path):
    cfg = _cfg(tmp_path, micro_batch=4, grad_accum=4, grad_ckpt=False, optimizer="adamw", seq_len=1024)
    seen = []
    while (rung := next_rung(cfg, have_8bit=True)) is not None:
        update, what = rung
        seen.append(what)
        if "micro_batch" in update:  # the effective batch never changes
            assert update["micro_batch"] * update["grad_accum"] == 16
        cfg = cfg.model_copy(update=update)
    assert [w.split()[0] for w in seen] == ["micro_batch", "micro_batch", "gradient", "optimizer", "seq_len", "seq_len", "seq_len"]
    assert cfg.micro_batch == 1 and cfg.grad_ckpt and cfg.optimizer == "paged_adamw_8bit" and cfg.seq_len == 128
    # without bitsandbytes the 8-bit rung is not offered
    no_bnb = _cfg(tmp_path, micro_batch=1, grad_ckpt=True, optimizer="adamw", seq_len=128)
    assert next_rung(no_bnb, have_8bit=False) is None


def test_the_fault_injector_refuses_what_it_does_not_know():
    from ftwizard.base.errors import RunConfigError

    f = Faults.from_env("oom@step=3, kill@checkpoint=2,slow=0.1")
    assert f.oom_steps == {3} and f.kill_checkpoint == 2 and f.slow_s == 0.1
    with pytest.raises(RunConfigError, match="oom@later"):
        Faults.from_env("oom@later")
