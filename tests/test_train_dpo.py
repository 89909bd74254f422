"""Preference tuning (issue 11): a DPO adapter on the tiny local model learns to put the right
answer ahead of the wrong one, reports rewards and margins as it goes, saves an adapter that
reloads with the same scores, and stops and resumes like a supervised run."""

from __future__ import annotations

import argparse
import math

import pytest

from ftwizard.base.errors import RunConfigError
from ftwizard.cli.main import build_parser
from ftwizard.cli.train_cmd import build_config
from ftwizard.runs import events as ev
from ftwizard.runs.event_text import human
from ftwizard.runs.manifest import Manifest
from ftwizard.train.faults import Faults
from train_fixtures import (  # noqa: F401 (fixture)
    one_torch_thread,
    run_in_process,
    tiny_model_dir,
    tiny_run_config,
    write_chat_jsonl,
    write_preference_jsonl,
)

STEPS = 20


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def dpo_config(model_dir, data, holdout, out, **kw):
    return tiny_run_config(model_dir, data, out, holdout_path=holdout, objective="dpo", max_steps=STEPS,
                           save_every=0, **kw)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    d = tmp_path_factory.mktemp("pairs")
    return write_preference_jsonl(d / "train.jsonl", rows=120), write_preference_jsonl(d / "holdout.jsonl", 24, seed=1)


@pytest.fixture(scope="module")
def finished(tiny_model_dir, pairs, tmp_path_factory, one_torch_thread):  # noqa: F811
    cfg = dpo_config(tiny_model_dir, *pairs, tmp_path_factory.mktemp("dpo") / "run")
    code, events = run_in_process(cfg)
    assert code == ev.EXIT_OK, of(events, ev.ErrorEvent)
    return cfg, events


@pytest.mark.slow
def test_preference_tuning_puts_the_right_answers_ahead_on_the_holdout(finished):
    cfg, events = finished
    start = of(events, ev.StartEvent)[0]
    assert (start.objective, start.method, start.train_examples, start.holdout_examples) == ("dpo", "qlora", 120, 24)
    before, after = (e for e in of(events, ev.EvalEvent) if e.phase in ("before", "after"))
    # Before any step the adapter adds nothing: the model is its own reference.
    assert (before.reward_margin, before.reward_accuracy) == (0.0, 0.5)
    assert before.dpo_loss == pytest.approx(math.log(2), abs=1e-6)
    # Thresholds from benchmarks/RESULTS.md "Learning spread across seeds" (6 seeds): margin min
    # 0.61, mean 0.82, sd 0.14; accuracy min 0.875; loss drop min 0.24, mean 0.29, sd 0.04.
    # Each sits below the minimum and >= 3 sd below the mean; the gradient-losing runner of
    # issue 19 reached a 0.38 margin.
    assert after.reward_accuracy >= 0.75 and after.reward_margin > 0.4
    assert after.dpo_loss < before.dpo_loss - 0.15
    assert after.rewards_chosen > after.rewards_rejected
    steps = of(events, ev.StepEvent)
    assert [s.step for s in steps] == list(range(1, STEPS + 1))
    assert all(s.reward_margin is not None and 0 <= s.reward_accuracy <= 1 for s in steps)
    assert sum(s.reward_margin for s in steps[-5:]) > sum(s.reward_margin for s in steps[:5])
    done = of(events, ev.DoneEvent)[0]
    assert (done.reward_margin_before, done.reward_accuracy_before) == (0.0, 0.5)
    assert (done.reward_margin_after, done.reward_accuracy_after) == (after.reward_margin, after.reward_accuracy)


