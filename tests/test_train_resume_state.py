"""Resume restores the exact state a run had (issue 19).

Each checkpoint records a digest of every part that decides the run's future (trainable
weights, optimizer state, schedule, random state, data position, the frozen base with its
4-bit constants and layout) and, for DPO, the reference log-probabilities of a fixed batch.
A resumed run recomputes them from what it restored, before any further step, and names the
parts that differ. These tests resume in a fresh process for every method and require no
part to differ; then they drop each part on purpose and require the check to name exactly it.

They also pin the cause found on CPUs with AVX-512-BF16: bitsandbytes repacked 4-bit weights
in place on the first evaluation (eval mode, no grad) and lost the gradient through them.
"""

from __future__ import annotations

import json
import os
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
    write_preference_jsonl,
)

pytestmark = [pytest.mark.slow, pytest.mark.train, pytest.mark.usefixtures("one_torch_thread")]
STEPS, CUT = 6, 3
PARTS = ("trainable", "optimizer", "schedule", "rng", "data", "base")


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    return write_chat_jsonl(tmp_path_factory.mktemp("data") / "train.jsonl", rows=60)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_preference_jsonl(tmp_path_factory.mktemp("pairs") / "pairs.jsonl", rows=40)


def config(tiny_model_dir, data, out, method, objective="sft"):  # noqa: F811
    extra = {"objective": "dpo", "learning_rate": 5e-3} if objective == "dpo" else {}
    return tiny_run_config(tiny_model_dir, data, out, method=method, max_steps=STEPS, save_every=0,
                           eval_every=2, **extra)


def cancelled_at_cut(cfg):
    """Cancel during step CUT (deterministically): checkpoint-CUT holds what the run had."""
    code, events = run_in_process(cfg, faults=Faults.from_env(f"cancel@step={CUT}"))
    assert code == ev.EXIT_CANCELLED, [e for e in events if isinstance(e, ev.ErrorEvent)]
    state = json.loads((cfg.output_dir / f"checkpoint-{CUT}" / "state.json").read_text())
    assert set(state["digests"]) == set(PARTS)
    return state


def resume_in_fresh_process(cfg, tmp_path, fault=""):
    write_run_config(tmp_path / "resume.json", cfg.model_copy(update={"resume": True}))
    env = dict(os.environ, FTWIZARD_FAULT=fault, OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "ftwizard.train", str(tmp_path / "resume.json")], env=env,
                          capture_output=True, text=True, timeout=600)
    events = [e for e in map(ev.parse_event, proc.stdout.splitlines()) if e is not None]
    return proc.returncode, events


@pytest.mark.parametrize("method,objective", [("qlora", "sft"), ("lora", "sft"), ("full", "sft"), ("qlora", "dpo")])
def test_a_fresh_process_restores_every_part_the_checkpoint_recorded(
    tiny_model_dir, chat, pairs, tmp_path, method, objective  # noqa: F811
):
    cfg = config(tiny_model_dir, pairs if objective == "dpo" else chat, tmp_path / "run", method, objective)
    state = cancelled_at_cut(cfg)
    if objective == "dpo":
        assert state["reference_logps"] and all(v < 0 for v in state["reference_logps"])
    code, events = resume_in_fresh_process(cfg, tmp_path)
    assert code == ev.EXIT_OK, [e for e in events if isinstance(e, ev.ErrorEvent)]
    check = of(events, ev.StartEvent)[0].resume_check
    assert check["checkpoint"] == f"checkpoint-{CUT}"
    assert check["differ"] == [], check
    assert check["digests"] == state["digests"]  # part by part: the failing key names the part
    assert not [w for w in of(events, ev.WarningEvent) if "differs" in w.message]


@pytest.mark.parametrize("part", ["trainable", "optimizer", "rng", "data", "base"])
def test_a_part_left_out_on_resume_is_named(tiny_model_dir, pairs, tmp_path, part):  # noqa: F811
    """The check is strict: drop one part on purpose and it names that part (and, for the
    base weights, the DPO reference computed from them), nothing else."""
    cfg = config(tiny_model_dir, pairs, tmp_path / "run", "qlora", "dpo")
    cancelled_at_cut(cfg)
    code, events = run_in_process(cfg.model_copy(update={"resume": True}),
                                  faults=Faults.from_env(f"forget={part},cancel@step={CUT + 1}"))
    check = of(events, ev.StartEvent)[0].resume_check
    assert check["differ"] == ([part, "reference"] if part == "base" else [part])
    assert any(part in w.message and "differs" in w.message for w in of(events, ev.WarningEvent))


