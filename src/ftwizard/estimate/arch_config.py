"""A model's architecture from its Hugging Face config.json: the field names of each family
mapped onto the catalog's Architecture (hidden size, layers, heads, experts, hybrid mixers,
Gemma 4's global attention blocks), or an EstimateError naming the file and the field.
Families the estimator cannot count correctly are refused by name rather than undercounted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ftwizard.base.errors import EstimateError
from ftwizard.base.jsonio import describe_validation_error, read_json
from ftwizard.catalog.entries import Architecture
from ftwizard.estimate.arch import PLAIN_MLP_TYPES, gated_deltanet_params, mamba2_mixer_params

_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "hidden_size": ("hidden_size", "n_embd", "d_model"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "num_attention_heads": ("num_attention_heads", "n_head", "num_heads"),
    "vocab_size": ("vocab_size", "padded_vocab_size"),
    "max_position_embeddings": ("max_position_embeddings", "n_positions", "seq_length", "max_seq_len"),
}


def _first(cfg: dict[str, Any], names: tuple[str, ...]) -> Any:
    for n in names:
        if cfg.get(n) is not None:
            return cfg[n]
    return None


def architecture_from_dict(cfg: dict[str, Any], source: str) -> Architecture:
    """Map a Hugging Face config dict to Architecture; EstimateError names source and field."""
    if not isinstance(cfg, dict):
        raise EstimateError(f"{source}: $: expected a JSON object")
    if isinstance(cfg.get("text_config"), dict) and "hidden_size" not in cfg:
        inner = dict(cfg["text_config"])  # multimodal wrapper (Gemma 3, Llava): the text decoder
        inner.setdefault("tie_word_embeddings", cfg.get("tie_word_embeddings", True))
        cfg = inner
        source = f"{source}: $.text_config"
    if cfg.get("is_encoder_decoder"):
        raise EstimateError(f"{source}: $.is_encoder_decoder: encoder-decoder models are not supported")
    model_type = cfg.get("model_type")
    if not isinstance(model_type, str) or not model_type:
        raise EstimateError(f"{source}: $.model_type: missing (not a Hugging Face config.json?)")
    out: dict[str, Any] = {"model_type": model_type}
    for field, names in _FIELD_ALIASES.items():
        out[field] = _first(cfg, names)
    for field in ("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size"):
        value = out[field]
        if value is None:
            raise EstimateError(f"{source}: $.{field}: missing")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
            raise EstimateError(f"{source}: $.{field}: expected a positive integer, got {value!r:.40}")
    h, heads = out["hidden_size"], out["num_attention_heads"]
    kv = _first(cfg, ("num_key_value_heads", "num_kv_heads", "n_head_kv"))
    if kv is None:
        kv = 1 if cfg.get("multi_query") and not cfg.get("new_decoder_architecture") else heads
    out["num_key_value_heads"] = kv
    hd = cfg.get("head_dim")
    if hd is None:
        if not isinstance(h, int) or not isinstance(heads, int) or heads <= 0:
            raise EstimateError(f"{source}: $.num_attention_heads: must be a positive integer")
        hd = h // heads
    out["head_dim"] = hd
    inter = _first(cfg, ("intermediate_size", "n_inner", "ffn_hidden_size", "ffn_dim"))
    if model_type == "qwen" and inter is not None:
        inter = inter // 2  # Qwen (v1) config counts both input matrices (w1, w2) in one width
    if inter is None and model_type in PLAIN_MLP_TYPES and isinstance(h, int):
        inter = 4 * h  # GPT-2, Falcon, BLOOM: 4h MLP when the config leaves it out
    if inter is None:
        raise EstimateError(f"{source}: $.intermediate_size: missing")
    out["intermediate_size"] = inter
    default_tie = model_type in {"gpt2", "bloom", "gemma", "gemma2", "gemma3_text", "gemma4_text", "gpt_bigcode"}
    tie = cfg.get("tie_word_embeddings", default_tie)
    out["tie_word_embeddings"] = bool(tie)
    experts = _first(cfg, ("num_local_experts", "num_experts", "n_routed_experts"))
    active = _first(cfg, ("num_experts_per_tok", "experts_per_token", "moe_top_k", "top_k_experts"))
    if experts and active:
        out["moe_experts"], out["moe_active_experts"] = experts, active
        moe_inter = cfg.get("moe_intermediate_size")
        if moe_inter:
            out["moe_intermediate_size"] = moe_inter
    for field in ("hidden_size_per_layer_input", "num_kv_shared_layers"):
        if model_type == "gemma4_text" and cfg.get(field):
            raise EstimateError(
                f"{source}: $.{field}: per-layer embeddings and shared KV layers (Gemma 4 E2B/E4B) "
                "are not modelled by the estimator"
            )
    bias = cfg.get("attention_bias", cfg.get("bias", model_type in ("qwen2", "qwen2_moe", "qwen")))
    out["attention_bias"] = bool(bias)
    try:
        out.update(_family_extras(cfg, model_type, out))
    except KeyError as exc:
        raise EstimateError(f"{source}: $.{exc.args[0]}: missing (needed for a {model_type} model)") from None
    except (TypeError, ValueError) as exc:
        raise EstimateError(f"{source}: {model_type} layer settings are not numbers: {exc}") from None
    try:
        return Architecture.model_validate(out)
    except ValidationError as exc:
        raise EstimateError(describe_validation_error(source, exc)) from None


def _family_extras(cfg: dict[str, Any], model_type: str, out: dict[str, Any]) -> dict[str, Any]:
    """Shared experts, interleaved MoE layers and hybrid (Mamba-2 / gated delta-net) layers,
    read the way each family's transformers config names them."""
    extra: dict[str, Any] = {}
    layers = out["num_hidden_layers"]
    h = out["hidden_size"]
    layer_types = cfg.get("layer_types") if isinstance(cfg.get("layer_types"), list) else None
    if isinstance(cfg.get("sliding_window"), int) and cfg["sliding_window"] > 0 and (
        layer_types is None or "sliding_attention" in layer_types
    ):
        extra["sliding_window"] = cfg["sliding_window"]
    if model_type == "llama4_text":
        # Llama 4: routed experts of width intermediate_size plus one shared expert of the
        # same width in every interleave_moe_layer_step-th layer; the others are dense MLPs
        # of width intermediate_size_mlp.
        if out.get("moe_experts"):
            extra["moe_intermediate_size"] = cfg["intermediate_size"]
            extra["intermediate_size"] = cfg.get("intermediate_size_mlp", cfg["intermediate_size"])
            extra["moe_shared_experts"] = 1
            step = int(cfg.get("interleave_moe_layer_step") or 1)
            if step > 1:
                extra["moe_layers"] = layers // step
    if model_type == "gemma4_text":
        # Gemma 4: every block has a dense GeGLU MLP of width intermediate_size; the MoE model
        # adds routed experts of width moe_intermediate_size beside it (counted as one shared
        # expert). Global (full_attention) blocks use global_head_dim and
        # num_global_key_value_heads, with keys reused as values when attention_k_eq_v.
        if out.get("moe_experts"):
            extra["moe_shared_experts"] = 1
            extra["moe_shared_intermediate_size"] = cfg["intermediate_size"]
        if layer_types is not None and cfg.get("global_head_dim"):
            extra["global_attention_layers"] = sum(1 for t in layer_types if t == "full_attention")
            extra["global_head_dim"] = int(cfg["global_head_dim"])
            if cfg.get("num_global_key_value_heads"):
                extra["global_key_value_heads"] = int(cfg["num_global_key_value_heads"])
            extra["global_k_eq_v"] = bool(cfg.get("attention_k_eq_v", False))
    if model_type == "granitemoehybrid":
        shared = cfg.get("shared_intermediate_size")
        if out.get("moe_experts"):
            if shared:
                extra["moe_shared_experts"] = 1
                extra["moe_shared_intermediate_size"] = shared
            extra["moe_intermediate_size"] = cfg["intermediate_size"]
        elif shared:
            extra["intermediate_size"] = shared  # dense Granite 4.0: the 'shared' MLP is the MLP
        if layer_types is not None and "mamba" in layer_types:
            n_heads = int(cfg.get("mamba_n_heads") or 128)
            d_head = int(cfg.get("mamba_d_head") or (int(cfg.get("mamba_expand") or 2) * h // n_heads))
            extra["attention_layers"] = sum(1 for t in layer_types if t == "attention")
            extra["linear_layer_kind"] = "mamba2"
            extra["linear_params_per_layer"] = mamba2_mixer_params(
                h,
                int(cfg.get("mamba_d_state") or 256),
                n_heads,
                d_head,
                int(cfg.get("mamba_n_groups") or 1),
                int(cfg.get("mamba_d_conv") or 4),
                bool(cfg.get("mamba_conv_bias", True)),
                bool(cfg.get("mamba_proj_bias", False)),
            )
    if layer_types is not None and "linear_attention" in layer_types:
        # Qwen3-Next / Qwen3.5: gated delta-net layers between full-attention layers.
        extra["attention_layers"] = sum(1 for t in layer_types if t == "full_attention")
        extra["linear_layer_kind"] = "gated_deltanet"
        extra["linear_params_per_layer"] = gated_deltanet_params(
            h,
            int(cfg["linear_num_key_heads"]),
            int(cfg["linear_key_head_dim"]),
            int(cfg["linear_num_value_heads"]),
            int(cfg["linear_value_head_dim"]),
            int(cfg.get("linear_conv_kernel_dim") or 4),
        )
    return extra


def architecture_from_config(path: Path) -> Architecture:
    """Read a local Hugging Face config.json (a file, or a folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / "config.json"
    data = read_json(path, EstimateError)
    return architecture_from_dict(data, str(path))
