"""ROW_FIXES: hand-curated corrections to models_reference.csv rows, keyed by catalog id.

Languages from the vendor's own list, superseded_by links, instruct checkpoints and
re-sourced facts; each fix carries evidence (`ev(...)`) for the facts it sets.
"""

from __future__ import annotations

from typing import Any

from .model_sources import PHI4_MINI_CARD, QWEN3_LANG_EV, QWEN3_LANGS, QWEN3_NOTE
from .sources import ev

PHI4_MINI_LANGS = [
    "ar", "zh", "cs", "da", "nl", "en", "fi", "fr", "de", "he", "hu", "it", "ja", "ko", "no",
    "pl", "pt", "ru", "es", "sv", "th", "tr", "uk",
]
MISTRAL_SMALL_CARD = "https://huggingface.co/mistralai/Mistral-Small-24B-Base-2501"

# Gemma 3 (4B/12B/27B): Google states "over 140 languages" and publishes no list.
GEMMA3_NOTE = (
    "Google: multilingual support in over 140 languages; no list is published, so the "
    "catalog records the count (languages_claim_count) and only English as listed."
)

# --------------------------------------------------------------------------------------
# Fixes to CSV rows (keyed by catalog id). Each carries evidence for the facts it sets.
# --------------------------------------------------------------------------------------
_QWEN3_FIX = {
    "languages": QWEN3_LANGS,
    "languages_note": QWEN3_NOTE,
    "languages_claim_count": 119,
    "_evidence": {"languages": QWEN3_LANG_EV},
}
ROW_FIXES: dict[str, dict[str, Any]] = {
    **{mid: dict(_QWEN3_FIX) for mid in (
        "qwen3-0.6b", "qwen3-1.7b", "qwen3-4b", "qwen3-8b", "qwen3-14b", "qwen3-32b", "qwen3-30b-a3b",
    )},
    **{mid: {
        "languages": ["en"],
        "languages_note": GEMMA3_NOTE,
        "languages_claim_count": 140,
        "_evidence": {"languages": [ev(
            "languages", "https://ai.google.dev/gemma/docs/core", "vendor",
            "Gemma overview: 'multilingual support in over 140 languages' (no list)",
        )]},
    } for mid in ("gemma-3-4b", "gemma-3-12b", "gemma-3-27b")},
    "phi-4": {
        # microsoft/phi-4 is itself the post-trained model: 'phi-4 underwent a rigorous
        # enhancement and alignment process, incorporating both supervised fine-tuning and
        # direct preference optimization' (card text, read in a copy).
        "instruct_repo_id": "microsoft/phi-4",
    },
    "phi-4-mini": {
        "languages": PHI4_MINI_LANGS,
        "languages_note": "Supported languages as listed in the model card (Training > Model).",
        "_evidence": {
            "languages": [ev(
                "languages", PHI4_MINI_CARD, "third_party",
                "vendor card text read from a scrape of the card page; the card itself was not in the store",
            )],
            "params": [ev(
                "params", "https://aka.ms/phi-4-multimodal/techreport (Phi-4-Mini Technical Report, linked from the card)",
                "paper", "abstract: 'Phi-4-Mini is a 3.8B parameter language model trained on high-quality web and "
                "synthetic data', read verbatim in a copy of the abstract",
            )],
        },
    },
    **{mid: {
        "languages": ["zh", "en", "fr", "es", "pt", "de", "it", "ru", "ja", "ko", "vi", "th", "ar"],
        "languages_note": (
            "Qwen2.5-Coder's card names 92 programming languages and no natural-language list; "
            "the list is the Qwen2.5 base family's (29+ languages, 13 named), which the coder "
            "models continue from."
        ),
        "confidence": "partial",
        "_evidence": {"languages": [ev(
            "languages", "github.com/QwenLM/qwenlm.github.io:content/blog/qwen2.5/index.md", "vendor",
            "inherited from the Qwen2.5 base family; not stated by the Coder card",
        )]},
    } for mid in ("qwen2.5-coder-7b", "qwen2.5-coder-32b")},
    "mistral-small-24b-2501": {
        "instruct_repo_id": "mistralai/Mistral-Small-24B-Instruct-2501",
        "languages": ["en", "fr", "de", "es", "it", "zh", "ja", "ko", "pt", "nl", "pl"],
        "languages_note": "'Supports dozens of languages, including' the 11 listed (vendor card).",
        "_evidence": {
            "languages": [ev("languages", MISTRAL_SMALL_CARD, "vendor", "Key Features: Multilingual")],
            "licence": [ev("licence", MISTRAL_SMALL_CARD, "vendor", "Key Features: Apache 2.0 License")],
        },
    },
    "mistral-nemo-12b-2407": {
        # The Docker card listed nine; Mistral's own model table names the same family as
        # multilingual. The CSV's hi/ar/ko entries were never in a read source, so the list
        # stays the nine that were, now marked third-party.
        "_evidence": {"languages": [ev(
            "languages", "github.com/docker/model-cards:ai/mistral-nemo.md", "third_party",
            "Docker's copy of the card; Mistral's own card not in the store", read_on=None,
        )]},
    },
    "falcon3-7b": {
        "_evidence": {"licence": [
            ev(
                "licence", "github.com/huggingface/blog:falcon3.md", "vendor",
                "written by TII (all authors tiiuae): 'all models in the Falcon3 family are released under the "
                "Falcon LLM license' (falconllm.tii.ae/falcon-terms-and-conditions.html)",
            ),
            ev(
                "licence", "github.com/huggingface/blog:falcon2-11b.md", "third_party",
                "the TII Falcon License 2.0 is 'the permissive Apache 2.0-based software license which includes "
                "an acceptable use policy'; the terms page itself was not in the store",
            ),
        ]},
    },
    "gemma-3-1b": {
        "languages": ["en"],
        "languages_note": "Google's 'over 140 languages' is stated for the Gemma 3 family; coverage of the 1B size is not stated.",
        "_evidence": {"languages": [ev(
            "languages", "https://ai.google.dev/gemma/docs/core", "vendor", "family-level claim only",
        )]},
    },
    "qwen2.5-14b": {"superseded_by": "qwen3-14b"},
    "qwen2.5-32b": {"superseded_by": "qwen3-32b"},
    "llama-2-7b": {"superseded_by": "llama-3.1-8b"},
    "llama-2-13b": {"superseded_by": "llama-3.1-8b"},
    "llama-2-70b": {"superseded_by": "llama-3.3-70b"},
    "llama-3-8b": {"superseded_by": "llama-3.1-8b"},
    "llama-3-70b": {"superseded_by": "llama-3.3-70b"},
    "mistral-7b-v0.1": {"superseded_by": "mistral-7b-v0.3"},
    "phi-3-mini": {"superseded_by": "phi-4-mini"},
    "phi-3.5-mini": {"superseded_by": "phi-4-mini"},
    "qwen2-7b": {"superseded_by": "qwen2.5-7b"},
    "qwen2-72b": {"superseded_by": "qwen2.5-72b"},
    "smollm2-1.7b": {"superseded_by": "smollm3-3b"},
}
# Qwen2.5's instruct checkpoints: the vendor blog names Qwen/Qwen2.5-7B-Instruct (and the
# 72B/32B/Coder-7B "-Instruct" models) for the family's "instruction-tuned versions".
for _size in ("0.5B", "1.5B", "3B", "7B", "14B", "32B", "72B"):
    ROW_FIXES.setdefault(f"qwen2.5-{_size.lower()}", {})["instruct_repo_id"] = f"Qwen/Qwen2.5-{_size}-Instruct"
