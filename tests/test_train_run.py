"""A real QLoRA fine-tune on CPU (issue 9): a tiny Llama-style model built here, NF4 through
bitsandbytes, LoRA through peft. The loss falls, the adapter reloads with the same outputs,
and the manifest says what was trained on what."""

from __future__ import annotations

import hashlib
import json
import math

import pytest

from ftwizard.runs import events as ev
from ftwizard.runs.manifest import Manifest
from ftwizard.train.faults import Faults
from train_fixtures import (  # noqa: F401 (fixture)
    events_in,
    run_in_process,
    tiny_model_dir,
    tiny_run_config,
    write_chat_jsonl,
)

pytestmark = [pytest.mark.slow, pytest.mark.train]

BAD_ROWS = {3: "{not json", 10: json.dumps({"messages": [{"role": "user", "content": "an unanswered question"}]})}


@pytest.fixture(scope="module")
def finished(tiny_model_dir, tmp_path_factory):  # noqa: F811
    d = tmp_path_factory.mktemp("qlora")
    data = write_chat_jsonl(d / "train.jsonl", rows=240, bad_lines=BAD_ROWS)
    holdout = write_chat_jsonl(d / "holdout.jsonl", rows=24, seed=1)
    cfg = tiny_run_config(tiny_model_dir, data, d / "run", holdout_path=holdout, merge=True,
                          estimate={"peak_vram_gb": 1.5, "tokens_per_s": 2000.0})
    code, events = run_in_process(cfg)
    return cfg, code, events


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def test_the_loss_falls_in_forty_steps(finished):
    cfg, code, events = finished
    assert code == ev.EXIT_OK, [e for e in events if isinstance(e, ev.ErrorEvent)]
    start = of(events, ev.StartEvent)[0]
    assert (start.method, start.quantisation, start.device) == ("qlora", "nf4 (double quantisation)", "cpu")
    assert 0 < start.trainable_params < start.total_params
    steps = of(events, ev.StepEvent)
    assert [s.step for s in steps] == list(range(1, 41))
    first, last = sum(s.loss for s in steps[:5]) / 5, sum(s.loss for s in steps[-5:]) / 5
    # benchmarks/RESULTS.md "Learning spread across seeds": this drop is 3.78-3.99 over 6 seeds.
    assert last < first - 1.5, (first, last)
    assert all(s.tokens_per_s > 0 and s.peak_mem_gb > 0 and s.eta_s >= 0 for s in steps)
    done = of(events, ev.DoneEvent)[0]
    assert done.eval_loss_after < done.eval_loss_before - 1.5
    assert done.perplexity_after == pytest.approx(math.exp(done.eval_loss_after))
    assert [e.phase for e in of(events, ev.EvalEvent)] == ["before", "after"]


def test_malformed_rows_are_reported_by_line_and_skipped_without_their_text(finished):
    cfg, _, events = finished
    warn = [w for w in of(events, ev.WarningEvent) if w.kind == "data"]
    assert len(warn) == 1 and warn[0].line_numbers == [3, 10] and warn[0].count == 2
    assert "bad_json" in warn[0].message and "no_assistant_turn" in warn[0].message
    assert of(events, ev.StartEvent)[0].skipped_rows == 2
    stream = (cfg.output_dir / "metrics.jsonl").read_text()
    for secret in ("unanswered question", "count from", "colour is the"):
        assert secret not in stream


def test_metrics_file_holds_the_same_stream(finished):
    cfg, _, events = finished
    assert events_in(cfg.output_dir) == events


def test_the_adapter_reloads_with_the_same_outputs(finished):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    from ftwizard.train import data as D
    from ftwizard.train.model import pin_4bit_layout

    cfg, _, events = finished
    done = of(events, ev.DoneEvent)[0]
    tok = AutoTokenizer.from_pretrained(done.adapter_dir, local_files_only=True)
    rows = D.read_rows(cfg.holdout_path)
    hold = [D.tokenize(tok, tok.chat_template, ex, line, cfg.seq_len) for line, ex in rows.examples]
    batch = D.collate(hold, [[i] for i in range(len(hold))], tok.pad_token_id)
    q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                           bnb_4bit_compute_dtype=torch.float32)
    base = AutoModelForCausalLM.from_pretrained(cfg.model_dir, quantization_config=q, device_map={"": "cpu"},
                                                dtype=torch.float32, local_files_only=True)
    assert pin_4bit_layout(base) > 0  # as the runner: no CPU inference repack of the 4-bit weights
    tuned = PeftModel.from_pretrained(base, done.adapter_dir).eval()
    with torch.no_grad():
        out = tuned(input_ids=batch.input_ids, position_ids=batch.position_ids, labels=batch.labels,
                    num_items_in_batch=batch.label_tokens, use_cache=False)
    assert float(out.loss) == pytest.approx(done.eval_loss_after, rel=1e-4)

    # merged full weights answer like the unquantised base plus the adapter
    full = AutoModelForCausalLM.from_pretrained(cfg.model_dir, dtype=torch.float32, local_files_only=True)
    with_adapter = PeftModel.from_pretrained(full, done.adapter_dir).eval()
    merged = AutoModelForCausalLM.from_pretrained(done.model_out_dir, local_files_only=True).eval()
    with torch.no_grad():
        a = with_adapter(input_ids=batch.input_ids[:4], use_cache=False).logits
        b = merged(input_ids=batch.input_ids[:4], use_cache=False).logits
    assert torch.allclose(a, b, atol=1e-4)


