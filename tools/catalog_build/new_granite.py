"""IBM's Granite 4.0 H Tiny and H Small (hybrid Mamba-2 / attention, MoE) as curated
catalog rows.
"""

from __future__ import annotations

from .model_sources import GRANITE_README
from .sources import ev

GRANITE4_LANGS = ["en", "de", "es", "fr", "ja", "pt", "ar", "cs", "it", "ko", "nl", "zh"]

GRANITE_TINY_BENCH = (
    "https://huggingface.co/ibm-granite/granite-4.0-h-tiny (evaluation table, 'H Tiny MoE' column), "
    "read in a copy: github.com/DocDBrown/IBMGranite4Tiny:README.md"
)
_GRANITE_H_TINY_COPY = "https://ollama.com/sam860/granite-4.0:h-tiny-Q4_0/blobs/a8986b9e1e06"

GRANITE4_CARD_COPY = "github.com/DocDBrown/IBMGranite4Tiny:README.md"  # a copy of IBM's H-Tiny card (all four sizes' tables)
GRANITE4_FAMILY_CARD = "https://huggingface.co/ibm-granite/granite-4.0-micro-base/blob/main/README.md"
GRANITE_DOCS = "https://ibm.com/granite/docs"
GRANITE_H_SMALL_GGUF = "https://ollama.com/ibm/granite4:small-h-q6_K/blobs/a15d0868faf9"
GRANITE_H_SMALL_BENCH = (
    "https://huggingface.co/ibm-granite/granite-4.0-h-tiny (evaluation table, 'H Small MoE' column), "
    f"read in a copy: {GRANITE4_CARD_COPY}"
)
# Family-level facts IBM states on every Granite 4.0 card (read on the vendor's micro-base card).
GRANITE4_FAMILY_EV = [
    ev("languages", GRANITE4_FAMILY_CARD, "vendor", "Supported Languages: the 12 listed (the same line on every Granite 4.0 card)"),
    ev("release_date", GRANITE4_FAMILY_CARD, "vendor", "Release Date: October 2nd, 2025 (Granite 4.0 family)"),
    ev("licence", GRANITE4_FAMILY_CARD, "vendor", "License: Apache 2.0"),
]

