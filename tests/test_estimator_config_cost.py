"""A local model's config.json, whether a run fits a card, and what it costs."""

from __future__ import annotations

import json

import pytest

from ftwizard.base.errors import EstimateError
from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.arch import shapes
from ftwizard.estimate.arch_config import architecture_from_config
from ftwizard.estimate.cost import kv_cache_bytes, usable_memory_gb
from ftwizard.estimate.estimator import estimate, monthly_inference_usd
from ftwizard.estimate.request import EstimateRequest

LLAMA3_8B_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096,
    "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 8192,
    "tie_word_embeddings": False, "torch_dtype": "bfloat16",
}
QWEN25_7B_CONFIG = {
    "model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28,
    "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064, "tie_word_embeddings": False,
}
MIXTRAL_CONFIG = {
    "model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000, "num_local_experts": 8,
    "num_experts_per_tok": 2, "tie_word_embeddings": False,
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def write(tmp_path, data, name="config.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("config", "params_b"),
    # Cross-checks of catalog_notes.md section 2: Llama-3-8B 8.030B, Qwen2.5-7B 7.616B, Mixtral 46.70B.
    [(LLAMA3_8B_CONFIG, 8.030), (QWEN25_7B_CONFIG, 7.616), (MIXTRAL_CONFIG, 46.70)],
)
def test_a_local_config_json_gives_the_published_parameter_count(tmp_path, config, params_b):
    arch = architecture_from_config(write(tmp_path, config))
    assert shapes(arch).total_params / 1e9 == pytest.approx(params_b, abs=0.005)


def test_a_model_folder_is_read_like_its_config(tmp_path, catalog):
    write(tmp_path, LLAMA3_8B_CONFIG)
    local = estimate(EstimateRequest(architecture=architecture_from_config(tmp_path), method="qlora", seq_len=512), catalog)
    shipped = estimate(EstimateRequest(model_id="llama-3-8b", method="qlora", seq_len=512), catalog)
    assert local.peak_vram_gb == shipped.peak_vram_gb


def test_a_multimodal_wrapper_is_read_through_its_text_config(tmp_path):
    wrapped = {"model_type": "gemma3", "text_config": {
        "model_type": "gemma3_text", "hidden_size": 2560, "intermediate_size": 10240, "num_hidden_layers": 34,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "vocab_size": 262208}}
    arch = architecture_from_config(write(tmp_path, wrapped))
    assert arch.head_dim == 256 and arch.tie_word_embeddings


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"model_type": "llama", "hidden_size": 64', "line 1 column"),
        ({"model_type": "llama", "hidden_size": 64}, "$.num_hidden_layers: missing"),
        ({"hidden_size": 64}, "$.model_type: missing"),
        ({"model_type": "t5", "is_encoder_decoder": True, "d_model": 512}, "encoder-decoder"),
        ({**LLAMA3_8B_CONFIG, "num_key_value_heads": 5}, "multiple of num_key_value_heads"),
        ({**LLAMA3_8B_CONFIG, "hidden_size": -1}, "hidden_size"),
    ],
)
def test_a_broken_config_json_is_refused_naming_the_file_and_field(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(EstimateError) as info:
        architecture_from_config(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_a_missing_config_json_is_named(tmp_path):
    with pytest.raises(EstimateError, match="file not found"):
        architecture_from_config(tmp_path / "nowhere" / "config.json")


def test_gpu_memory_labels_are_gib_and_gddr_ecc_takes_a_sixteenth(catalog):
    # RTX 4090: 24,564 MiB in nvidia-smi; T4 with ECC: 15,360 MiB.
    assert usable_memory_gb(catalog.gpu("rtx-4090")) == pytest.approx(24 * 2**30 / 1e9, rel=1e-6)
    assert usable_memory_gb(catalog.gpu("t4")) == pytest.approx(15360 * 2**20 / 1e9, rel=1e-6)


def test_the_fit_verdict_compares_the_peak_with_the_card(catalog):
    small = estimate(EstimateRequest(model_id="llama-3.1-8b", method="qlora", seq_len=512, gpu_id="rtx-4090"), catalog)
    assert small.fits is True and small.margin_gb == pytest.approx(small.gpu_memory_gb - small.peak_vram_gb, abs=1e-3)
    big = estimate(EstimateRequest(model_id="llama-3.1-8b", method="full", seq_len=512, gpu_id="rtx-4090"), catalog)
    assert big.fits is False and big.margin_gb < 0


def test_every_priced_offer_that_holds_the_run_gets_a_cost_line(catalog):
    r = EstimateRequest(model_id="llama-3.1-8b", method="qlora", seq_len=512, gpu_id="rtx-4090",
                        examples=2000, avg_tokens=512, epochs=3, electricity_usd_per_kwh=0.25)
    e = estimate(r, catalog)
    cloud = [c for c in e.costs if c.pricing != "electricity"]
    from ftwizard.estimate.timing import peak_tflops

    priced = {p.id for p in catalog.prices
              if catalog.gpu(p.gpu_id).memory_gb and peak_tflops(catalog.gpu(p.gpu_id), "bf16-mixed")}
    assert len(cloud) == len(priced)  # an 8B QLoRA run fits every priced card with known speed
    for c in cloud:
        assert c.usd == pytest.approx(c.hours * c.count * c.usd_per_gpu_hour, abs=0.01)
        assert c.count >= 1 and c.source
    assert [c.usd for c in cloud] == sorted(c.usd for c in cloud)
    local = [c for c in e.costs if c.provider == "local (electricity)"]
    assert len(local) == 1
    tdp = catalog.gpu("rtx-4090").tdp_w
    assert local[0].usd == pytest.approx(e.train_hours * tdp * 0.9 / 1000 * 0.25, abs=0.01)


def test_offers_whose_cards_cannot_hold_the_run_even_sharded_are_left_out(catalog):
    r = EstimateRequest(model_id="llama-3.1-405b", method="full", seq_len=2048, examples=100, avg_tokens=512)
    e = estimate(r, catalog)
    assert all(c.gpu_id not in ("t4", "l4") for c in e.costs)


def test_serving_picks_the_cheapest_offer_that_holds_weights_and_kv_cache(catalog):
    arch = catalog.model("llama-3.1-8b").architecture
    bf16 = monthly_inference_usd(arch, catalog, context_tokens=8192, concurrency=4)
    assert bf16 is not None
    assert bf16.weights_gb == pytest.approx(shapes(arch).total_params * 2 / 1e9, rel=1e-3)
    assert bf16.kv_cache_gb == pytest.approx(kv_cache_bytes(arch, 8192 * 4) / 1e9, rel=1e-2)
    # KV cache: 2 x 32 layers x 8 heads x 128 x 2 bytes = 128 KiB per token.
    assert kv_cache_bytes(arch, 1) == 2 * 32 * 8 * 128 * 2
    assert bf16.usd_per_month == pytest.approx(bf16.count * bf16.usd_per_gpu_hour * 730, abs=0.01)
    cheaper = [p for p in catalog.prices if p.pricing == "on_demand" and p.usd_per_gpu_hour < bf16.usd_per_gpu_hour]
    for p in cheaper:  # every cheaper card is too small for one copy plus the cache
        room = usable_memory_gb(catalog.gpu(p.gpu_id))
        assert room is None or room * 0.9 < bf16.weights_gb + bf16.kv_cache_gb + 0.5
    four = monthly_inference_usd(arch, catalog, context_tokens=8192, concurrency=4, quantized_4bit=True)
    assert four.usd_per_month <= bf16.usd_per_month and four.weights_gb < bf16.weights_gb / 2
    half = monthly_inference_usd(arch, catalog, hours_per_month=365, context_tokens=8192, concurrency=4)
    assert half.usd_per_month == pytest.approx(bf16.usd_per_month / 2, abs=0.02)


def test_the_estimate_carries_the_serving_cost_beside_training(catalog):
    e = estimate(EstimateRequest(model_id="qwen2.5-7b", method="lora", seq_len=1024, serve_4bit=True), catalog)
    assert e.monthly_inference is not None and e.monthly_inference.usd_per_month > 0
