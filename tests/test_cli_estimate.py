"""`ftwizard estimate`: the JSON contract benchmarks and scripts rely on, and its refusals."""

from __future__ import annotations

import json

import pytest

from ftwizard.cli.main import main


def run_json(capsys, *argv: str) -> dict:
    assert main(["estimate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_memory_only_estimate_has_peak_range_and_breakdown(capsys):
    out = run_json(capsys, "--model", "llama-3.1-8b", "--method", "qlora", "--seq-len", "512", "--micro-batch", "1")
    assert out["peak_vram_gb"] > 0
    low, high = out["range_gb"]
    assert low < out["peak_vram_gb"] < high
    assert sum(out["breakdown_gb"].values()) == pytest.approx(out["peak_vram_gb"], abs=0.01)
    assert out["fits"] is None and out["tokens_per_s"] is None and out["train_hours"] is None


def test_with_a_gpu_and_a_dataset_it_says_fits_speed_hours_and_costs(capsys):
    out = run_json(
        capsys, "--model", "llama-3.1-8b", "--method", "qlora", "--seq-len", "512", "--micro-batch", "1",
        "--grad-ckpt", "--lora-r", "16", "--lora-targets", "all-linear", "--precision", "bf16-mixed",
        "--optimizer", "adamw", "--gpu", "NVIDIA GeForce RTX 4090", "--gpus", "1", "--strategy", "single",
        "--examples", "2000", "--avg-tokens", "512", "--epochs", "3",
    )
    assert out["fits"] is True and out["tokens_per_s"] > 0
    assert out["train_hours"] == pytest.approx(2000 * 512 * 3 / out["tokens_per_s"] / 3600, rel=1e-3)
    assert out["costs"] and all({"provider", "gpu", "count", "usd"} <= set(c) for c in out["costs"])
    assert any(c["provider"] == "local (electricity)" for c in out["costs"])


def test_checkpointing_off_costs_memory(capsys):
    on = run_json(capsys, "--model", "llama-3.2-3b", "--method", "lora", "--seq-len", "2048", "--grad-ckpt")
    off = run_json(capsys, "--model", "llama-3.2-3b", "--method", "lora", "--seq-len", "2048", "--no-grad-ckpt")
    assert off["peak_vram_gb"] > on["peak_vram_gb"]


def test_several_gpus_default_to_fsdp(capsys):
    one = run_json(capsys, "--model", "llama-3.1-70b", "--method", "lora", "--seq-len", "1024")
    eight = run_json(capsys, "--model", "llama-3.1-70b", "--method", "lora", "--seq-len", "1024", "--gpus", "8")
    assert "sharding_buffers" in eight["breakdown_gb"] and eight["peak_vram_gb"] < one["peak_vram_gb"] / 3


def test_a_local_config_json_is_estimated(tmp_path, capsys):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({
        "model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
        "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936, "tie_word_embeddings": True,
    }), encoding="utf-8")
    out = run_json(capsys, "--model", str(cfg), "--method", "full", "--seq-len", "1024")
    assert out["total_params"] == pytest.approx(494e6, rel=0.01)  # Qwen2.5-0.5B: 0.49B


def test_the_text_output_names_the_verdict(capsys):
    assert main(["estimate", "--model", "llama-3.1-8b", "--method", "full", "--seq-len", "512", "--gpu", "rtx-4090"]) == 0
    text = capsys.readouterr().out
    assert "does NOT fit" in text and "Peak VRAM per GPU" in text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--model", "no-such-model", "--method", "lora", "--seq-len", "512"], "unknown model 'no-such-model'"),
        (["--model", "llama-3.1-8b", "--method", "qlora", "--precision", "fp32", "--seq-len", "512"], "precision: qlora"),
        (["--model", "llama-3.1-8b", "--method", "lora", "--seq-len", "512", "--gpu", "voodoo 5"], "unknown GPU"),
        (["--model", "llama-3.1-8b", "--method", "lora", "--seq-len", "512", "--examples", "10"], "--avg-tokens"),
        (["--model", "llama-3.1-8b", "--method", "lora", "--seq-len", "0"], "--seq-len"),
        (["--model", "llama-3.1-8b", "--method", "lora", "--seq-len", "512", "--lora-targets", "q_prj"], "q_prj"),
        (["--model", "llama-3.1-8b", "--method", "lora", "--seq-len", "512", "--cpu-offload"], "cpu_offload"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(capsys, argv, message):
    assert main(["estimate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftwizard: error:") and message in err


def test_a_malformed_config_json_exits_2_naming_the_file(tmp_path, capsys):
    cfg = tmp_path / "config.json"
    cfg.write_text('{"model_type": "llama",', encoding="utf-8")
    assert main(["estimate", "--model", str(cfg), "--method", "lora", "--seq-len", "512"]) == 2
    err = capsys.readouterr().err
    assert str(cfg) in err and "invalid JSON" in err


def test_the_request_and_estimate_formats_have_schemas(capsys):
    for name in ("estimate-request", "estimate"):
        assert main(["schema", name]) == 0
        schema = json.loads(capsys.readouterr().out)
        assert "properties" in schema