@pytest.fixture()
def four_bit(tiny_model_dir):  # noqa: F811
    """The tiny model as the runner loads it for QLoRA (NF4, double quantisation, LoRA)."""
    from ftwizard.train.device import pick_device
    from ftwizard.train.model import build_model
    from ftwizard.train.model_folder import check_model_folder

    cfg = tiny_run_config(tiny_model_dir, tiny_model_dir / "x.jsonl", tiny_model_dir / "unused", method="qlora")
    built = build_model(cfg, check_model_folder(cfg.model_dir, False, False), pick_device(0), "fp32", quantise=True)
    return built.model


def test_an_evaluation_leaves_the_4bit_layers_and_their_gradients_as_they_were(four_bit, tiny_model_dir):  # noqa: F811
    """A holdout evaluation (eval mode, no grad) must not change a 4-bit layer: on CPUs with
    AVX-512-BF16 bitsandbytes repacks it in place for inference unless the runner pins the
    layout, and the gradient through it is lost from then on."""
    import torch

    from ftwizard.train.model import check_4bit_gradients, repacked_4bit_layers
    from ftwizard.train.state_digest import _base, digest_tree

    before = digest_tree(_base(four_bit))
    assert max(check_4bit_gradients(four_bit)) < 1e-4
    four_bit.eval()
    ids = torch.tensor([[1, 5, 9, 12, 7, 3]])
    with torch.no_grad():
        first = four_bit(input_ids=ids).logits
        second = four_bit(input_ids=ids).logits
    four_bit.train()
    assert repacked_4bit_layers(four_bit) == []
    assert digest_tree(_base(four_bit)) == before
    assert torch.equal(first, second)
    forward_err, grad_err = check_4bit_gradients(four_bit)
    assert forward_err < 1e-4 and grad_err < 1e-4


def test_the_gradient_check_catches_a_layer_that_drops_its_gradient(four_bit, monkeypatch):  # noqa: F811
    """The runner's start-up check fails when a 4-bit layer's backward is wrong (here its
    matmul passes no gradient to its input, as bitsandbytes' CPU inference kernel does)."""
    import bitsandbytes as bnb

    from ftwizard.train.model import check_4bit_gradients

    real = bnb.matmul_4bit

    def no_input_gradient(A, B, quant_state, out=None, bias=None):
        return real(A.detach(), B, quant_state=quant_state, out=out, bias=bias) + 0 * A.sum()

    monkeypatch.setattr(bnb, "matmul_4bit", no_input_gradient)
    forward_err, grad_err = check_4bit_gradients(four_bit)
    assert forward_err < 1e-4 and grad_err > 0.5


def test_a_checkpoint_damaged_after_it_was_sealed_is_named_and_the_one_before_is_used(
    tiny_model_dir, chat, tmp_path  # noqa: F811
):
    """A zeroed optimizer.pt of the right size (a bad sector, a bad copy) fails its SHA-256:
    resume names the file, falls back to the previous checkpoint, and never passes on
    torch's advice to turn safe loading off."""
    cfg = tiny_run_config(tiny_model_dir, chat, tmp_path / "run", max_steps=STEPS, save_every=2, keep_checkpoints=3)
    code, _ = run_in_process(cfg, faults=Faults.from_env("cancel@step=5"))
    assert code == ev.EXIT_CANCELLED
    damaged = cfg.output_dir / "checkpoint-5" / "optimizer.pt"
    damaged.write_bytes(b"\0" * damaged.stat().st_size)
    code, events = run_in_process(cfg.model_copy(update={"resume": True}))
    assert code == ev.EXIT_OK
    start = of(events, ev.StartEvent)[0]
    assert start.resumed_from_step == 4 and start.resume_check["differ"] == []
    warned = " ".join(w.message for w in of(events, ev.WarningEvent))
    assert "checkpoint-5" in warned and str(damaged) in warned and "SHA-256" in warned
    assert "weights_only" not in warned


def test_an_unreadable_checkpoint_file_without_a_recorded_digest_is_named_without_torch_advice(tmp_path):
    from ftwizard.train.checkpoint import DamagedCheckpoint, load_torch_file

    bad = tmp_path / "optimizer.pt"
    bad.write_bytes(b"\0" * 512)
    with pytest.raises(DamagedCheckpoint) as err:
        load_torch_file(bad)
    assert str(bad) in str(err.value) and "weights_only" not in str(err.value)
