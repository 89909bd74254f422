"""Mistral AI's Mistral Small 3.2 24B (2506) and Ministral 3 14B/3B (2512) as curated
catalog rows.
"""

from __future__ import annotations

from .sources import ev

MISTRAL_DOCS = "github.com/mistralai/platform-docs-public@222f4ba9114f84ce9f2d718b9a12fbac1e527f4b"
MISTRAL_SMALL_31_CONFIG = "https://huggingface.co/mistralai/Mistral-Small-3.1-24B-Instruct-2503/blob/main/config.json"
MISTRAL_SMALL_31_CARD = "https://huggingface.co/mistralai/Mistral-Small-3.1-24B-Base-2503"
MISTRAL_SMALL_32_CARD = "https://huggingface.co/mistralai/Mistral-Small-3.2-24B-Instruct-2506"
MISTRAL_SMALL_32_COPIES = (
    "huggingface.co/RedHatAI/Mistral-Small-3.2-24B-Instruct-2506 (card copy); "
    "github.com/JonathanChavezTamales/llm-leaderboard:data/organizations/mistral/models/"
    "mistral-small-3.2-24b-instruct-2506/benchmarks.json (the card's scores, self-reported)"
)
# 'Supports dozens of languages, including' (Mistral Small 3.1 card; 3.2 is a minor update of 3.1)
MISTRAL_SMALL_31_LANGS = [
    "en", "fr", "de", "el", "hi", "id", "it", "ja", "ko", "ms", "ne", "pl", "pt", "ro", "ru", "sr",
    "es", "sv", "tr", "uk", "vi", "ar", "bn", "zh", "fa",
]
MINISTRAL3_LANGS = ["en", "fr", "es", "de", "it", "pt", "nl", "zh", "ja", "ko", "ar"]
MINISTRAL3_PAPER = "arXiv 2601.08584 (Ministral 3, Mistral AI)"
MINISTRAL3_PAPER_COPIES = "api.emergentmind.com/topics/ministral-3, api.emergentmind.com/topics/ministral-3-series"


def _ministral3(size: str, arch: dict, lm_b: str, card_url: str, copy_url: str, copy_note: str) -> dict:
    base = f"mistralai/Ministral-3-{size.upper()}-Base-2512"
    instruct = f"mistralai/Ministral-3-{size.upper()}-Instruct-2512"
    page = f"{MISTRAL_DOCS}:src/schema/models/models/ministral-3-{size}-25-12.ts"
    return {
        "id": f"ministral-3-{size}-2512",
        "name": f"Ministral 3 {size.upper()} (2512)",
        "family": "Mistral",
        "hf_repo_id": base,
        "instruct_repo_id": instruct,
        "params_b_reported": f"{size.upper()} ({lm_b} language model + 0.4B vision encoder, model card)",
        "architecture": {
            "model_type": "ministral3", "head_dim": 128, "vocab_size": 131072, "max_position_embeddings": 262144,
            "num_attention_heads": 32, "num_key_value_heads": 8, **arch,
        },
        "context_tokens": 262144,
        "licences": ["apache-2.0"],
        "languages": MINISTRAL3_LANGS,
        "languages_note": "'Supports dozens of languages, including' the 11 listed (Mistral's card).",
        "task_strengths": ["chat", "instruction", "translation"],
        "benchmarks": [],
        "release_date": "2025-12-02",
        "multimodal": True,
        "sources": {
            "architecture": f"{MINISTRAL3_PAPER}, architecture table, read in summaries ({MINISTRAL3_PAPER_COPIES}); {copy_url}",
            "licence": page,
            "languages": card_url,
            "benchmarks": None,
            "release_date": f"{MISTRAL_DOCS}:changelog/en/2025-12-02.mdx",
        },
        "confidence": "partial",
        "notes": (
            "Dense decoder obtained from Mistral Small 3.1 by pruning and distillation ('Cascade "
            f"Distillation'); {lm_b} language model plus a 0.4B vision encoder (the catalog counts the "
            "text decoder). Base, Instruct and Reasoning checkpoints, 256k context (128k for the "
            "reasoning ones). No benchmark recorded: the card's tables were not read."
        ),
        "evidence": [
            ev("architecture", MINISTRAL3_PAPER, "third_party", f"layers, hidden, FFN, 32/8 heads, tied or untied embeddings as the paper's table, read in summaries ({MINISTRAL3_PAPER_COPIES})"),
            ev("architecture", copy_url, "third_party", copy_note),
            ev("params", card_url, "vendor", f"'{lm_b} Language Model, 0.4B Vision Encoder'"),
            ev("licence", page, "vendor", "Mistral's model page: weights licence Apache 2.0"),
            ev("context", page, "vendor", "contextSize 256k"),
            ev("languages", card_url, "vendor", "Key Features: Multilingual"),
            ev("release_date", f"{MISTRAL_DOCS}:changelog/en/2025-12-02.mdx", "vendor", "'We released ... Ministral 3 (ministral-3b-2512, ministral-8b-2512 and ministral-14b-2512)'"),
        ],
    }


