"""Fully open models (weights, data and recipes published) as curated catalog rows:
Ai2's OLMo 3 7B and 32B, Swiss AI's Apertus 8B, Hugging Face's SmolLM3 3B.
"""

from __future__ import annotations

from .model_sources import SMOLLM3_BLOG
from .sources import ev

OLMO3_CODE = "github.com/allenai/OLMo-core:src/olmo_core/nn/transformer/config.py@fa6c5014c9f6e9ee789da2d9c20d5126fee8df0d"
OLMO3_README = "github.com/allenai/OLMo-core:src/scripts/official/OLMo3/README.md"
OLMO3_BLOG = "https://allenai.org/blog/olmo3"


def _olmo3(size: str, repo: str, instruct: str, arch: dict, reported: str) -> dict:
    card = f"https://huggingface.co/{repo}"
    instruct_card = f"https://huggingface.co/{instruct}/blob/main/README.md"
    return {
        "id": f"olmo-3-{size}",
        "name": f"OLMo 3 {size.upper()}",
        "family": "OLMo 3",
        "hf_repo_id": repo,
        "instruct_repo_id": instruct,
        "params_b_reported": reported,
        "architecture": {
            "model_type": "olmo3", "head_dim": 128, "vocab_size": 100352, "max_position_embeddings": 65536,
            "tie_word_embeddings": False, "sliding_window": 4096, **arch,
        },
        "context_tokens": 65536,
        "licences": ["apache-2.0"],
        "languages": ["en"],
        "languages_note": "English (the model card's 'language: en'); no other language is listed.",
        "task_strengths": ["chat", "instruction"],
        "benchmarks": [],
        "release_date": "2025-11-20",
        "sources": {
            "architecture": f"{OLMO3_CODE} (olmo3_{size.upper()} = olmo2_{size.upper()} shapes + sliding window 4096 on 3 of 4 layers); {OLMO3_README} (layers, hidden, heads, context)",
            "licence": instruct_card,
            "languages": instruct_card,
            "benchmarks": None,
            "release_date": OLMO3_BLOG,
        },
        "confidence": "partial",
        "notes": (
            "Fully open (data, code, checkpoints, logs). Dense decoder as OLMo 2 (QK-norm, post-norm "
            "blocks) with sliding-window attention (4096 tokens) on three of every four layers, the last "
            "layer full; 65,536-token context. Think (reasoning) and Instruct post-trained variants. "
            "No benchmark recorded: the card's and report's tables were not read in a primary copy."
        ),
        "evidence": [
            ev("architecture", OLMO3_CODE, "vendor", f"TransformerConfig.olmo3_{size.upper()}: olmo2 shapes, FFN rounded to a multiple of 256, untied embeddings, SlidingWindowAttentionConfig pattern [4096, 4096, 4096, -1]; dolma2 tokenizer 100,278 padded to 100,352"),
            ev("architecture", OLMO3_README, "vendor", "Size table: layers, hidden size, Q/KV heads, context length 65,536"),
            ev("architecture", card, "vendor", "model card's size table (same as the README)"),
            ev("licence", instruct_card, "vendor", "card front matter: license: apache-2.0"),
            ev("languages", instruct_card, "vendor", "card front matter: language: en"),
            ev("release_date", OLMO3_BLOG, "vendor", "Ai2 blog post dated November 20, 2025 ('With today's release of Olmo 3')"),
            ev("params", OLMO3_BLOG, "vendor", "'compact, dense models at 7 billion and 32 billion parameters'"),
        ],
    }


OLMO3_MODELS: list[dict] = [
    _olmo3("7b", "allenai/Olmo-3-1025-7B", "allenai/Olmo-3-7B-Instruct", {
        "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 32,
    }, "7B"),
    _olmo3("32b", "allenai/Olmo-3-1125-32B", "allenai/Olmo-3-32B-Instruct", {
        "hidden_size": 5120, "intermediate_size": 27648, "num_hidden_layers": 64,
        "num_attention_heads": 40, "num_key_value_heads": 8,
    }, "32B"),
]

APERTUS_CARD = "https://huggingface.co/swiss-ai/Apertus-8B-2509"
APERTUS_CARD_COPY = "https://llmyourway.com/authors/swiss-ai (copy of the card text)"

