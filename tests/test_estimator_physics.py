"""The estimator's physics, pinned: what a model weighs, what LoRA adds, how memory moves."""

from __future__ import annotations

import pytest

from ftwizard.base.errors import EstimateError
from ftwizard.catalog.entries import Architecture
from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.arch import shapes
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.lora_targets import lora_param_count
from ftwizard.estimate.request import EstimateRequest

LLAMA2_7B = Architecture(
    model_type="llama", hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
    num_attention_heads=32, num_key_value_heads=32, head_dim=128, vocab_size=32000,
    tie_word_embeddings=False,
)
LLAMA3_8B = Architecture(
    model_type="llama", hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
    num_attention_heads=32, num_key_value_heads=8, head_dim=128, vocab_size=128256,
    tie_word_embeddings=False,
)
MIXTRAL = Architecture(
    model_type="mixtral", hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
    num_attention_heads=32, num_key_value_heads=8, head_dim=128, vocab_size=32000,
    tie_word_embeddings=False, moe_experts=8, moe_active_experts=2,
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def req(arch: Architecture = LLAMA2_7B, **kw) -> EstimateRequest:
    base = dict(architecture=arch, method="lora", seq_len=512)
    base.update(kw)
    return EstimateRequest(**base)


def test_llama2_7b_weighs_6_74_billion_parameters_and_13_5_gb_in_bf16(catalog):
    # Meta's model card says 7B; the exact count of the HF checkpoint is 6,738,415,616.
    assert shapes(LLAMA2_7B).total_params == 6_738_415_616
    e = estimate(req(method="lora", precision="bf16-mixed"), catalog)
    assert e.breakdown_gb["weights"] == pytest.approx(6_738_415_616 * 2 / 1e9, rel=1e-3)


def test_mixtral_holds_every_expert_but_a_token_only_touches_two():
    s = shapes(MIXTRAL)
    assert s.total_params / 1e9 == pytest.approx(46.70, abs=0.01)  # Mistral: 46.7B total
    active = s.total_params - s.layers * 3 * 4096 * 14336 * (8 - 2)
    assert active / 1e9 == pytest.approx(12.88, abs=0.01)  # Mistral: 12.9B active


def test_lora_counts_match_hand_counts_for_llama_layers():
    # r x (in + out) per adapted matrix: q,v of Llama 2 7B at r=8 is PEFT's well-known 4,194,304.
    assert lora_param_count(LLAMA2_7B, 8, "q_proj,v_proj") == 32 * 2 * 8 * (4096 + 4096)
    assert lora_param_count(LLAMA2_7B, 8, "q_proj,v_proj") == 4_194_304
    # All linear layers of Llama 3 8B at r=16 (GQA: k and v project to 8 x 128 = 1024).
    per_layer = 16 * ((4096 + 4096) * 2 + (4096 + 1024) * 2 + (4096 + 14336) * 3)
    assert lora_param_count(LLAMA3_8B, 16, "all-linear") == 32 * per_layer == 41_943_040
    # The LM head only when asked: r x (hidden + vocab).
    with_head = lora_param_count(LLAMA3_8B, 16, "all-linear,lm_head")
    assert with_head - 32 * per_layer == 16 * (4096 + 128256)
    # 'attention' is q, k, v, o.
    assert lora_param_count(LLAMA3_8B, 16, "attention") == 32 * 16 * ((4096 + 4096) * 2 + (4096 + 1024) * 2)


def test_lora_on_a_mixture_of_experts_adapts_every_expert():
    dense_part = 32 * 16 * ((4096 + 4096) * 2 + (4096 + 1024) * 2)
    mlp_part = 32 * 8 * 16 * (4096 + 14336) * 3
    assert lora_param_count(MIXTRAL, 16, "all-linear") == dense_part + mlp_part


def test_an_unknown_lora_target_is_refused_with_the_field_named():
    with pytest.raises(EstimateError, match="lora_targets: unknown module 'q_prj'"):
        lora_param_count(LLAMA2_7B, 8, "q_prj,v_proj")


@pytest.mark.parametrize("method", ["full", "lora", "qlora"])
@pytest.mark.parametrize("ckpt", [True, False])
def test_memory_grows_with_sequence_length_and_micro_batch(catalog, method, ckpt):
    # Never decreasing; strictly growing in activations (full fine-tuning's peak may sit at the
    # end of backward, where all gradients are alive and activations are gone, or at the
    # optimizer step, whose foreach AdamW scratch - one fp32 copy of 7B parameters - outweighs
    # even 8k tokens of activations: then the peak is flat).
    for key, values in (("seq_len", (128, 512, 2048, 8192)), ("micro_batch", (1, 2, 4, 8))):
        ests = [estimate(req(method=method, grad_ckpt=ckpt, grad_accum=2, **{key: v}), catalog) for v in values]
        peaks = [e.peak_vram_gb for e in ests]
        acts = [e.breakdown_gb["activations"] + e.breakdown_gb["logits_and_loss"] for e in ests]
        assert peaks == sorted(peaks) and (peaks[0] < peaks[-1] or method == "full")
        assert all(a < b for a, b in zip(acts, acts[1:], strict=False))
        single = [estimate(req(method=method, grad_ckpt=ckpt, **{key: v}), catalog).peak_vram_gb for v in values]
        assert single == sorted(single)


@pytest.mark.parametrize("method", ["full", "lora", "qlora"])
@pytest.mark.parametrize("seq", [256, 2048, 16384])
@pytest.mark.parametrize("attention", ["sdpa", "eager"])
def test_checkpointing_never_increases_memory(catalog, method, seq, attention):
    on = estimate(req(method=method, seq_len=seq, grad_ckpt=True, attention=attention), catalog)
    off = estimate(req(method=method, seq_len=seq, grad_ckpt=False, attention=attention), catalog)
    assert on.peak_vram_gb <= off.peak_vram_gb
    assert on.breakdown_gb.get("activations", 0) <= off.breakdown_gb.get("activations", 0)


def test_a_qlora_base_is_far_smaller_than_the_16bit_base(catalog):
    lora = estimate(req(LLAMA3_8B, method="lora"), catalog).breakdown_gb["weights"]
    qlora = estimate(req(LLAMA3_8B, method="qlora"), catalog).breakdown_gb["weights"]
    assert qlora < 0.4 * lora  # not a quarter: the 2 x 0.5B embedding/head weights stay 16-bit
    # NF4 with double quantisation: 4 + 8/64 + 32/(64*256) bits per linear weight (QLoRA §3);
    # embeddings and the LM head (2 x 128256 x 4096) stay bf16.
    s = shapes(LLAMA3_8B)
    linear = s.layers * s.block_linear_params
    expected = linear * (4 + 8 / 64 + 32 / (64 * 256)) / 8 + (s.total_params - linear) * 2
    assert qlora == pytest.approx(expected / 1e9, rel=1e-3)


def test_double_quantisation_saves_about_0_37_bits_per_weight(catalog):
    dq = estimate(req(LLAMA2_7B, method="qlora", double_quant=True), catalog).breakdown_gb["weights"]
    plain = estimate(req(LLAMA2_7B, method="qlora", double_quant=False), catalog).breakdown_gb["weights"]
    s = shapes(LLAMA2_7B)
    saved_bits = (plain - dq) * 1e9 * 8 / (s.layers * s.block_linear_params)
    assert saved_bits == pytest.approx(0.5 - 0.127, abs=0.001)


def test_full_fine_tuning_with_mixed_precision_adam_costs_about_18_bytes_per_parameter(catalog):
    e = estimate(req(method="full", precision="bf16-mixed", optimizer="adamw", seq_len=16), catalog)
    static = sum(e.breakdown_gb[k] for k in ("weights", "autocast_weight_copies", "optimizer_state"))
    static += e.breakdown_gb.get("gradients", 0.0)
    # fp32 weights 4 + bf16 copies 2 + fp32 moments 8 (+ fp32 grads 4 at the end of backward)
    assert static * 1e9 / shapes(LLAMA2_7B).total_params == pytest.approx(18, abs=0.1)


def test_8bit_optimizers_keep_a_quarter_of_adam_state(catalog):
    adam = estimate(req(method="full", optimizer="adamw"), catalog).breakdown_gb["optimizer_state"]
    eight = estimate(req(method="full", optimizer="adamw_8bit"), catalog).breakdown_gb["optimizer_state"]
    assert eight / adam == pytest.approx(0.25, abs=0.01)


def test_eager_attention_costs_memory_quadratic_in_length(catalog):
    def act(attn: str, seq: int) -> float:
        return estimate(req(attention=attn, seq_len=seq, grad_ckpt=False), catalog).breakdown_gb["activations"]

    assert act("eager", 4096) > act("sdpa", 4096) * 1.5
    # sdpa grows linearly; eager's extra part quadruples when length doubles.
    assert act("sdpa", 4096) / act("sdpa", 2048) == pytest.approx(2, rel=0.02)
    extra_2k = act("eager", 2048) - act("sdpa", 2048)
    extra_4k = act("eager", 4096) - act("sdpa", 4096)
    assert extra_4k / extra_2k == pytest.approx(4, rel=0.02)


def test_logits_scale_with_vocabulary_and_chunking_shrinks_them(catalog):
    big = estimate(req(LLAMA3_8B, seq_len=2048), catalog).breakdown_gb["logits_and_loss"]
    small = estimate(req(LLAMA2_7B, seq_len=2048), catalog).breakdown_gb["logits_and_loss"]
    assert big / small == pytest.approx(128256 / 32000, rel=1e-3)
    assert big == pytest.approx(12 * 128256 * 2048 / 1e9, rel=1e-3)
    chunked = estimate(req(LLAMA3_8B, seq_len=2048, chunked_loss=True), catalog).breakdown_gb["logits_and_loss"]
    assert chunked < big / 2


def test_the_breakdown_adds_up_and_the_range_brackets_the_peak(catalog):
    for method in ("full", "lora", "qlora"):
        e = estimate(req(method=method, seq_len=1024, micro_batch=2), catalog)
        assert sum(e.breakdown_gb.values()) == pytest.approx(e.peak_vram_gb, abs=0.01)
        low, high = e.range_gb
        assert low < e.peak_vram_gb < high


def test_impossible_combinations_are_refused(catalog):
    with pytest.raises(EstimateError, match="precision: qlora"):
        estimate(req(method="qlora", precision="fp32"), catalog)
    with pytest.raises(EstimateError, match="strategy: 'single'"):
        estimate(req(gpus=2), catalog)
    with pytest.raises(EstimateError, match="cpu_offload"):
        estimate(req(cpu_offload=True), catalog)
    with pytest.raises(EstimateError, match="unknown model"):
        estimate(EstimateRequest(model_id="no-such-model", method="lora", seq_len=512), catalog)
    with pytest.raises(ValueError, match="exactly one of model_id or architecture"):
        EstimateRequest(method="lora", seq_len=512)


def test_a_moe_trains_at_the_speed_of_its_active_parameters(catalog):
    moe = estimate(req(MIXTRAL, method="qlora", gpu_id="h100-sxm-80gb", seq_len=2048), catalog)
    dense = shapes(MIXTRAL).matmul_params_per_token
    # FLOPs per token follow the ~12.9B active parameters, not the 46.7B held in memory.
    assert dense / 1e9 == pytest.approx(12.88 - 0.131, abs=0.05)  # minus the embedding lookup
    assert moe.tokens_per_s is not None and moe.tokens_per_s > 0
    assert moe.breakdown_gb["weights"] > 20  # all experts are in memory


def test_speed_follows_flops_over_the_gpus_peak(catalog):
    # Long micro-batches: compute-bound, the per-operator host time is negligible.
    h100 = estimate(req(LLAMA3_8B, method="lora", gpu_id="h100-sxm-80gb", seq_len=4096, micro_batch=16), catalog)
    a100 = estimate(req(LLAMA3_8B, method="lora", gpu_id="a100-80gb-sxm", seq_len=4096, micro_batch=16), catalog)
    g_h, g_a = catalog.gpu("h100-sxm-80gb"), catalog.gpu("a100-80gb-sxm")
    assert h100.tokens_per_s / a100.tokens_per_s == pytest.approx(
        g_h.bf16_dense_tflops / g_a.bf16_dense_tflops, rel=0.15
    )
    # Full training: ~6N per token; frozen base: ~4N (no weight gradients). Many accumulated
    # micro-batches per optimizer step, so the step's own memory traffic does not count.
    def tps(method: str, ckpt: bool) -> float:
        r = req(LLAMA3_8B, method=method, gpu_id="h100-sxm-80gb", seq_len=2048, micro_batch=16,
                grad_ckpt=ckpt, grad_accum=256)
        return estimate(r, catalog).tokens_per_s

    assert tps("lora", False) / tps("full", False) == pytest.approx(6 / 4, rel=0.1)
    assert tps("full", False) / tps("full", True) == pytest.approx(8 / 6, rel=0.1)  # one more forward
    # With one micro-batch per step, full fine-tuning also pays the optimizer's memory traffic.
    one = estimate(req(LLAMA3_8B, method="full", gpu_id="h100-sxm-80gb", seq_len=2048, grad_ckpt=False), catalog)
    assert one.tokens_per_s < tps("full", False)


def test_short_micro_batches_are_bound_by_host_overhead(catalog):
    def tps(seq: int) -> float:
        return estimate(req(LLAMA2_7B, method="lora", gpu_id="h100-sxm-80gb", seq_len=seq), catalog).tokens_per_s

    # Eight times the tokens per step costs far less than eight times the time at 128 tokens.
    assert tps(1024) > 2 * tps(128)
    assert tps(8192) == pytest.approx(tps(4096), rel=0.15)


def test_hours_are_dataset_tokens_over_the_rate(catalog):
    e = estimate(req(LLAMA3_8B, method="qlora", gpu_id="rtx-4090", examples=2000, avg_tokens=512, epochs=3), catalog)
    assert e.train_hours == pytest.approx(2000 * 512 * 3 / e.tokens_per_s / 3600, rel=1e-3)
