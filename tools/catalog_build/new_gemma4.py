"""Google's Gemma 4 31B and 26B A4B as curated catalog rows: sources, card scores,
the text decoders' shapes from the vendor's JAX definition, and the row builder.
"""

from __future__ import annotations

from .model_sources import GEMMA4_DOCS
from .sources import ev

GEMMA4_CODE = "github.com/google-deepmind/gemma:gemma/gm/nn/gemma4/_gemma4.py@7691fd4e7f26c9ec5db38110dddb3addfab4d767"
GEMMA4_LICENCE = "https://ai.google.dev/edge/litert-lm/models/gemma-4"
GEMMA4_CARD = "https://ai.google.dev/gemma/docs/core/model_card_4"
GEMMA4_NOTE = (
    "Google: Gemma 4 is pre-trained on over 140 languages; no list is published, so the catalog "
    "records the count (languages_claim_count) and only English as listed."
)
# Instruction-tuned scores of the card's benchmark table, read in third-party copies of it
# (the card page itself was not in the store): MMLU Pro, AIME 2026, LiveCodeBench v6, GPQA Diamond.
GEMMA4_SCORES = {
    "31b": {"MMLU-Pro": 85.2, "AIME 2026": 89.2, "LiveCodeBench v6": 80.0, "GPQA Diamond": 84.3},
    "26b-a4b": {"MMLU-Pro": 82.6, "AIME 2026": 88.3, "LiveCodeBench v6": 77.1, "GPQA Diamond": 82.3},
}
GEMMA4_SCORE_COPIES = (
    "andysmith.ai/bib/019d7195-5e9d-74e3-b07b-8ab228170450 (summary of the card), "
    "aiwiki.app.hub.mobint.io/llm-models/gemma-4, aibrew-io.pages.dev/en/models/gemma-4-26b-a4b"
)


def _gemma4(size: str, arch: dict, reported: str, params_note: str, strengths: list[str], note: str) -> dict:
    repo = {"31b": "google/gemma-4-31B", "26b-a4b": "google/gemma-4-26B-A4B"}[size]
    cls = {"31b": "Gemma4_31B", "26b-a4b": "Gemma4_26B_A4B"}[size]
    bench_src = f"{GEMMA4_CARD} (benchmark table, instruction-tuned), read in copies: {GEMMA4_SCORE_COPIES}"
    return {
        "id": f"gemma-4-{size}",
        "name": f"Gemma 4 {size.upper().replace('B-A4B', 'B A4B')}",
        "family": "Gemma 4",
        "hf_repo_id": repo,
        "instruct_repo_id": f"{repo}-it",
        "params_b_reported": reported,
        "architecture": arch,
        "context_tokens": 262144,
        "licences": ["apache-2.0"],
        "languages": ["en"],
        "languages_note": GEMMA4_NOTE,
        "languages_claim_count": 140,
        "task_strengths": strengths,
        "benchmarks": [
            {"name": n, "score": v, "variant": "instruct", "shots": None, "evaluator": None, "source": bench_src}
            for n, v in GEMMA4_SCORES[size].items()
        ],
        "release_date": "2026-04-02",
        "multimodal": True,
        "sources": {
            "architecture": f"{GEMMA4_CODE} ({cls}: the text decoder's shapes)",
            "licence": GEMMA4_LICENCE,
            "languages": GEMMA4_DOCS,
            "benchmarks": bench_src,
            "release_date": "github.com/google-deepmind/gemma commit b2dc124 'Introducing Gemma 4.' (2026-04-02); the blog.google announcement of the same day",
        },
        "confidence": "partial",
        "notes": note,
        "evidence": [
            ev("architecture", GEMMA4_CODE, "vendor", f"{cls}: Google DeepMind's JAX definition of the model (shapes of every block)"),
            ev("params", GEMMA4_CARD, "third_party", params_note),
            ev("context", GEMMA4_DOCS, "vendor", "'small models feature a 128K context window, while the medium models support 256K' (read in the page's translations, hl=it/ja/es)"),
            ev("licence", GEMMA4_LICENCE, "vendor", "'Gemma 4 is licensed under the Apache-2.0 license'"),
            ev("languages", GEMMA4_DOCS, "vendor", "Gemma overview; the card's 'over 140 languages' (no list)"),
            ev("benchmarks", GEMMA4_CARD, "third_party", "benchmark table as quoted by third-party summaries of the card"),
            ev("release_date", "github.com/google-deepmind/gemma@b2dc124b6b1fb3eebb34010c0c5f1e0cf42cf3c5", "vendor", "commit 'Introducing Gemma 4.' by a google.com author, dated 2 April 2026 (-0700), adding gemma4/_gemma4.py"),
            ev("release_date", "https://blog.google/ (Gemma 4: Byte for byte, the most capable open models)", "third_party", "2 April 2026 as dated by reports citing the announcement (theaitea.news, thedailyscout.com)"),
        ],
    }


# Gemma 4 text decoders in Hugging Face config.json terms, from the vendor's JAX definition
# (gemma/gm/nn/gemma4/_gemma4.py): 5 sliding (1024-token) blocks then 1 global block; global
# blocks have 512-wide heads, fewer KV heads and keys reused as values; embeddings tied.
_GEMMA4_COMMON = {
    "model_type": "gemma4",
    "head_dim": 256,
    "vocab_size": 262144,
    "max_position_embeddings": 262144,
    "tie_word_embeddings": True,
    "sliding_window": 1024,
    "global_head_dim": 512,
    "global_k_eq_v": True,
}
GEMMA4_31B_ARCH = {
    **_GEMMA4_COMMON,
    "hidden_size": 5376, "intermediate_size": 21504, "num_hidden_layers": 60,
    "num_attention_heads": 32, "num_key_value_heads": 16,
    "global_attention_layers": 10, "global_key_value_heads": 4,
}
GEMMA4_26B_A4B_ARCH = {
    **_GEMMA4_COMMON,
    "hidden_size": 2816, "intermediate_size": 2112, "num_hidden_layers": 30,
    "num_attention_heads": 16, "num_key_value_heads": 8,
    "global_attention_layers": 5, "global_key_value_heads": 2,
    "moe_experts": 128, "moe_active_experts": 8, "moe_intermediate_size": 704,
    "moe_shared_experts": 1, "moe_shared_intermediate_size": 2112,
}

GEMMA4_MODELS: list[dict] = [
    _gemma4(
        "31b", GEMMA4_31B_ARCH, "30.7B (model card)",
        "31B dense: 30.7B parameters (the card's table as quoted by third-party copies); the ~550M vision encoder is separate",
        ["chat", "instruction", "reasoning", "code"],
        "Dense, natively multimodal (text and image in; the catalog counts the text decoder). Five "
        "1024-token sliding-window blocks per global block; global blocks use 512-wide heads, 4 KV "
        "heads and reuse keys as values. Configurable thinking mode, native function calling. "
        "Pre-trained on over 140 languages. Released as BF16 weights.",
    ),
    _gemma4(
        "26b-a4b", GEMMA4_26B_A4B_ARCH, "25.2B total, 3.8B active (model card)",
        "26B A4B MoE: 25.2B total, 3.8B active (the card's figures as quoted by third-party copies)",
        ["chat", "instruction", "reasoning", "code"],
        "Mixture of experts: every block has 128 routed experts of width 704 (top-8) beside a dense "
        "GeGLU MLP of width 2112 (counted as one shared expert). All 25.2B parameters stay in memory; "
        "about 3.8B are used per token. Attention as the 31B (5 sliding : 1 global). Natively "
        "multimodal; the catalog counts the text decoder.",
    ),
]
