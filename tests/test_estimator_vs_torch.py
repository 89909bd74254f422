"""The estimator's counts against the real stack ftwizard trains with (transformers + PEFT).

Tiny random models built locally on the CPU (no download): parameter counts against
`num_parameters()`, LoRA counts against PEFT, and the activation bytes a block keeps for
backward against torch's saved-tensor hooks.
"""

from __future__ import annotations

import contextlib

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
peft = pytest.importorskip("peft")

from ftwizard.estimate.arch import shapes  # noqa: E402
from ftwizard.estimate.arch_config import architecture_from_dict  # noqa: E402
from ftwizard.estimate.lora_targets import lora_param_count, target_roles  # noqa: E402
from ftwizard.estimate.memory import layer_activation_bytes_per_token  # noqa: E402
from ftwizard.estimate.request import EstimateRequest  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.train]

CONFIGS = {
    "llama": dict(model_type="llama", hidden_size=96, intermediate_size=256, num_hidden_layers=2,
                  num_attention_heads=6, num_key_value_heads=2, vocab_size=320, tie_word_embeddings=False),
    "qwen2": dict(model_type="qwen2", hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, vocab_size=300, tie_word_embeddings=True),
    "mixtral": dict(model_type="mixtral", hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, vocab_size=256, num_local_experts=4,
                    num_experts_per_tok=2, tie_word_embeddings=False),
    "gemma2": dict(model_type="gemma2", hidden_size=64, intermediate_size=192, num_hidden_layers=2,
                   num_attention_heads=4, num_key_value_heads=2, head_dim=32, vocab_size=256),
    "phi3": dict(model_type="phi3", hidden_size=64, intermediate_size=192, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=4, vocab_size=256, tie_word_embeddings=False,
                 pad_token_id=0),
    "gpt2": dict(model_type="gpt2", n_embd=64, n_layer=2, n_head=4, vocab_size=256, n_positions=128),
}


def hf_model(cfg: dict):
    config = transformers.AutoConfig.for_model(**cfg)
    torch.manual_seed(0)
    return transformers.AutoModelForCausalLM.from_config(config)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_parameter_counts_match_transformers(name):
    model = hf_model(CONFIGS[name])
    arch = architecture_from_dict(model.config.to_dict(), name)
    # Norm weights differ by family (Gemma 2 has four per block); they are < 0.1% of any real model.
    hf = sum(p.numel() for p in model.parameters())
    assert shapes(arch).total_params == pytest.approx(hf, rel=0.02)
    linears = sum(
        m.weight.numel() for n, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and "lm_head" not in n and "gate." not in n + "."
        and not n.endswith(".gate")
    )
    if name not in ("gpt2", "mixtral"):  # GPT-2 uses Conv1D; transformers 5 stores experts as 3-D tensors
        s = shapes(arch)
        assert s.layers * s.block_linear_params == linears


# Mixture-of-experts models are left out: transformers 5 stores experts as fused 3-D tensors,
# which PEFT adapts differently from the per-expert linear layers counted here.
@pytest.mark.parametrize("name", ["llama", "qwen2", "phi3"])
@pytest.mark.parametrize("targets", ["all-linear", "q_proj,v_proj"])
def test_lora_counts_match_peft(name, targets):
    if name == "phi3" and targets != "all-linear":
        pytest.skip("Phi-3 fuses q, k and v into one qkv_proj")
    model = hf_model(CONFIGS[name])
    arch = architecture_from_dict(model.config.to_dict(), name)
    target_modules = "all-linear" if targets == "all-linear" else targets.split(",")
    tuned = peft.get_peft_model(model, peft.LoraConfig(r=4, target_modules=target_modules))
    trainable = sum(p.numel() for p in tuned.parameters() if p.requires_grad)
    assert lora_param_count(arch, 4, targets) == trainable


def _saved_bytes_per_layer(mode: str, dropout: float, mixed: bool, attn: str) -> tuple[float, float, object]:
    """Bytes autograd keeps per token for one more block (4 blocks minus 2, halved)."""
    h, inter, heads, kv, vocab, seq, batch = 128, 352, 8, 2, 500, 64, 2
    out = []
    for layers in (2, 4):
        cfg = transformers.LlamaConfig(
            hidden_size=h, intermediate_size=inter, num_hidden_layers=layers, num_attention_heads=heads,
            num_key_value_heads=kv, vocab_size=vocab, attn_implementation=attn,
        )
        torch.manual_seed(0)
        model = transformers.LlamaForCausalLM(cfg).to(torch.bfloat16)
        if mode == "lora":
            model = peft.get_peft_model(
                model, peft.LoraConfig(r=8, target_modules="all-linear", lora_dropout=dropout),
                autocast_adapter_dtype=mixed,
            )
        model.train()
        params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        seen: dict[int, int] = {}

        def pack(t, params=params, seen=seen):
            st = t.untyped_storage()
            if st.data_ptr() not in params:
                seen[st.data_ptr()] = max(seen.get(st.data_ptr(), 0), st.nbytes())
            return t

        ids = torch.randint(0, vocab, (batch, seq))
        amp = torch.autocast("cpu", dtype=torch.bfloat16) if mixed else contextlib.nullcontext()
        with amp, torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model(input_ids=ids, labels=ids)
        out.append(sum(seen.values()))
    arch = architecture_from_dict(cfg.to_dict(), "tiny llama")
    return (out[1] - out[0]) / 2 / (batch * seq), float(inter), arch


@pytest.mark.parametrize(
    ("mode", "dropout", "mixed", "attn"),
    [
        ("full", 0.0, False, "sdpa"),
        ("full", 0.0, False, "eager"),
        ("lora", 0.0, False, "sdpa"),
        ("lora", 0.0, True, "sdpa"),
        ("lora", 0.05, False, "sdpa"),
        ("lora", 0.05, True, "eager"),
    ],
)
def test_activation_bytes_match_what_autograd_keeps(mode, dropout, mixed, attn):
    measured, inter, arch = _saved_bytes_per_layer(mode, dropout, mixed, attn)
    req = EstimateRequest(
        architecture=arch, method=mode, precision="bf16-mixed" if mixed else "bf16-true",
        lora_dropout=dropout, seq_len=64, attention=attn,
    )
    roles = target_roles(arch, "all-linear") if mode == "lora" else frozenset()
    ours = layer_activation_bytes_per_token(shapes(arch), req, roles)
    if dropout:
        # On the CPU, dropout's mask has the input's dtype (bf16, or fp32 after PEFT's cast);
        # CUDA keeps a one-byte bool mask, which is what the estimator counts.
        h = arch.hidden_size
        inputs = 6 * h + inter  # q, k, v, gate, up read h; o reads heads*head_dim = h; down reads inter
        ours += ((4 if mixed else 2) - 1) * inputs
    assert ours == pytest.approx(measured, rel=0.07)