GRANITE4_MODELS: list[dict] = [
    {
        "id": "granite-4.0-h-tiny",
        "name": "Granite 4.0 H Tiny",
        "family": "Granite 4.0",
        "hf_repo_id": "ibm-granite/granite-4.0-h-tiny-base",
        "instruct_repo_id": "ibm-granite/granite-4.0-h-tiny",
        "params_b_reported": "7B total, 1B active (IBM)",
        "architecture": {
            "model_type": "granitemoehybrid",
            "hidden_size": 1536,
            "intermediate_size": 512,
            "num_hidden_layers": 40,
            "num_attention_heads": 12,
            "num_key_value_heads": 4,
            "head_dim": 128,
            "vocab_size": 100352,
            "max_position_embeddings": None,
            "tie_word_embeddings": True,
            "moe_experts": 64,
            "moe_active_experts": 6,
            "moe_shared_experts": 1,
            "moe_shared_intermediate_size": 1024,
            "attention_layers": 4,
            "linear_layer_kind": "mamba2",
        },
        # Mamba-2 mixer shapes (GGUF ssm.*: inner 3072 = 48 heads x 64, state 128, 1 group,
        # conv 4); the builder turns them into linear_params_per_layer with the estimator's
        # mamba2_mixer_params.
        "_mamba2": {"d_state": 128, "n_heads": 48, "d_head": 64, "n_groups": 1, "d_conv": 4},
        "context_tokens": 131072,
        "licences": ["apache-2.0"],
        "languages": GRANITE4_LANGS,
        "languages_note": "12 supported languages (IBM card); fine-tuning for others allowed.",
        "task_strengths": ["chat", "instruction", "code", "translation", "summarization", "classification", "extraction", "qa"],
        "benchmarks": [
            {"name": n, "score": v, "variant": "instruct", "shots": shots, "evaluator": None, "source": GRANITE_TINY_BENCH}
            for n, v, shots in (
                ("MMLU", 68.65, "5-shot"), ("MMLU-Pro", 44.94, "5-shot CoT"), ("BBH", 66.34, "3-shot CoT"),
                ("GPQA", 32.59, "0-shot CoT"), ("IFEval", 81.44, "average"), ("GSM8K", 84.69, "8-shot"),
                ("HumanEval", 83.0, "pass@1"), ("MBPP", 80.0, "pass@1"), ("MMMLU", 61.87, "5-shot"), ("MGSM", 45.36, "8-shot"),
            )
        ],
        "release_date": "2025-10-02",
        "sources": {
            "architecture": f"GGUF metadata of IBM's weights ({_GRANITE_H_TINY_COPY}) and a copy of config.json layer_types; IBM's config not in the store",
            "licence": GRANITE_README + " (License: Apache 2.0)",
            "languages": "https://huggingface.co/ibm-granite/granite-4.0-h-tiny (Supported Languages, via github.com/DocDBrown/IBMGranite4Tiny:README.md)",
            "benchmarks": GRANITE_TINY_BENCH,
            "release_date": "https://huggingface.co/ibm-granite/granite-4.0-h-tiny (Release Date, via the same copy)",
        },
        "confidence": "partial",
        "notes": (
            "Hybrid: 36 Mamba-2 blocks and 4 attention blocks (one in ten), every block with a "
            "fine-grained MoE (64 experts of width 512, top-6) plus a shared expert of width 1024. "
            "The Mamba-2 state is fixed-size, so activations and cache grow with sequence length "
            "only in the 4 attention blocks. Sequence length 128K (the card's architecture table). "
            "The card lists summarization, classification, extraction and question answering among "
            "its capabilities."
        ),
        "evidence": [
            ev("architecture", _GRANITE_H_TINY_COPY, "third_party", "GGUF metadata: 40 blocks, d 1536, 64 experts top-6, expert 512, shared 1024, ssm inner 3072, state 128, 48 heads, groups 1, conv 4, vocab 100352, 12/4 heads"),
            ev("architecture", "https://huggingface.co/bnbnoman01/test/blob/main/config.json", "third_party", "a granitemoehybrid config with the same shapes: layer_types with attention at blocks 5, 15, 25, 35"),
            ev("licence", GRANITE_README, "vendor", "All Granite 4.0 Language Models are distributed under Apache 2.0"),
            ev("capabilities", GRANITE_README, "vendor", "multilingual, FIM code completion, RAG, tool usage, JSON output"),
            ev("languages", "https://huggingface.co/ibm-granite/granite-4.0-h-tiny", "third_party", "Supported Languages, read from a copy of IBM's card"),
            ev("release_date", "https://huggingface.co/ibm-granite/granite-4.0-h-tiny", "third_party", "Release Date: October 2nd, 2025 (copy of IBM's card)"),
            ev("params", "https://huggingface.co/ibm-granite/granite-4.0-h-tiny", "third_party", "7B parameter model, 1B active (card copy; LM Studio's page)"),
            ev("context", GRANITE_DOCS, "vendor", "deployment specifications at 128K context length"),
            ev("context", "https://huggingface.co/ibm-granite/granite-4.0-h-tiny", "third_party", f"Model Architecture table: sequence length 128K, read in a copy ({GRANITE4_CARD_COPY})"),
            ev("params", GRANITE_DOCS, "vendor", "Granite-4.0-H-Tiny: Hybrid, Mixture of Experts, 7B total / 1B activated"),
            *GRANITE4_FAMILY_EV,
            ev("benchmarks", "https://huggingface.co/ibm-granite/granite-4.0-h-tiny", "third_party", "evaluation table read in a copy of IBM's card"),
        ],
    },
    {
        "id": "granite-4.0-h-small",
        "name": "Granite 4.0 H Small",
        "family": "Granite 4.0",
        "hf_repo_id": "ibm-granite/granite-4.0-h-small-base",
        "instruct_repo_id": "ibm-granite/granite-4.0-h-small",
        "params_b_reported": "32B total, 9B active (IBM)",
        "architecture": {
            "model_type": "granitemoehybrid",
            "hidden_size": 4096,
            "intermediate_size": 768,
            "num_hidden_layers": 40,
            "num_attention_heads": 32,
            "num_key_value_heads": 8,
            "head_dim": 128,
            "vocab_size": 100352,
            "max_position_embeddings": None,
            "tie_word_embeddings": True,
            "moe_experts": 72,
            "moe_active_experts": 10,
            "moe_shared_experts": 1,
            "moe_shared_intermediate_size": 1536,
            "attention_layers": 4,
            "linear_layer_kind": "mamba2",
        },
        # Mamba-2 mixer: 128 heads (card) of width 64 (inner 8192 in IBM's GGUF), state 128,
        # 1 group, conv 4 (GGUF).
        "_mamba2": {"d_state": 128, "n_heads": 128, "d_head": 64, "n_groups": 1, "d_conv": 4},
        "context_tokens": 131072,
        "licences": ["apache-2.0"],
        "languages": GRANITE4_LANGS,
        "languages_note": "12 supported languages (IBM card); fine-tuning for others allowed.",
        "task_strengths": ["chat", "instruction", "code", "translation", "summarization", "classification", "extraction", "qa"],
        "benchmarks": [
            {"name": n, "score": v, "variant": "instruct", "shots": shots, "evaluator": None, "source": GRANITE_H_SMALL_BENCH}
            for n, v, shots in (
                ("MMLU", 78.44, "5-shot"), ("MMLU-Pro", 55.47, "5-shot CoT"), ("BBH", 81.62, "3-shot CoT"),
                ("GPQA", 40.63, "0-shot CoT"), ("IFEval", 87.55, "average"), ("GSM8K", 87.27, "8-shot"),
                ("HumanEval", 88.0, "pass@1"), ("MBPP", 84.0, "pass@1"), ("MMMLU", 69.69, "5-shot"), ("MGSM", 38.72, "8-shot"),
            )
        ],
        "release_date": "2025-10-02",
        "sources": {
            "architecture": f"IBM's card, Model Architecture table ('H Small MoE' column), read in a copy ({GRANITE4_CARD_COPY}); Mamba-2 widths from IBM's GGUF ({GRANITE_H_SMALL_GGUF})",
            "licence": GRANITE_README + " (License: Apache 2.0)",
            "languages": GRANITE4_FAMILY_CARD + " (Supported Languages)",
            "benchmarks": GRANITE_H_SMALL_BENCH,
            "release_date": GRANITE4_FAMILY_CARD + " (Release Date)",
        },
        "confidence": "partial",
        "notes": (
            "Hybrid: 36 Mamba-2 blocks and 4 attention blocks, every block with a fine-grained MoE "
            "(72 experts of width 768, top-10) plus a shared expert of width 1536; no positional "
            "encoding (NoPE). All 32B parameters stay in memory, about 9B are used per token. IBM's "
            "'workhorse' size for RAG and agents; 128K sequence length."
        ),
        "evidence": [
            ev("architecture", "https://huggingface.co/ibm-granite/granite-4.0-h-tiny", "third_party", f"Model Architecture table, 'H Small MoE' column: embedding 4096, 4 attention / 36 Mamba2, head 128, 32 heads, 8 KV, Mamba2 state 128, 128 Mamba2 heads, shared expert 1536, 72 experts, 10 active, expert 768, 128K, NoPE; read in a copy ({GRANITE4_CARD_COPY})"),
            ev("architecture", GRANITE_H_SMALL_GGUF, "third_party", "GGUF metadata of IBM's Ollama upload: 40 blocks, d 4096, 72 experts top-10, expert 768, shared 1536, ssm inner 8192, state 128, groups 1, conv 4, vocab 100352"),
            ev("params", GRANITE_DOCS, "vendor", "Granite-4.0-H-Small: Hybrid, Mixture of Experts, 32B total / 9B activated"),
            ev("context", GRANITE_DOCS, "vendor", "deployment specifications at 128K context length"),
            ev("licence", GRANITE_README, "vendor", "All Granite 4.0 Language Models are distributed under Apache 2.0"),
            *GRANITE4_FAMILY_EV,
            ev("benchmarks", "https://huggingface.co/ibm-granite/granite-4.0-h-tiny", "third_party", "evaluation table ('H Small MoE' column) read in a copy of IBM's card"),
        ],
    },
]