@pytest.mark.slow
def test_the_adapter_reloads_and_scores_the_holdout_the_same(finished):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    from ftwizard.train import data as D
    from ftwizard.train import dpo
    from ftwizard.train.model import pin_4bit_layout

    cfg, events = finished
    done = of(events, ev.DoneEvent)[0]
    tok = AutoTokenizer.from_pretrained(done.adapter_dir, local_files_only=True)
    rows = D.read_rows(cfg.holdout_path)
    held = [dpo.tokenize_pair(tok, tok.chat_template, ex, line, cfg.seq_len) for line, ex in rows.examples]
    batch, _ = dpo.collate_pairs(held, [[i] for i in range(len(held))], tok.pad_token_id)
    q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                           bnb_4bit_compute_dtype=torch.float32)
    base = AutoModelForCausalLM.from_pretrained(cfg.model_dir, quantization_config=q, device_map={"": "cpu"},
                                                dtype=torch.float32, local_files_only=True)
    # As the runner: the 4-bit layers keep their training layout (no CPU inference repack).
    assert pin_4bit_layout(base) > 0
    tuned = PeftModel.from_pretrained(base, done.adapter_dir).eval()
    with torch.no_grad():
        logps, tokens = dpo.sequence_logps(tuned, batch, "cpu")
        ref = dpo.reference_logps(tuned, batch, "cpu")
    _, rc, rr = dpo.pair_losses(logps, ref, tokens, cfg.dpo_beta, cfg.dpo_loss_type)
    assert float((rc - rr).mean()) == pytest.approx(done.reward_margin_after, rel=1e-4)


@pytest.mark.slow
def test_the_manifest_records_the_preference_run(finished):
    cfg, events = finished
    done = of(events, ev.DoneEvent)[0]
    man = Manifest.model_validate_json((cfg.output_dir / "manifest.json").read_text())
    assert man.run_config.objective == "dpo" and man.run_config.dpo_beta == 0.1
    assert man.run_config.dpo_loss_type == "sigmoid"
    assert man.run_config.packing is False  # pairs are scored per sequence
    m = man.metrics
    assert (m.reward_margin_before, m.reward_accuracy_before) == (0.0, 0.5)
    assert (m.reward_margin_after, m.reward_accuracy_after) == (done.reward_margin_after, done.reward_accuracy_after)
    assert man.dataset.train_examples == 120 and man.hardware.processes == 1
    stream = (cfg.output_dir / "metrics.jsonl").read_text()
    for secret in ("count from", "colour is the", "the sky is"):
        assert secret not in stream


@pytest.mark.slow
def test_an_interrupted_preference_run_resumes_to_the_same_adapter(tiny_model_dir, pairs, finished, tmp_path,  # noqa: F811
                                                                   one_torch_thread):  # noqa: F811
    from safetensors.torch import load_file

    cfg = dpo_config(tiny_model_dir, *pairs, tmp_path / "run")
    code, events = run_in_process(cfg, Faults.from_env("oom@step=9"))
    assert code == ev.EXIT_OOM and of(events, ev.CheckpointEvent)[-1].step == 8
    code, events = run_in_process(cfg.model_copy(update={"resume": True}))
    assert code == ev.EXIT_OK and of(events, ev.StartEvent)[0].resumed_from_step == 8
    assert of(events, ev.DoneEvent)[0].reward_margin_before == 0.0  # kept from the first start
    resumed = load_file(str(tmp_path / "run" / "adapter" / "adapter_model.safetensors"))
    whole = load_file(str(finished[0].output_dir / "adapter" / "adapter_model.safetensors"))
    assert resumed.keys() == whole.keys()
    assert all(float((resumed[k] - whole[k]).abs().max()) < 1e-5 for k in whole)


@pytest.mark.slow
def test_preference_tuning_needs_an_adapter_and_preference_rows(tiny_model_dir, tmp_path):  # noqa: F811
    pairs = write_preference_jsonl(tmp_path / "pairs.jsonl", rows=8)
    code, events = run_in_process(tiny_run_config(tiny_model_dir, pairs, tmp_path / "a", objective="dpo",
                                                  method="full"))
    assert code == ev.EXIT_BAD_INPUT and "qlora or lora" in of(events, ev.ErrorEvent)[0].message

    chats = write_chat_jsonl(tmp_path / "chat.jsonl", rows=6)
    code, events = run_in_process(tiny_run_config(tiny_model_dir, chats, tmp_path / "b", objective="dpo"))
    warning = [w for w in of(events, ev.WarningEvent) if w.kind == "data"][0]
    assert warning.line_numbers == [1, 2, 3, 4, 5, 6] and "not preference pairs" in warning.message
    err = of(events, ev.ErrorEvent)[0]
    assert code == ev.EXIT_BAD_INPUT and err.kind == "data" and "objective dpo needs preference pairs" in err.message


