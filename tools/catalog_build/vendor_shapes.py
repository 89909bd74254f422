"""VENDOR_SHAPES: vendor statements of a CSV row's shapes (Meta's sku_list, SmolLM2's
pretraining configs, OLMo-core, TinyLlama's README), with meta_ffn, Meta's FFN width rule.
"""

from __future__ import annotations

from typing import Any

# --------------------------------------------------------------------------------------
# Vendor statements of a CSV row's shapes (read 2026-12-05). The builder compares every
# field with the row and fails if one differs, so a vendor source is only cited where it
# states the very shapes the catalog uses (catalog_build/assemble.py, check_vendor_shapes).
# --------------------------------------------------------------------------------------
META_SKU_LIST = "github.com/meta-llama/llama-stack:llama_stack/models/llama/sku_list.py@012dd6891ff6af98b46146f3dc41995986cdcfcc"


def meta_ffn(dim: int, multiplier: float, multiple_of: int) -> int:
    """Meta's FeedForward width (llama-models models/llama3/model.py): int(2 * 4dim / 3),
    times ffn_dim_multiplier, rounded up to a multiple of multiple_of."""
    hidden = int(int(2 * 4 * dim / 3) * multiplier)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def _meta(dim: int, layers: int, heads: int, kv: int, mult: float, multiple_of: int) -> dict:
    return {
        "hidden_size": dim, "num_hidden_layers": layers, "num_attention_heads": heads,
        "num_key_value_heads": kv, "vocab_size": 128256, "head_dim": dim // heads,
        "intermediate_size": meta_ffn(dim, mult, multiple_of),
    }


# id -> (source, note, the Architecture fields the source states)
VENDOR_SHAPES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "llama-3-8b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3-8B: dim 4096, 32 layers, 32/8 heads, ffn x1.3 (multiple of 1024), vocab 128256", _meta(4096, 32, 32, 8, 1.3, 1024)),
    "llama-3-70b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3-70B: dim 8192, 80 layers, 64/8 heads, ffn x1.3 (multiple of 4096)", _meta(8192, 80, 64, 8, 1.3, 4096)),
    "llama-3.1-8b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3.1-8B", _meta(4096, 32, 32, 8, 1.3, 1024)),
    "llama-3.1-70b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3.1-70B", _meta(8192, 80, 64, 8, 1.3, 4096)),
    "llama-3.1-405b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3.1-405B (bf16-mp8): dim 16384, 126 layers, 128/8 heads, ffn x1.2", _meta(16384, 126, 128, 8, 1.2, 4096)),
    "llama-3.2-1b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3.2-1B: dim 2048, 16 layers, 32/8 heads, ffn x1.5 (multiple of 256)", _meta(2048, 16, 32, 8, 1.5, 256)),
    "llama-3.2-3b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3.2-3B: dim 3072, 28 layers, 24/8 heads, ffn x1.0", _meta(3072, 28, 24, 8, 1.0, 256)),
    "llama-3.3-70b": (META_SKU_LIST, "arch_args of meta-llama/Llama-3.3-70B-Instruct", _meta(8192, 80, 64, 8, 1.3, 4096)),
}
SMOLLM2_CONFIGS = "github.com/huggingface/smollm@a041759883ec7152d18fb985ea49be641a0bceef:text/pretraining/smollm2"
for _mid, _file, _shape in (
    ("smollm2-135m", "config_smollm2_135M.yaml", (576, 1536, 9, 30, 3)),
    ("smollm2-360m", "config_smollm2_360M.yaml", (960, 2560, 15, 32, 5)),
    ("smollm2-1.7b", "config_smollm2_1B.yaml", (2048, 8192, 32, 24, 32)),
):
    _h, _i, _heads, _layers, _kv = _shape
    VENDOR_SHAPES[_mid] = (
        f"{SMOLLM2_CONFIGS}/{_file}",
        "Hugging Face's pretraining config (model_config): the same widths, heads, layers, vocab 49152 and tied "
        "embeddings; it trains at 2048 positions, the released checkpoint's 8k context comes from the later stage",
        {"hidden_size": _h, "intermediate_size": _i, "num_attention_heads": _heads, "num_hidden_layers": _layers,
         "num_key_value_heads": _kv, "vocab_size": 49152, "tie_word_embeddings": True},
    )
VENDOR_SHAPES["olmo-2-7b"] = (
    "github.com/allenai/OLMo-core:src/olmo_core/nn/transformer/config.py@fa6c5014c9f6e9ee789da2d9c20d5126fee8df0d (TransformerConfig.olmo2_7B)",
    "Ai2's definition: llama2_7B shapes (d_model 4096, 32 layers, 32 heads, no GQA), SwiGLU width int(8*4096/3) "
    "rounded up to a multiple of 256 = 11008, untied; the dolma2 tokenizer's 100,278 tokens padded to 100,352",
    {"hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
     "num_key_value_heads": 32, "vocab_size": 100352, "tie_word_embeddings": False},
)
VENDOR_SHAPES["tinyllama-1.1b"] = (
    "github.com/jzhang38/TinyLlama@026587c0fbc5cf756eba92e0220566550df66ca7:README.md",
    "Training Details: Layers 22, Heads 32, Query Groups 4, Embedding Size 2048, Intermediate Size (SwiGLU) 5632; "
    "'exactly the same architecture and tokenizer as Llama 2' (32,000 tokens)",
    {"hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 22, "num_attention_heads": 32,
     "num_key_value_heads": 4, "vocab_size": 32000},
)
# Not used: the same file's Llama 2 arch_args (n_kv_heads 8, ffn x1.3 for the 7B) contradict
# the released Llama 2 7B/13B (multi-head attention, FFN 11008/13824), so they confirm nothing.
