"""Hand-written run folders, as the runner leaves them, for the run history and report tests.

Events are the real event models (`runs.events`) written as the runner writes them, one
JSON line each, so a change to the stream format shows up here as well.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from ftwizard.runs import events as ev
from ftwizard.runs.config import RunConfig, RunEstimate, write_run_config

T0 = 1_795_000_000.0
NO_BNB = ("bitsandbytes cannot run on this CPU: training LoRA on fp32 weights without 4-bit "
          "quantisation, which needs more memory")  # 2026-11-17, a fixed clock for the hand-written events

# Llama 3.1 8B's shape (its config.json on the Hugging Face hub), for the pre-flight tests.
LLAMA_8B_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
    "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 131072,
    "rms_norm_eps": 1e-5, "tie_word_embeddings": False, "torch_dtype": "bfloat16",
}


def model_folder(root: Path, name: str = "llama-8b", *, licence: str | None = "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT",
                 config: dict | None = None) -> Path:
    """A model folder with the files a check looks at (the weights are placeholders)."""
    d = root / name
    d.mkdir(parents=True)
    (d / "config.json").write_text(json.dumps(config or LLAMA_8B_CONFIG), encoding="utf-8")
    (d / "tokenizer.json").write_text("{}", encoding="utf-8")
    (d / "tokenizer_config.json").write_text("{}", encoding="utf-8")
    (d / "model.safetensors").write_bytes(b"\0" * 2048)
    if licence:
        (d / "LICENSE").write_text(f"\n{licence}\n\nText of the licence.\n", encoding="utf-8")
    return d


def config_for(run_dir: Path, model_dir: Path | None = None, **kw) -> RunConfig:
    base = dict(model_dir=model_dir or run_dir.parent / "models" / "tiny", data_path=run_dir.parent / "train.jsonl",
                output_dir=run_dir, max_steps=8, seq_len=64, micro_batch=1, grad_accum=1)
    return RunConfig(**(base | kw))


def start(step_from: int | None = None, t: float = T0, **kw) -> ev.StartEvent:
    base = dict(ts=t, run_dir="x", model_dir="/models/tiny-llama", method="qlora", quantisation="nf4 (double quantisation)",
                device="cpu", device_name="x86_64", precision="fp32", mem_kind="process", max_steps=8, seq_len=64,
                micro_batch=1, grad_accum=1, train_examples=90, holdout_examples=10, skipped_rows=0,
                total_params=119_104, trainable_params=16_384, resumed_from_step=step_from)
    return ev.StartEvent(**(base | kw))


def step(n: int, loss: float, t: float | None = None, max_steps: int = 8) -> ev.StepEvent:
    return ev.StepEvent(ts=t or T0 + n, step=n, max_steps=max_steps, epoch=n / max_steps, loss=loss, lr=1e-3,
                        tokens_per_s=2500.0, peak_mem_gb=0.45, eta_s=max_steps - n)


def evaluation(n: int, phase: str, loss: float, t: float | None = None) -> ev.EvalEvent:
    import math

    return ev.EvalEvent(ts=t or T0 + n + 0.5, step=n, phase=phase, eval_loss=loss, perplexity=math.exp(loss),
                        eval_tokens=120)


def done(run_dir: Path, n: int = 8, before: float = 6.5, after: float = 1.7, t: float | None = None) -> ev.DoneEvent:
    import math

    return ev.DoneEvent(ts=t or T0 + n + 1, step=n, eval_loss_before=before, perplexity_before=math.exp(before),
                        eval_loss_after=after, perplexity_after=math.exp(after), adapter_dir=str(run_dir / "adapter"),
                        manifest_path=str(run_dir / "manifest.json"), train_time_s=n * 0.1, tokens_per_s=2600.0,
                        peak_mem_gb=0.46, predicted_peak_vram_gb=0.5, predicted_tokens_per_s=20000.0)


def write_events(run_dir: Path, events: list, append: bool = False) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "metrics.jsonl"
    with open(path, "a" if append else "w", encoding="utf-8") as fh:
        for e in events:
            fh.write(ev.event_line(e) + "\n")
    return path


def checkpoint(run_dir: Path, n: int) -> Path:
    d = run_dir / f"checkpoint-{n}"
    d.mkdir(parents=True)
    (d / "COMPLETE.json").write_text("{}", encoding="utf-8")
    return d


def finished_run(runs: Path, name: str = "20261117-100000-tiny-qlora", t: float = T0) -> Path:
    d = runs / name
    write_events(d, [start(t=t), evaluation(0, "before", 6.5, t=t + 0.5)]
                 + [step(i, 6.5 - 0.6 * i, t=t + i) for i in range(1, 9)]
                 + [evaluation(8, "after", 1.7, t=t + 9), done(d, t=t + 10)])
    write_run_config(d / "run_config.json", config_for(d, estimate=RunEstimate(peak_vram_gb=0.5, tokens_per_s=20000)))
    return d


def cancelled_run(runs: Path, name: str = "20261117-110000-tiny-qlora", t: float = T0 + 3600) -> Path:
    d = runs / name
    write_events(d, [start(t=t), evaluation(0, "before", 6.5, t=t + 0.5)]
                 + [step(i, 6.5 - 0.6 * i, t=t + i) for i in range(1, 4)]
                 + [ev.CheckpointEvent(ts=t + 4, step=3, path=str(d / "checkpoint-3"), size_mb=0.2),
                    ev.ErrorEvent(ts=t + 5, kind="cancelled", message="cancelled at step 3 of 8",
                                  suggestion="resume continues from this checkpoint", step=3)])
    write_run_config(d / "run_config.json", config_for(d))
    checkpoint(d, 3)
    return d


def killed_run(runs: Path, name: str = "20261117-120000-tiny-qlora", t: float = T0 + 7200) -> Path:
    """kill -9 mid-run: events stop, no ending, no manifest."""
    d = runs / name
    write_events(d, [ev.WarningEvent(ts=t - 1, kind="quantisation", message=NO_BNB), start(t=t)]
                 + [step(i, 5.0, t=t + i) for i in range(1, 6)])
    write_run_config(d / "run_config.json", config_for(d))
    checkpoint(d, 4)
    return d


def hold_run_folder(run_dir: Path) -> subprocess.Popen:
    """A stand-in runner: another process holding the folder's lock as the runner does
    (its command line names ftwizard, as `python -m ftwizard.train` does)."""
    code = ("import sys, time\nfrom pathlib import Path\nfrom ftwizard.base.locks import exclusive_lock\n"
            "with exclusive_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(120)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(run_dir)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(timeout=10)
    time.sleep(0.05)
