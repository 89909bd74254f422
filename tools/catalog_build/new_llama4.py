"""Meta's Llama 4 Scout (17Bx16E) as a curated catalog row."""

from __future__ import annotations

from .sources import ev

LLAMA4_CARD = "github.com/meta-llama/llama-models:models/llama4/MODEL_CARD.md"
LLAMA4_LANGS = ["ar", "en", "fr", "de", "hi", "id", "it", "pt", "es", "tl", "th", "vi"]

LLAMA4_SCOUT = {
    "id": "llama-4-scout-17b-16e",
    "name": "Llama 4 Scout (17Bx16E)",
    "family": "Llama 4",
    "hf_repo_id": "meta-llama/Llama-4-Scout-17B-16E",
    "instruct_repo_id": "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    "params_b_reported": "109B total, 17B activated (model card; total includes the vision encoder)",
    "architecture": {
        "model_type": "llama4_text",
        "hidden_size": 5120,
        "intermediate_size": 16384,
        "num_hidden_layers": 48,
        "num_attention_heads": 40,
        "num_key_value_heads": 8,
        "head_dim": 128,
        "vocab_size": 202048,
        "max_position_embeddings": None,
        "tie_word_embeddings": False,
        "moe_experts": 16,
        "moe_active_experts": 1,
        "moe_intermediate_size": 8192,
        "moe_shared_experts": 1,
    },
    "context_tokens": 10485760,
    "licences": ["llama-4"],
    "languages": LLAMA4_LANGS,
    "languages_note": "12 supported languages (card); pre-trained on 200 languages, fine-tuning for others allowed.",
    "task_strengths": ["chat", "instruction", "code", "translation", "reasoning"],
    "benchmarks": [
        {"name": "MMLU", "score": 79.6, "variant": "base", "shots": "5-shot", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "MMLU-Pro", "score": 58.2, "variant": "base", "shots": "5-shot", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "MATH", "score": 50.3, "variant": "base", "shots": "4-shot", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "MBPP", "score": 67.8, "variant": "base", "shots": "3-shot", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "TydiQA", "score": 31.5, "variant": "base", "shots": "1-shot F1", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "LiveCodeBench", "score": 32.8, "variant": "instruct", "shots": "0-shot", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "MMLU-Pro", "score": 74.3, "variant": "instruct", "shots": "0-shot", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "GPQA Diamond", "score": 57.2, "variant": "instruct", "shots": "0-shot", "evaluator": None, "source": LLAMA4_CARD},
        {"name": "MGSM", "score": 90.6, "variant": "instruct", "shots": "0-shot", "evaluator": None, "source": LLAMA4_CARD},
    ],
    "release_date": "2025-04-05",
    "multimodal": True,
    "sources": {
        "architecture": "huggingface.co/meta-llama/Llama-4-Scout-17B-16E config.json text_config, as copied in github.com/Shameerisb/llama-4-scout_Implementation_Pytorch:configs/text_config.py",
        "licence": "github.com/meta-llama/llama-models:models/llama4/LICENSE",
        "languages": LLAMA4_CARD,
        "benchmarks": LLAMA4_CARD,
        "release_date": LLAMA4_CARD,
    },
    "confidence": "partial",
    "notes": (
        "Natively multimodal (text and image in): the Llama 4 AUP withholds the licence from "
        "people domiciled, and companies based, in the EU. Every layer is MoE: 16 routed experts "
        "(top-1) plus one shared expert of the same width. params_b counts the text decoder only; "
        "the card's 109B includes the vision encoder. Context '10M' = 10x1024x1024 by the "
        "catalog's K/M rule. Released as BF16 weights."
    ),
    "evidence": [
        ev("architecture", "https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E/blob/main/config.json", "third_party", "text_config values read from a copy (github.com/Shameerisb/llama-4-scout_Implementation_Pytorch)"),
        ev("architecture", "github.com/meta-llama/llama-models:models/llama4/args.py", "vendor", "MoE args: top_k, interleave_moe_layer_step"),
        ev("params", LLAMA4_CARD, "vendor", "17B (Activated), 109B (Total)"),
        ev("context", LLAMA4_CARD, "vendor", "Context length 10M"),
        ev("licence", "github.com/meta-llama/llama-models:models/llama4/LICENSE", "vendor", "read in full"),
        ev("languages", LLAMA4_CARD, "vendor", "Supported languages"),
        ev("benchmarks", LLAMA4_CARD, "vendor", "Pre-trained and instruction tuned tables"),
        ev("release_date", LLAMA4_CARD, "vendor", "Model Release Date: April 5, 2025"),
    ],
}