MISTRAL_SMALL_32 = {
    "id": "mistral-small-3.2-24b-2506",
    "name": "Mistral Small 3.2 24B (2506)",
    "family": "Mistral",
    "hf_repo_id": "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
    "instruct_repo_id": "mistralai/Mistral-Small-3.2-24B-Instruct-2506",
    "params_b_reported": "24B (with the vision encoder)",
    "architecture": {
        "model_type": "mistral", "hidden_size": 5120, "intermediate_size": 32768, "num_hidden_layers": 40,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 131072,
        "max_position_embeddings": 131072, "tie_word_embeddings": False,
    },
    "context_tokens": 131072,
    "licences": ["apache-2.0"],
    "languages": MISTRAL_SMALL_31_LANGS,
    "languages_note": (
        "'Supports dozens of languages, including' the 25 listed on the Mistral Small 3.1 card; 3.2 is "
        "'a minor update' of 3.1 and its card names no other list. Farsi is recorded as fa."
    ),
    "task_strengths": ["chat", "instruction", "translation", "code"],
    "benchmarks": [
        {"name": n, "score": v, "variant": "instruct", "shots": shots, "evaluator": None,
         "source": f"{MISTRAL_SMALL_32_CARD} (benchmark tables), read in copies: {MISTRAL_SMALL_32_COPIES}"}
        for n, v, shots in (
            ("MMLU", 80.5, "5-shot"), ("MMLU-Pro", 69.06, "5-shot CoT"), ("MATH", 69.42, None),
            ("HumanEval+", 92.9, "pass@5"), ("MBPP+", 78.33, "pass@5"),
        )
    ],
    "release_date": "2025-06-20",
    "multimodal": True,
    "sources": {
        "architecture": f"{MISTRAL_SMALL_31_CONFIG} (text_config); 3.2 is a minor update of 3.1 ({MISTRAL_SMALL_32_CARD}, read in a copy)",
        "licence": f"{MISTRAL_DOCS}:src/schema/models/models/mistral-small-3-2-25-06.ts",
        "languages": MISTRAL_SMALL_31_CARD,
        "benchmarks": f"{MISTRAL_SMALL_32_CARD} via copies",
        "release_date": f"{MISTRAL_DOCS}:changelog/en/2025-06-20.mdx",
    },
    "confidence": "partial",
    "notes": (
        "Instruct-only release: 'a minor update of Mistral-Small-3.1-24B-Instruct-2503' with better "
        "instruction following, fewer infinite generations and a more robust function-calling "
        "template. Text decoder as Mistral Small 3.1 (the catalog counts it; the 24B includes the "
        "vision encoder). HumanEval+/MBPP+ are pass@5 as the card reports them."
    ),
    "evidence": [
        ev("architecture", MISTRAL_SMALL_31_CONFIG, "vendor", "text_config: hidden 5120, intermediate 32768, 40 layers, 32/8 heads, head_dim 128, vocab 131072, max_position 131072"),
        ev("architecture", MISTRAL_SMALL_32_CARD, "third_party", "'Mistral-Small-3.2-24B-Instruct-2506 is a minor update of Mistral-Small-3.1-24B-Instruct-2503' (card copy: huggingface.co/RedHatAI/Mistral-Small-3.2-24B-Instruct-2506)"),
        ev("architecture", "https://huggingface.co/darkc0de/3.2test/blob/main/config.json", "third_party", "a text-only copy of the 3.2 weights' config: the same shapes, untied embeddings"),
        ev("params", f"{MISTRAL_DOCS}:src/schema/models/models/mistral-small-3-2-25-06.ts", "vendor", "parameters: '24' (with the vision encoder)"),
        ev("licence", f"{MISTRAL_DOCS}:src/schema/models/models/mistral-small-3-2-25-06.ts", "vendor", "weights licence Apache 2.0"),
        ev("context", f"{MISTRAL_DOCS}:src/schema/models/models/mistral-small-3-2-25-06.ts", "vendor", "contextSize 128k"),
        ev("languages", MISTRAL_SMALL_31_CARD, "vendor", "Key Features: Multilingual (the 3.1 card; inherited by the 3.2 update)"),
        ev("benchmarks", MISTRAL_SMALL_32_CARD, "third_party", f"benchmark tables read in copies: {MISTRAL_SMALL_32_COPIES}"),
        ev("release_date", f"{MISTRAL_DOCS}:changelog/en/2025-06-20.mdx", "vendor", "'We released Mistral Small 3.2.'"),
    ],
}

MISTRAL_MODELS: list[dict] = [
    MISTRAL_SMALL_32,
    _ministral3("14b", {"hidden_size": 5120, "intermediate_size": 16384, "num_hidden_layers": 40, "tie_word_embeddings": False},
                "13.5B", "https://huggingface.co/mistralai/Ministral-3-14B-Base-2512/blob/main/README.md",
                "https://apxml.com/models/ministral-3-14b", "specification page: 40 layers, hidden 5120, FFN 16384, 32/8 heads, head 128, vocab 131072"),
    _ministral3("3b", {"hidden_size": 3072, "intermediate_size": 9216, "num_hidden_layers": 26, "tie_word_embeddings": True},
                "3.4B", "https://huggingface.co/mistralai/Ministral-3-3B-Instruct-2512-BF16",
                "https://huggingface.co/rootlocalghost/ERNIE-Image/blob/main/pe/config.json", "a Ministral3ForCausalLM config: hidden 3072, FFN 9216, 26 layers, 32/8 heads, head_dim 128, tied, vocab 131072, 262144 positions"),
]
