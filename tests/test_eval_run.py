"""See what tuning changed (issue 27) on one real tiny run: base and tuned answers to the
holdout prompts (samples.jsonl), their task metrics, and the exports loading back with
AutoModelForCausalLM / PeftModel. One run per module; nothing is downloaded."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from ftwizard.base.errors import ExportError
from ftwizard.evaluate.samples import SamplesError, read_samples
from train_fixtures import (  # noqa: F401 (fixture)
    build_tiny_model,
    one_torch_thread,
    run_in_process,
    tiny_run_config,
    write_chat_jsonl,
)

pytestmark = [pytest.mark.slow, pytest.mark.train]
N = 6
LICENCE_TEXT = "Tiny Model Licence: do as you like, keep this notice.\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory, one_torch_thread):  # noqa: F811
    from ftwizard.train.samples import make_samples

    d = tmp_path_factory.mktemp("eval")
    model = build_tiny_model(d / "model")
    (model / "LICENSE").write_text(LICENCE_TEXT, encoding="utf-8")
    data = write_chat_jsonl(d / "train.jsonl", rows=240)
    cfg = tiny_run_config(model, data, d / "run", max_steps=40)
    code, _ = run_in_process(cfg)
    assert code == 0
    make_samples(d / "run", n=N, max_new_tokens=12)
    return d / "run"


def test_samples_answer_the_holdout_with_both_models(run):
    from ftwizard.train import data as D

    got = read_samples(run)
    h = got.header
    assert (h.decoding, h.max_new_tokens, h.chat_template, h.holdout_source) == ("greedy", 12, "model", "split")
    quantised = json.loads((run / "manifest.json").read_text())["quantisation"].startswith("nf4")
    assert h.weights == ("nf4 base + adapter" if quantised else "float32 base + adapter")  # judged as trained
    assert h.holdout_rows == 24 and len(got.samples) == N  # 10% of 240 rows held out, the first N answered
    assert (run / "samples.jsonl").stat().st_mode & 0o777 == 0o600
    rows = dict(D.read_rows(Path(json.loads((run / "run_config.json").read_text())["data_path"])).examples)
    for s in got.samples:
        ex = rows[s.line]  # the reference is that data line's own answer, the prompt its question
        assert s.reference == ex.turns[-1].content and s.prompt == [{"role": "user", "content": ex.turns[0].content}]
        assert s.base_tokens <= 12 and s.tuned_tokens <= 12
    # 40 steps teach the task: most tuned answers are the reference; the random base gets none
    assert sum(s.tuned == s.reference for s in got.samples) >= N // 2
    assert not any(s.base == s.reference for s in got.samples)
    assert any(s.base_truncated for s in got.samples)  # a random model rarely says its end token


def test_samples_are_deterministic_batched_or_not(run, tmp_path):
    from ftwizard.train.samples import generate, load_models

    models = load_models(run)
    for s in read_samples(run).samples:  # made in one left-padded batch of N; here one by one
        assert generate(models, s.prompt, "tuned", 12) == (s.tuned, s.tuned_tokens, s.tuned_truncated)
        assert generate(models, s.prompt, "base", 12) == (s.base, s.base_tokens, s.base_truncated)


def test_metrics_of_the_run(run):
    from ftwizard.evaluate.metrics import evaluate_run, read_eval

    report = evaluate_run(run)
    assert report.kind == "chat" and report.n == N
    rows = {m.name: m for m in report.metrics}
    assert rows["Win rate (tuned vs base)"].tuned > 0.5 and rows["Win rate (tuned vs base)"].verdict == "better"
    assert rows["chrF (per answer)"].tuned > rows["chrF (per answer)"].base
    assert rows["Eval loss"].tuned < rows["Eval loss"].base and rows["Eval loss"].verdict == "no interval"
    assert read_eval(run) == report


def test_samples_refuse_changed_data_and_unfinished_runs(run, tmp_path):
    import shutil

    from ftwizard.train.samples import make_samples

    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    changed = tmp_path / "train.jsonl"
    write_chat_jsonl(changed, rows=240, seed=5)
    manifest["run_config"]["data_path"] = str(changed)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SamplesError, match="the data changed since the run"):
        make_samples(copy, n=2, max_new_tokens=4)
    manifest["status"] = "cancelled"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SamplesError, match=r"\$.status: the run is cancelled"):
        make_samples(copy, n=2)
    (copy / "manifest.json").unlink()
    with pytest.raises(SamplesError, match="has not finished"):
        make_samples(copy, n=2)


def _logits(model, ids):
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor([ids])).logits


def test_export_adapter_and_merged_load_back(run, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from ftwizard.evaluate.metrics import evaluate_run
    from ftwizard.train.export import export_run

    evaluate_run(run)
    cfg = json.loads((run / "run_config.json").read_text())
    ids = [1, 20, 30, 40, 50]
    reference = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(cfg["model_dir"]), run / "adapter")

    a = export_run(run, "adapter", tmp_path / "adapter")
    assert {"adapter_model.safetensors", "adapter_config.json", "README.md", "LICENSE"} <= set(a.files)
    assert a.licence_files == ["LICENSE"] and (tmp_path / "adapter" / "LICENSE").read_text() == LICENCE_TEXT
    loaded = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(cfg["model_dir"]), tmp_path / "adapter")
    assert torch.allclose(_logits(loaded, ids), _logits(reference, ids))

    m = export_run(run, "merged", tmp_path / "merged")
    assert "model.safetensors" in m.files and "config.json" in m.files and "LICENSE" in m.files
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "merged", local_files_only=True)
    assert torch.allclose(_logits(merged, ids), _logits(reference, ids), atol=1e-4)

    card = (tmp_path / "merged" / "README.md").read_text()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["dataset"]["files"][0]["sha256"] in card  # the data's digest
    assert "qlora" in card and "LICENSE" in card and "Win rate" in card and "Eval loss" in card
    assert "library_name: transformers" in card
    assert "library_name: peft" in (tmp_path / "adapter" / "README.md").read_text()


def test_export_refusals_and_gguf(run, tmp_path, monkeypatch):
    from ftwizard.train.export import export_run

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(ExportError, match="not an empty folder"):
        export_run(run, "adapter", busy)
    monkeypatch.delenv("FTWIZARD_LLAMA_CPP", raising=False)
    with pytest.raises(ExportError, match="git clone .*llama.cpp.*pip download"):
        export_run(run, "gguf", tmp_path / "g")
    assert not (tmp_path / "g").exists()
    with pytest.raises(ExportError, match="no convert_hf_to_gguf.py there"):
        export_run(run, "gguf", tmp_path / "g", llama_cpp=tmp_path)
    # A converter that fails leaves nothing behind and says why.
    (tmp_path / "convert_hf_to_gguf.py").write_text("import sys; print('unsupported architecture', file=sys.stderr); "
                                                    "sys.exit(1)\n")
    with pytest.raises(ExportError, match="exit 1.*unsupported architecture"):
        export_run(run, "gguf", tmp_path / "g", llama_cpp=tmp_path)
    assert not (tmp_path / "g").exists() and not list(tmp_path.glob(".g.*")) and not list(tmp_path.glob(".merged*"))
    # llama.cpp's command line: MODEL_DIR --outfile FILE --outtype f16, on the merged HF folder
    llama = tmp_path / "llama.cpp"
    llama.mkdir()
    (llama / "convert_hf_to_gguf.py").write_text(
        "import sys, pathlib\n"
        "src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[sys.argv.index('--outfile') + 1])\n"
        "assert sys.argv[sys.argv.index('--outtype') + 1] == 'f16'\n"
        "assert (src / 'config.json').is_file() and (src / 'model.safetensors').is_file()\n"
        "out.write_bytes(b'GGUF' + (src / 'model.safetensors').read_bytes()[:16])\n")
    monkeypatch.setenv("FTWIZARD_LLAMA_CPP", str(llama))
    g = export_run(run, "gguf", tmp_path / "g")
    assert {"model-f16.gguf", "README.md", "LICENSE", "tokenizer.json"} <= set(g.files)
    assert (tmp_path / "g" / "model-f16.gguf").read_bytes()[:4] == b"GGUF" and "llama-quantize" in g.note
    assert "GGUF (llama.cpp)" in (tmp_path / "g" / "README.md").read_text()


def test_cli_runs_export_and_samples(run, tmp_path, capfd):
    import shutil

    from ftwizard.cli.main import main

    os.environ.pop("FTWIZARD_LLAMA_CPP", None)
    code = main(["runs", "export", str(run), "--format", "gguf", "--out", str(tmp_path / "g"),
                 "--python", sys.executable, "--json"])
    assert code == 2 and "GGUF needs llama.cpp" in capfd.readouterr().err  # the runtime's line, passed through
    code = main(["runs", "export", str(run), "--format", "adapter", "--out", str(tmp_path / "a"),
                 "--python", sys.executable, "--json"])
    out = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["format"] == "adapter" and "adapter_model.safetensors" in out["files"]
    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    code = main(["runs", "samples", str(copy), "--n", "2", "--max-new-tokens", "3", "--python", sys.executable,
                 "--json"])
    out = json.loads(capfd.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and out["n"] == 2 and out["header"]["max_new_tokens"] == 3
    assert [s["reference"] for s in out["samples"]] == [s.reference for s in read_samples(run).samples[:2]]


def test_chat_panel_streams_base_and_tuned(run, qtbot):
    from ftwizard.gui.run_chat import ChatPanel

    s = read_samples(run).samples[0]
    panel = ChatPanel(run, python=sys.executable)
    qtbot.addWidget(panel)
    assert not panel.send_button.isEnabled()
    with qtbot.waitSignal(panel.state_changed, timeout=120_000, check_params_cb=lambda st: st == "ready"):
        panel.load_button.click()
    panel.max_tokens.setValue(12)
    panel.prompt.setText(s.prompt[0]["content"])
    with qtbot.waitSignal(panel.answered, timeout=60_000):
        panel.send_button.click()
    # the same prompt, template and greedy decoding as samples.jsonl: the same answer
    assert panel.tuned_view.toPlainText().replace(" […token limit]", "").strip() == s.tuned
    assert panel.base_view.toPlainText().strip() and panel.state == "ready"
    panel.shutdown()
    assert panel.server is None


def test_chat_server_cancel_stops_the_answer(run):
    import io
    import threading

    from ftwizard.train.chat import serve

    first_token = threading.Event()

    class Out(io.StringIO):
        def write(self, text):
            if '"event": "token"' in text:
                first_token.set()
            return super().write(text)

    def stdin():
        yield json.dumps({"prompt": "count from one", "max_new_tokens": 200}) + "\n"
        first_token.wait(60)
        yield json.dumps({"cancel": True}) + "\n"
        yield json.dumps({"prompt": "   "}) + "\n"

    out = Out()
    assert serve(run, stdin=stdin(), stdout=out) == 0
    events = [json.loads(x) for x in out.getvalue().splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "ready" and "cancelled" in kinds and "idle" not in kinds
    assert not any(e["event"] == "end" and e["side"] == "tuned" for e in events)  # stopped before the tuned answer
    assert events[-1] == {"event": "error", "message": "prompt: give some text"}


def test_the_end_of_run_hook_reuses_the_model_in_memory(run, tmp_path):
    import shutil

    from ftwizard.train.samples import load_models, samples_after_run

    copy = tmp_path / "copy"
    shutil.copytree(run, copy)
    (copy / "samples.jsonl").unlink()
    models = load_models(run)
    assert samples_after_run(copy, model=models.tuned, tokenizer=models.tokenizer, n=N) == copy / "samples.jsonl"
    got = read_samples(copy)
    assert got.header.weights.endswith("(the runner's, in memory)")
    assert [s.tuned for s in got.samples] == [s.tuned for s in read_samples(run).samples]
    assert samples_after_run(tmp_path / "not-a-run") is None  # never fails the run that calls it


def test_answers_window_exports_the_model(run, qtbot, tmp_path):
    from ftwizard.gui.run_results import SamplesView

    view = SamplesView(run, python=sys.executable)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.job_finished, timeout=120_000) as got:
        view.export_model("adapter", tmp_path / "adapter")
    assert got.args == [0] and (tmp_path / "adapter" / "adapter_model.safetensors").is_file()
    assert f"Exported adapter to {tmp_path / 'adapter'}" in view.status.text() and "LICENSE" in view.status.text()


def test_the_runner_writes_samples_at_the_end_of_a_run_when_asked(tmp_path, one_torch_thread):  # noqa: F811
    """RunConfig.samples_after_run (on by default; the other tests turn it off for speed)."""
    from ftwizard.evaluate.samples import read_samples

    model = build_tiny_model(tmp_path / "model")
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=60)
    cfg = tiny_run_config(model, data, tmp_path / "run", max_steps=10, samples_after_run=True)
    code, _ = run_in_process(cfg)
    assert code == 0
    assert read_samples(tmp_path / "run").samples
