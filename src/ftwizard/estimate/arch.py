"""Model shapes for the estimator: parameter counts and linear layers by role.

Counts follow the Hugging Face module layout (one q/k/v/o and gate/up/down per block);
the catalog's `params_b` is computed the same way (catalog_notes.md, section 2). Which layers
LoRA adapts is in lora_targets.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ftwizard.catalog.entries import Architecture

# Families whose MLP is two matrices (up, down) instead of the gated three (gate, up, down).
PLAIN_MLP_TYPES = frozenset(
    {"gpt2", "gpt_neox", "falcon", "phi", "bloom", "gpt_bigcode", "starcoder2", "gptj", "opt", "mpt"}
)
# RMSNorm families whose MLP is also two matrices (Apertus: up, xIELU, down).
UNGATED_TYPES = PLAIN_MLP_TYPES | {"apertus"}
# Families with LayerNorm (weight + bias); the others use RMSNorm.
LAYERNORM_TYPES = PLAIN_MLP_TYPES | {"stablelm", "cohere"}
# Families with a bias on every linear layer (GPT-2 style).
ALL_BIAS_TYPES = frozenset({"gpt2", "gpt_neox", "phi", "bloom", "gpt_bigcode", "starcoder2", "opt"})
# Families with biased attention projections, attention sinks and biased experts (gpt-oss).
EXPERT_BIAS_TYPES = frozenset({"gpt_oss"})
# Families with learned absolute position embeddings.
LEARNED_POSITION_TYPES = frozenset({"gpt2", "gpt_bigcode", "opt"})

ATTENTION_ROLES = frozenset({"q", "k", "v", "o"})
MLP_ROLES = frozenset({"gate", "up", "down"})


@dataclass(frozen=True)
class Shapes:
    """Per-block linear shapes (in, out) by role, and the parameter totals."""

    arch: Architecture
    linears: dict[str, tuple[int, int]]  # role -> (in_features, out_features), per block
    experts: int  # copies of each MLP matrix held per block (1 for dense models)
    active_experts: int  # copies each token passes through
    embed_params: int
    head_params: int  # 0 when tied to the embeddings
    block_params: int  # all parameters of one block (all experts)
    block_active_params: int  # parameters one token touches in one block
    other_params: int  # final norm, learned positions
    gated: bool
    layernorm: bool
    block_linear_params: int  # one block's linear weights (all experts): what 4-bit packs
    matmul_params_per_token: int  # active block linears + LM head: the FLOP count's N
    active_block_total: int = 0  # exact sum over blocks of the parameters one token uses

    @property
    def layers(self) -> int:
        return self.arch.num_hidden_layers

    @property
    def total_params(self) -> int:
        return self.embed_params + self.head_params + self.layers * self.block_params + self.other_params

    def linear_params(self, role: str) -> int:
        i, o = self.linears[role]
        return i * o * (self.experts if role in MLP_ROLES else 1)


@lru_cache(maxsize=1024)
def shapes(arch: Architecture) -> Shapes:
    """Linear shapes and parameter counts of a decoder-only transformer (cached: immutable)."""
    h, d = arch.hidden_size, arch.head_dim
    q_out, kv_out = arch.num_attention_heads * d, arch.num_key_value_heads * d
    gated = arch.model_type not in UNGATED_TYPES
    layernorm = arch.model_type in LAYERNORM_TYPES
    experts = arch.moe_experts or 1
    active = arch.moe_active_experts or 1
    inter = arch.intermediate_size
    if arch.moe_experts and arch.moe_intermediate_size:
        inter = arch.moe_intermediate_size
    linears: dict[str, tuple[int, int]] = {
        "q": (h, q_out),
        "k": (h, kv_out),
        "v": (h, kv_out),
        "o": (q_out, h),
        "up": (h, inter),
        "down": (inter, h),
    }
    if gated:
        linears["gate"] = (h, inter)
    all_bias = arch.model_type in ALL_BIAS_TYPES
    attn_bias = 0
    mlp_bias = 0  # per expert copy
    if all_bias:
        attn_bias = q_out + 2 * kv_out + h
        mlp_bias = inter * (2 if gated else 1) + h
    elif arch.model_type in EXPERT_BIAS_TYPES:
        # gpt-oss: biased qkv and out projections, a learned sink per head, biased experts and router
        attn_bias = q_out + 2 * kv_out + h + arch.num_attention_heads
        mlp_bias = 2 * inter + h
    elif arch.attention_bias:
        attn_bias = q_out + 2 * kv_out
    norm = 2 * h if layernorm else h
    layers = arch.num_hidden_layers
    attn_w = sum(i * o for r, (i, o) in linears.items() if r in ATTENTION_ROLES)
    mlp_w = sum(i * o for r, (i, o) in linears.items() if r in MLP_ROLES)  # one expert copy
    # Token mixers: full attention, or (hybrid models) a Mamba-2 / gated-delta-net mixer.
    n_attn = layers if arch.attention_layers is None else arch.attention_layers
    n_linear = layers - n_attn
    # Global blocks with their own attention shape (Gemma 4: wider heads, fewer KV heads,
    # keys reused as values); the per-block linears above describe the other blocks.
    n_global = arch.global_attention_layers or 0
    g_d = arch.global_head_dim or d
    g_q = arch.num_attention_heads * g_d
    g_kv = (arch.global_key_value_heads or arch.num_key_value_heads) * g_d
    attn_w_global = h * g_q + h * g_kv * (1 if arch.global_k_eq_v else 2) + g_q * h
    attn_all = (n_attn - n_global) * attn_w + n_global * attn_w_global
    mixer_total = attn_all + n_attn * attn_bias + n_linear * (arch.linear_params_per_layer or 0)
    # Channel mixers: routed experts (+ router, + always-on shared experts), or a dense MLP.
    n_moe = (arch.moe_layers or layers) if arch.moe_experts else 0
    shared = 0
    if arch.moe_experts and arch.moe_shared_experts:
        s_inter = arch.moe_shared_intermediate_size or inter
        shared = arch.moe_shared_experts * (3 if gated else 2) * h * s_inter
    router = (h * experts + (experts if arch.model_type in EXPERT_BIAS_TYPES else 0)) if arch.moe_experts else 0
    moe_layer = (mlp_w + mlp_bias) * experts + router + shared
    moe_layer_active = (mlp_w + mlp_bias) * active + router + shared
    dense_inter = arch.intermediate_size
    dense_layer = dense_inter * h * (3 if gated else 2) + (mlp_bias if not arch.moe_experts else 0)
    n_dense = layers - n_moe
    blocks_total = mixer_total + n_moe * moe_layer + n_dense * dense_layer + layers * 2 * norm
    blocks_active = mixer_total + n_moe * moe_layer_active + n_dense * dense_layer + layers * 2 * norm
    # Uniform per-block figures for the memory and time models (averages over the block
    # types); the remainder of the integer division goes to other_params so totals are exact.
    block, block_rem = divmod(blocks_total, layers)
    block_active = blocks_active // layers
    embed = arch.vocab_size * h
    positions = (arch.max_position_embeddings or 0) * h if arch.model_type in LEARNED_POSITION_TYPES else 0
    mlp_per_token = mlp_w
    attn_linear = attn_all // layers + (arch.linear_params_per_layer or 0) * n_linear // layers
    shared_active = shared if n_moe else 0
    return Shapes(
        arch=arch,
        linears=linears,
        experts=experts,
        active_experts=active,
        embed_params=embed,
        head_params=0 if arch.tie_word_embeddings else embed,
        block_params=block,
        block_active_params=block_active,
        other_params=norm + positions + block_rem,
        gated=gated,
        layernorm=layernorm,
        block_linear_params=attn_linear + mlp_per_token * experts + shared,
        matmul_params_per_token=layers * (attn_linear + mlp_per_token * active + shared_active)
        + arch.vocab_size * h,
        active_block_total=blocks_active,
    )


def active_params(arch: Architecture, include_embedding: bool = True) -> int:
    """Parameters one token passes through: every block's active part (the routed experts it
    uses, shared experts, router, attention or linear mixer, norms), the final norm, the output
    head and, by default, the input embedding.

    Vendors differ on the embedding: Qwen ('30.5B in total and 3.3B activated') and Mistral
    (Mixtral 12.9B active) count it; OpenAI's gpt-oss card (3.61B active of 20.91B) counts the
    unembedding only, so pass include_embedding=False to compare with that convention."""
    s = shapes(arch)
    head = s.arch.vocab_size * s.arch.hidden_size
    embed = s.embed_params if include_embedding and not s.arch.tie_word_embeddings else 0
    return s.active_block_total + s.arch.hidden_size + head + embed


def mamba2_mixer_params(
    hidden: int, d_state: int, n_heads: int, d_head: int, n_groups: int = 1, d_conv: int = 4,
    conv_bias: bool = True, proj_bias: bool = False,
) -> int:
    """One Mamba-2 mixer (Dao & Gu 2024; transformers' Mamba2Mixer / GraniteMoeHybridMambaLayer):
    in_proj h -> (2*inner + 2*groups*state + heads), a depthwise conv over (inner + 2*groups*state)
    channels, dt_bias, A_log and D per head, a gated RMSNorm over inner, out_proj inner -> h."""
    inner = n_heads * d_head
    conv_dim = inner + 2 * n_groups * d_state
    in_out = 2 * inner + 2 * n_groups * d_state + n_heads
    total = hidden * in_out + (in_out if proj_bias else 0)
    total += conv_dim * d_conv + (conv_dim if conv_bias else 0)
    total += 3 * n_heads + inner
    total += inner * hidden + (hidden if proj_bias else 0)
    return total


def gated_deltanet_params(
    hidden: int, n_key_heads: int, key_head_dim: int, n_value_heads: int, value_head_dim: int, d_conv: int = 4
) -> int:
    """One gated delta-net mixer (Yang et al. 2024; transformers' Qwen3NextGatedDeltaNet):
    in_proj_qkvz h -> (2*key_dim + 2*value_dim), in_proj_ba h -> 2*value_heads, a depthwise
    conv over (2*key_dim + value_dim) channels (no bias), dt_bias and A_log per value head,
    a gated RMSNorm over one value head, out_proj value_dim -> h."""
    key_dim, value_dim = n_key_heads * key_head_dim, n_value_heads * value_head_dim
    total = hidden * (2 * key_dim + 2 * value_dim) + hidden * 2 * n_value_heads
    total += (2 * key_dim + value_dim) * d_conv
    total += 2 * n_value_heads + value_head_dim
    total += value_dim * hidden
    return total


def shipped_weight_bytes(arch: Architecture, weights_dtype: str | None) -> float:
    """Bytes of the published checkpoint: MXFP4 packs the expert matrices in 4.25 bits per
    parameter (4-bit values + one 8-bit scale per 32; OCP MX spec v1.0) and keeps the rest in
    bf16 (gpt-oss); FP8 checkpoints store the linear weights in 1 byte; others 2 bytes.

    Training does not run on these formats: LoRA dequantizes them to bf16 when loading (what
    the estimator's memory model assumes), QLoRA requantizes the bf16 weights to NF4."""
    s = shapes(arch)
    total = s.total_params
    if weights_dtype == "mxfp4" and arch.moe_experts:
        experts = s.layers * sum(i * o for r, (i, o) in s.linears.items() if r in MLP_ROLES) * s.experts
        return experts * 4.25 / 8 + (total - experts) * 2.0
    if weights_dtype == "fp8":
        linear = s.layers * s.block_linear_params
        return linear * 1.0 + (total - linear) * 2.0
    if weights_dtype == "fp32":
        return total * 4.0
    return total * 2.0