def parse(*argv) -> argparse.Namespace:
    return build_parser().parse_args(["train", "--model-dir", "m", "--data", "d.jsonl", "--output", "o", *argv])


def test_the_cli_trains_dpo_with_a_qlora_or_lora_adapter():
    cfg = build_config(parse("--method", "dpo", "--dpo-beta", "0.2", "--dpo-loss", "ipo"))
    assert (cfg.objective, cfg.method, cfg.dpo_beta, cfg.dpo_loss_type) == ("dpo", "qlora", 0.2, "ipo")
    cfg = build_config(parse("--method", "dpo", "--adapter", "lora"))
    assert (cfg.objective, cfg.method) == ("dpo", "lora")
    cfg = build_config(parse("--method", "full"))
    assert (cfg.objective, cfg.method, cfg.dpo_beta) == ("sft", "full", 0.1)
    with pytest.raises(RunConfigError, match="--adapter goes with --method dpo"):
        build_config(parse("--method", "lora", "--adapter", "qlora"))


def test_the_cli_shows_rewards_beside_the_loss():
    step = ev.StepEvent(step=3, max_steps=20, epoch=0.1, loss=0.61, lr=1e-3, tokens_per_s=900.0, peak_mem_gb=0.5,
                        eta_s=20.0, rewards_chosen=0.2, rewards_rejected=-0.1, reward_margin=0.3, reward_accuracy=0.75)
    assert "margin +0.300  accuracy 0.75" in human(step)
    done = ev.DoneEvent(step=20, eval_loss_before=6.2, perplexity_before=490.0, eval_loss_after=4.6,
                        perplexity_after=100.0, adapter_dir="/r/adapter", manifest_path="/r/manifest.json",
                        train_time_s=20.0, tokens_per_s=140.0, peak_mem_gb=0.5, reward_margin_before=0.0,
                        reward_accuracy_before=0.5, reward_margin_after=1.59, reward_accuracy_after=0.92)
    assert "reward margin +0.000 -> +1.590, accuracy 0.50 -> 0.92 (before = base model)" in human(done)


def test_the_three_losses_follow_their_papers_and_ties_count_half():
    import torch

    from ftwizard.train.dpo import PairStats, pair_losses

    # Two pairs: log-probabilities [chosen 1, chosen 2, rejected 1, rejected 2], 4 answer tokens each.
    logps, ref = torch.tensor([-10.0, -8.0, -12.0, -8.0]), torch.tensor([-11.0, -8.0, -11.0, -8.0])
    tokens, beta = torch.full((4,), 4.0), 0.1
    delta = torch.tensor([2.0, 0.0])  # (chosen - ref) - (rejected - ref): pair 1 +2, pair 2 a tie
    sigmoid, rc, rr = pair_losses(logps, ref, tokens, beta, "sigmoid")
    assert torch.allclose(sigmoid, -torch.nn.functional.logsigmoid(beta * delta))  # DPO eq. 7
    hinge, _, _ = pair_losses(logps, ref, tokens, beta, "hinge")
    assert torch.allclose(hinge, torch.relu(1 - beta * delta))
    ipo, _, _ = pair_losses(logps, ref, tokens, beta, "ipo")
    assert torch.allclose(ipo, (delta / 4 - 1 / (2 * beta)) ** 2)  # IPO eq. 17, per token
    assert rc.tolist() == pytest.approx([0.1, 0.0]) and rr.tolist() == pytest.approx([-0.1, 0.0])
    stats = PairStats()
    stats.add(sigmoid, rc, rr, logps, tokens)
    means = stats.means()
    assert means["reward_accuracy"] == 0.75 and means["reward_margin"] == pytest.approx(0.1)
    assert means["chosen_loss"] == pytest.approx(18.0 / 8)