for _size in ("7B", "32B"):
    ROW_FIXES.setdefault(f"qwen2.5-coder-{_size.lower()}", {})["instruct_repo_id"] = f"Qwen/Qwen2.5-Coder-{_size}-Instruct"
ROW_FIXES["smollm2-1.7b"]["instruct_repo_id"] = "HuggingFaceTB/SmolLM2-1.7B-Instruct"  # vendor README
for _mid in ("smollm2-135m", "smollm2-360m", "smollm2-1.7b"):
    ROW_FIXES.setdefault(_mid, {})["_evidence"] = {"params": [
        ev("params", "github.com/huggingface/smollm:README.md", "vendor", "SmolLM2: three sizes, 135M, 360M and 1.7B"),
    ]}
# Vendor config.json pages read on 2026-12-05 that match the CSV's shapes field by field.
ROW_FIXES.setdefault("olmo-2-13b", {})["_extra_evidence"] = [ev(
    "architecture", "https://huggingface.co/allenai/OLMo-2-1124-13B/blob/main/config.json", "vendor",
    "hidden 5120, intermediate 13824, 40 layers, 40/40 heads, vocab 100352, max_position 4096, untied: as the row",
)]
ROW_FIXES.setdefault("qwen2-72b", {})["_extra_evidence"] = [ev(
    "architecture", "https://huggingface.co/Qwen/Qwen2-72B-Instruct/blob/7c7b4195787f74b15d14d70a52653ca5cf0c4d75/config.json",
    "vendor", "the instruct checkpoint's config (same shapes as the base): hidden 8192, intermediate 29568, 80 layers, "
    "64/8 heads, vocab 152064, untied: as the row",
)]
ROW_FIXES["qwen3-30b-a3b"]["superseded_by"] = "qwen3-30b-a3b-instruct-2507"
# Google's Gemma overview lists Gemma 3 under 'previous Gemma models' since Gemma 4.
ROW_FIXES["gemma-3-27b"]["superseded_by"] = "gemma-4-31b"
# Ai2 released OLMo 3 at 7B and 32B (allenai.org/blog/olmo3); OLMo 2 7B is the earlier 7B.
ROW_FIXES.setdefault("olmo-2-7b", {})["superseded_by"] = "olmo-3-7b"
# Mistral's model table: Mistral Small 3.2 is 'an update to our previous small model'.
ROW_FIXES["mistral-small-24b-2501"]["superseded_by"] = "mistral-small-3.2-24b-2506"
ROW_FIXES["qwen2.5-coder-32b"]["superseded_by"] = "qwen3-coder-30b-a3b-instruct"
ROW_FIXES.setdefault("smollm2-1.7b", {}).setdefault("_extra_evidence", []).append(ev(
    "licence", "https://huggingface.co/HuggingFaceTB/SmolLM2-1.7B/tree/main", "vendor",
    "the vendor's repository page: License: apache-2.0",
))