APERTUS_8B = {
    "id": "apertus-8b",
    "name": "Apertus 8B",
    "family": "Apertus",
    "hf_repo_id": "swiss-ai/Apertus-8B-2509",
    "instruct_repo_id": "swiss-ai/Apertus-8B-Instruct-2509",
    "params_b_reported": "8B",
    "architecture": {
        "model_type": "apertus",
        "hidden_size": 4096,
        "intermediate_size": 21504,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "vocab_size": 131072,
        "max_position_embeddings": 65536,
        "tie_word_embeddings": False,
    },
    "context_tokens": 65536,
    "licences": ["apache-2.0"],
    "languages": ["en"],
    "languages_note": (
        "'1811 natively supported languages' (card); the card publishes no list, so the catalog "
        "records the count and English (the card's benchmark language) as listed."
    ),
    "languages_claim_count": 1811,
    "task_strengths": ["chat", "instruction", "translation"],
    "benchmarks": [],
    "release_date": "2025-09-02",
    "sources": {
        "architecture": "https://huggingface.co/swiss-ai/Apertus-8B-2509/blob/main/config.json, via a fine-tune's copy (NewEden-Forge/Science-Expert-R1)",
        "licence": APERTUS_CARD + " (license: apache-2.0)",
        "languages": APERTUS_CARD,
        "benchmarks": None,
        "release_date": "https://huggingface.co/docs/transformers/model_doc/apertus",
    },
    "confidence": "partial",
    "notes": (
        "Fully open (weights, data, recipes); trained on 15T tokens with the xIELU activation, "
        "so the MLP has two matrices (up, down) and no gate. Trained respecting data owners' "
        "opt-outs. 65,536-token context."
    ),
    "evidence": [
        ev("architecture", "https://huggingface.co/swiss-ai/Apertus-8B-2509/blob/main/config.json", "third_party", "shapes from an ApertusForCausalLM fine-tune's config.json (NewEden-Forge/Science-Expert-R1): hidden 4096, 21504, 32 layers, 32/8 heads, vocab 131072"),
        ev("licence", APERTUS_CARD, "third_party", "license: apache-2.0 in the card front matter, read from " + APERTUS_CARD_COPY),
        ev("languages", APERTUS_CARD, "third_party", "'Massively Multilingual: 1811 natively supported languages', read from " + APERTUS_CARD_COPY),
        ev("context", APERTUS_CARD, "third_party", "'supports a context length up to 65,536 tokens' (card copy)"),
        ev("release_date", "https://huggingface.co/docs/transformers/model_doc/apertus", "third_party", "'released on 2025-09-02' (Hugging Face Transformers docs)"),
        ev("params", "https://huggingface.co/collections/swiss-ai/apertus-v1", "vendor", "Swiss AI's collection: 8B and 70B open-data open-weights models, 'multilingual in >1000 languages'; Apertus-8B-2509 listed as 8B"),
    ],
}

SMOLLM3_3B = {
    "id": "smollm3-3b",
    "name": "SmolLM3 3B",
    "family": "SmolLM3",
    "hf_repo_id": "HuggingFaceTB/SmolLM3-3B-Base",
    "instruct_repo_id": "HuggingFaceTB/SmolLM3-3B",
    "params_b_reported": "3B",
    "architecture": {
        "model_type": "smollm3",
        "hidden_size": 2048,
        "intermediate_size": 11008,
        "num_hidden_layers": 36,
        "num_attention_heads": 16,
        "num_key_value_heads": 4,
        "head_dim": 128,
        "vocab_size": 128256,
        "max_position_embeddings": 65536,
        "tie_word_embeddings": True,
    },
    "context_tokens": 131072,
    "licences": ["apache-2.0"],
    "languages": ["en", "fr", "es", "de", "it", "pt"],
    "languages_note": "6 natively supported languages (vendor blog).",
    "task_strengths": ["chat", "instruction", "reasoning"],
    "benchmarks": [],
    "release_date": None,
    "sources": {
        "architecture": f"{SMOLLM3_BLOG} (tied embeddings, GQA with 4 groups, NoPE every 4th layer); widths from copies of config.json",
        "licence": "https://huggingface.co/HuggingFaceTB/SmolLM3-3B (license: apache-2.0, via a copy)",
        "languages": SMOLLM3_BLOG,
        "benchmarks": None,
        "release_date": None,
    },
    "confidence": "partial",
    "notes": (
        "Trained on 11.2T tokens at 64K context; 128K via YaRN (2x extrapolation). Dual-mode "
        "reasoning (/think, /no_think), tool calling. Fully open: data mixture and configs published."
    ),
    "evidence": [
        ev("architecture", SMOLLM3_BLOG, "vendor", "tied embedding, GQA 4 groups, NoPE 3:1"),
        ev("architecture", "https://huggingface.co/HuggingFaceTB/SmolLM3-3B/blob/main/config.json", "third_party", "hidden 2048, 36 layers, 16 heads, intermediate 11008, vocab 128,256, max_position 65,536 from copies (github.com/21-grams/notso-smollm3-bot, model-inspector report)"),
        ev("context", SMOLLM3_BLOG, "vendor", "up to 128k context with YaRN"),
        ev("languages", SMOLLM3_BLOG, "vendor", "Multilingual support for 6 languages"),
        ev("licence", "https://huggingface.co/HuggingFaceTB/SmolLM3-3B", "third_party", "license: apache-2.0 in the card metadata, read from a copy (github.com/fetchwiki/HuggingFaceTB-SmolLM3-3B)"),
    ],
}