def test_the_manifest_is_complete(finished):
    cfg, _, events = finished
    done = of(events, ev.DoneEvent)[0]
    man = Manifest.model_validate_json((cfg.output_dir / "manifest.json").read_text())
    assert man.status == "done" and man.run_config.max_steps == 40 and man.quantisation.startswith("nf4")
    data_sha = hashlib.sha256(cfg.data_path.read_bytes()).hexdigest()
    assert [f.sha256 for f in man.dataset.files] == [data_sha, hashlib.sha256(cfg.holdout_path.read_bytes()).hexdigest()]
    weights = {f.path.rsplit("/", 1)[-1]: f.sha256 for f in man.model_files}
    assert weights["model.safetensors"] == hashlib.sha256((cfg.model_dir / "model.safetensors").read_bytes()).hexdigest()
    assert {"config.json", "tokenizer.json", "tokenizer_config.json"} <= set(weights)
    assert {"torch", "transformers", "peft", "bitsandbytes", "safetensors", "python"} <= set(man.libraries)
    assert man.hardware.device == "cpu" and man.hardware.cpu_count >= 1
    assert (man.dataset.train_examples, man.dataset.holdout_examples, man.dataset.skipped_rows) == (240, 24, 2)
    assert man.dataset.holdout_source == "file"
    assert man.metrics.steps == 40 and man.metrics.eval_loss_after == done.eval_loss_after
    assert man.metrics.eval_loss_before == done.eval_loss_before
    vs = man.estimate_vs_measured
    assert (vs.predicted_peak_vram_gb, vs.predicted_tokens_per_s) == (1.5, 2000.0)
    assert vs.measured_tokens_per_s == done.tokens_per_s > 0 and vs.measured_peak_mem_gb > 0
    assert done.predicted_peak_vram_gb == 1.5
    assert 0 < man.timings.train_s <= man.timings.total_s
    assert (cfg.output_dir / "adapter" / "adapter_model.safetensors").is_file()
    assert (cfg.output_dir / "adapter" / "tokenizer.json").is_file()
    assert not list((cfg.output_dir / "adapter").glob("*.bin"))


def test_without_bitsandbytes_it_trains_lora_and_says_so(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    import ftwizard.train.recipe as recipe

    monkeypatch.setattr(recipe, "bitsandbytes_available", lambda device: (False, "bitsandbytes has no Apple MPS build"))
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=40)
    code, events = run_in_process(tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=4))
    assert code == ev.EXIT_OK
    start = of(events, ev.StartEvent)[0]
    assert (start.method, start.quantisation) == ("lora", "none")
    said = " ".join(w.message for w in of(events, ev.WarningEvent) if w.kind == "quantisation")
    assert "without 4-bit quantisation" in said and "AdamW" in said
    man = Manifest.model_validate_json((tmp_path / "run" / "manifest.json").read_text())
    assert man.run_config.method == "lora" and man.run_config.optimizer == "adamw"
    assert man.dataset.holdout_source == "split" and man.dataset.holdout_examples == 4


def test_unsafe_or_impossible_configurations_stop_before_loading(tiny_model_dir, tmp_path):  # noqa: F811
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=10)
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    for f in tiny_model_dir.iterdir():
        if f.name != "model.safetensors":
            (pickled / f.name).write_bytes(f.read_bytes())
    (pickled / "pytorch_model.bin").write_bytes(b"not really")
    code, events = run_in_process(tiny_run_config(pickled, data, tmp_path / "a"))
    assert code == ev.EXIT_BAD_INPUT
    err = of(events, ev.ErrorEvent)[0]
    assert err.kind == "config" and "pytorch_model.bin" in err.message

    code, events = run_in_process(tiny_run_config(tiny_model_dir, data, tmp_path / "b", objective="dpo"))
    assert code == ev.EXIT_BAD_INPUT and "objective" in of(events, ev.ErrorEvent)[0].message

    code, events = run_in_process(tiny_run_config(tiny_model_dir, tmp_path / "gone.jsonl", tmp_path / "c"))
    err = of(events, ev.ErrorEvent)[0]
    assert code == ev.EXIT_BAD_INPUT and err.kind == "data" and "gone.jsonl: data file not found" in err.message


def test_a_finished_run_folder_is_not_overwritten(finished, tiny_model_dir):  # noqa: F811
    cfg, _, _ = finished
    before = (cfg.output_dir / "manifest.json").read_bytes()
    code, events = run_in_process(cfg.model_copy(update={"merge": False}))
    message = of(events, ev.ErrorEvent)[0].message
    assert code == ev.EXIT_BAD_INPUT and "not empty" in message and "--resume" in message  # runs.outdir
    assert (cfg.output_dir / "manifest.json").read_bytes() == before


def test_a_full_fine_tune_writes_full_weights_and_resumes(tiny_model_dir, tmp_path):  # noqa: F811
    from safetensors.torch import load_file

    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=40)
    cfg = tiny_run_config(tiny_model_dir, data, tmp_path / "run", method="full", learning_rate=1e-3,
                          max_steps=4, save_every=2)
    code, events = run_in_process(cfg, Faults.from_env("oom@step=4"))
    assert code == ev.EXIT_OOM and of(events, ev.StartEvent)[0].trainable_params == of(events, ev.StartEvent)[0].total_params
    code, events = run_in_process(cfg.model_copy(update={"resume": True}))
    assert code == ev.EXIT_OK and of(events, ev.StartEvent)[0].resumed_from_step == 3
    done = of(events, ev.DoneEvent)[0]
    assert done.adapter_dir is None and done.eval_loss_after < done.eval_loss_before
    tuned = load_file(str(tmp_path / "run" / "model" / "model.safetensors"))
    base = load_file(str(tiny_model_dir / "model.safetensors"))
    assert tuned.keys() == base.keys() and not all((tuned[k] == base[k]).all() for k in base)
