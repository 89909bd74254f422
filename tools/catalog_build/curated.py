"""Hand-curated rows and fixes on top of models_reference.csv (read 2026-12-05).

Everything here names where it was read (`ev(...)`: fact, URL, kind, date). Kinds:
vendor = the publisher's own card, config, code, blog or licence; paper = the authors'
paper; third_party = a copy or summary by someone else, used only where no primary text was
in reach and shown as such. Numbers not found in any source stay None.

* NEW_MODELS: the 2025-2026 open-weight models (architecture from the vendor's config or
  code, or a marked copy of it; params_b and active_params_b are computed by the estimator's
  own counter at build time, and tests/test_catalog_models.py checks them against the
  vendor's stated totals within 1%).
* ROW_FIXES: corrections to CSV rows (languages from the vendor's list, superseded_by,
  re-sourced facts).
* capability and benchmark task-kind rules (`capabilities_for`, BENCH_TASK_KINDS).
"""

from __future__ import annotations

from typing import Any

from .sources import ev

# --------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------
QWEN3_BLOG = "https://qwenlm.github.io/blog/qwen3/ (github.com/QwenLM/qwenlm.github.io:content/blog/qwen3/index.md)"
# The Qwen3 blog's table of 119 languages and dialects, by family; listed here are those with
# an ISO 639-1 code (dialects of one language collapse to it). Names without a two-letter
# code (Cebuano, Venetian, Silesian, Asturian, Chhattisgarhi, Awadhi, Maithili, Bhojpuri,
# Lombard, Ligurian, Sicilian, Friulian, Magahi, Minangkabau, Balinese, Banjar, Pangasinan,
# Iloko, Waray, Papiamento, Kabuverdianu, Tok Pisin) are in the note, not the list.
QWEN3_LANGS = [
    # Indo-European
    "en", "fr", "pt", "de", "ro", "sv", "da", "bg", "ru", "cs", "el", "uk", "es", "nl", "sk",
    "hr", "pl", "lt", "nb", "nn", "fa", "sl", "gu", "lv", "it", "oc", "ne", "mr", "be", "sr",
    "lb", "as", "cy", "sd", "ga", "fo", "hi", "pa", "bn", "or", "tg", "yi", "sc", "gl", "ca",
    "is", "sq", "li", "af", "mk", "si", "ur", "bs", "hy",
    # Sino-Tibetan, Afro-Asiatic, Austronesian, Dravidian, Turkic, Tai-Kadai, Uralic, Austroasiatic
    "zh", "my", "ar", "he", "mt", "id", "ms", "tl", "jv", "su", "ta", "te", "kn", "ml",
    "tr", "az", "uz", "kk", "ba", "tt", "th", "lo", "fi", "et", "hu", "vi", "km",
    # Other
    "ja", "ko", "ka", "eu", "ht", "sw",
]
QWEN3_NOTE = (
    "119 languages and dialects (Qwen3 blog table, by family); the list holds those with an "
    "ISO 639-1 code. Also in the vendor's table without one: Cebuano, Venetian, Silesian, "
    "Asturian, Chhattisgarhi, Awadhi, Maithili, Bhojpuri, Lombard, Ligurian, Sicilian, "
    "Friulian, Magahi, Minangkabau, Balinese, Banjar, Pangasinan, Iloko, Waray, Papiamento, "
    "Kabuverdianu, Tok Pisin; Arabic and Chinese dialects are counted under ar and zh."
)
QWEN3_LANG_EV = [ev("languages", QWEN3_BLOG, "vendor", "Multilingual Support table")]

PHI4_MINI_CARD = "https://huggingface.co/microsoft/Phi-4-mini-instruct"
PHI4_MINI_LANGS = [
    "ar", "zh", "cs", "da", "nl", "en", "fi", "fr", "de", "he", "hu", "it", "ja", "ko", "no",
    "pl", "pt", "ru", "es", "sv", "th", "tr", "uk",
]
MISTRAL_SMALL_CARD = "https://huggingface.co/mistralai/Mistral-Small-24B-Base-2501"
LLAMA4_CARD = "github.com/meta-llama/llama-models:models/llama4/MODEL_CARD.md"
LLAMA4_LANGS = ["ar", "en", "fr", "de", "hi", "id", "it", "pt", "es", "tl", "th", "vi"]
GRANITE4_LANGS = ["en", "de", "es", "fr", "ja", "pt", "ar", "cs", "it", "ko", "nl", "zh"]
SMOLLM3_BLOG = "github.com/huggingface/blog:smollm3.md (https://huggingface.co/blog/smollm3)"
DEEPSEEK_R1 = "github.com/deepseek-ai/DeepSeek-R1:README.md"
GPT_OSS_CODE = "github.com/openai/gpt-oss:gpt_oss/torch/model.py"
GPT_OSS_CARD_PAPER = "arXiv 2508.10925 (gpt-oss-120b & gpt-oss-20b Model Card)"
GRANITE_README = "github.com/ibm-granite/granite-4.0-language-models:README.md"
GEMMA4_CODE = "github.com/google-deepmind/gemma:gemma/gm/nn/gemma4/_gemma4.py@7691fd4e7f26c9ec5db38110dddb3addfab4d767"
GEMMA4_DOCS = "https://ai.google.dev/gemma/docs/core"
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
ROW_FIXES.setdefault("smollm2-1.7b", {}).setdefault("_extra_evidence", []).append(ev(
    "licence", "https://huggingface.co/HuggingFaceTB/SmolLM2-1.7B/tree/main", "vendor",
    "the vendor's repository page: License: apache-2.0",
))
# Not used: the same file's Llama 2 arch_args (n_kv_heads 8, ffn x1.3 for the 7B) contradict
# the released Llama 2 7B/13B (multi-head attention, FFN 11008/13824), so they confirm nothing.


# --------------------------------------------------------------------------------------
# Capabilities and benchmark task kinds (rules; every tag traces to the row's own facts)
# --------------------------------------------------------------------------------------
BENCH_TASK_KINDS: dict[str, list[str]] = {
    "HumanEval": ["code"],
    "EvalPlus": ["code"],
    "MBPP": ["code"],
    "Code (HumanEval+MBPP avg)": ["code"],
    "MultiPL-E (JavaScript)": ["code"],
    "LiveCodeBench": ["code"],
    "GSM8K": ["reasoning"],
    "MATH": ["reasoning"],
    "Math (GSM8K+MATH avg)": ["reasoning"],
    "AIME 2024": ["reasoning"],
    "MATH-500": ["reasoning"],
    "GPQA Diamond": ["reasoning", "qa"],
    "GPQA (main)": ["reasoning", "qa"],
    "BBH": ["reasoning"],
    "ARC-C": ["reasoning", "qa"],
    "HellaSwag": ["reasoning"],
    "PIQA": ["reasoning"],
    "WinoGrande": ["reasoning"],
    "Commonsense avg (7 tasks)": ["reasoning"],
    "MMLU": ["qa"],
    "MMLU (cloze)": ["qa"],
    "MMLU-Pro": ["qa", "reasoning"],
    "MGSM": ["translation", "reasoning"],
    "MMMLU": ["translation", "qa"],
    "Multilingual MMLU": ["translation", "qa"],
    "Global-MMLU-Lite": ["translation", "qa"],
    "Multi-Exam": ["translation", "qa"],
    "TydiQA": ["translation", "qa"],
    "GPQA": ["reasoning", "qa"],
    "HumanEval+": ["code"],
    "MBPP+": ["code"],
    "AIME25": ["reasoning"],
    "LiveCodeBench v6": ["code"],
    "MultiPL-E": ["code"],
    "IFEval": ["instruction", "chat"],
    "MMLU-Redux": ["qa"],
    "MMLU-ProX": ["translation", "qa"],
    "PolyMATH": ["translation", "reasoning"],
    "AIME 2026": ["reasoning"],
}

CODE_FAMILIES = {"Code Llama", "Qwen2.5-Coder", "Qwen3-Coder"}
# Fill-in-the-middle training, where the vendor says so (model id -> source).
QWEN_CODER_FIM = "github.com/QwenLM/Qwen2.5-Coder:examples/Qwen2.5-Coder.md (Code Insertion (Fill in the middle): <|fim_prefix|>, <|fim_suffix|>, <|fim_middle|>)"
CODELLAMA_FIM = "github.com/meta-llama/codellama:README.md (Code Infilling: 'Pretrained infilling models are ... CodeLlama-7b and CodeLlama-13b')"
FIM_MODELS = {
    "qwen2.5-coder-7b": QWEN_CODER_FIM,
    "qwen2.5-coder-14b": QWEN_CODER_FIM,
    "qwen2.5-coder-32b": QWEN_CODER_FIM,
    "codellama-7b": CODELLAMA_FIM,
    "codellama-13b": CODELLAMA_FIM,
}
# Capabilities read in a vendor text (family -> (capabilities, source)).
FAMILY_CAPABILITIES: dict[str, tuple[list[str], str, str]] = {
    # family -> (capabilities, where stated, kind of that source as read)
    "DeepSeek-R1-Distill": (["math", "reasoning"], DEEPSEEK_R1 + " (Distilled Model Evaluation: AIME, MATH-500)", "vendor"),
    "Qwen2.5": (["tool_use"], "github.com/QwenLM/qwenlm.github.io:content/blog/qwen2.5/index.md (vLLM / Ollama / transformers tool calling)", "vendor"),
    "Qwen3": (["reasoning", "tool_use"], QWEN3_BLOG + " (Hybrid Thinking Modes; Improved Agentic Capabilities, MCP)", "vendor"),
    "gpt-oss": (["reasoning", "tool_use"], "https://huggingface.co/openai/gpt-oss-20b (Highlights: configurable reasoning effort, agentic capabilities: function calling), read in mirrors of the card", "third_party"),
    "SmolLM3": (["reasoning", "tool_use"], SMOLLM3_BLOG + " (dual-mode reasoning; 'SmolLM3 supports tool calling')", "vendor"),
    "Granite 4.0": (["code", "code_fim", "tool_use"], GRANITE_README + " (fill-in-the-middle code completion, tool calling)", "vendor"),
    "Qwen3-Coder": (["tool_use"], "https://huggingface.co/Qwen/Qwen3-Coder-30B-A3B-Instruct (agentic coding, function call format), read in a copy of the card", "third_party"),
    "Gemma 4": (["reasoning", "tool_use"], GEMMA4_DOCS + " ('highly capable reasoners, with configurable thinking modes'; built-in function-calling support)", "vendor"),
    "Phi-4": (["tool_use"], PHI4_MINI_CARD + " (function-calling input format), read in a scrape of the card", "third_party"),
}


def capabilities_for(entry: dict) -> tuple[list[str], list[dict]]:
    """Capabilities and the evidence behind the ones a vendor text states.

    Rules: code = a code family or a code benchmark >= 60 (HumanEval/EvalPlus/MBPP);
    multilingual = 8+ languages listed or claimed; long_context = official context >= 128K
    tokens; reasoning/math/tool_use/code_fim = stated in the family's vendor text above."""
    caps: list[str] = []
    refs: list[dict] = []
    code_scores = [b["score"] for b in entry["benchmarks"] if BENCH_TASK_KINDS.get(b["name"]) == ["code"]]
    if entry["family"] in CODE_FAMILIES or any(s >= 60 for s in code_scores):
        caps.append("code")
    fam = FAMILY_CAPABILITIES.get(entry["family"])
    if fam and (entry["family"] != "Phi-4" or entry["id"] == "phi-4-mini"):
        for c in fam[0]:
            if c not in caps:
                caps.append(c)
        refs.append(ev("capabilities", fam[1], fam[2]))
    if entry["id"] in FIM_MODELS:
        caps.append("code_fim")
        refs.append(ev("capabilities", FIM_MODELS[entry["id"]], "vendor", "fill-in-the-middle"))
    if len(entry["languages"]) >= 8 or (entry.get("languages_claim_count") or 0) >= 8:
        caps.append("multilingual")
    if (entry.get("context_tokens") or 0) >= 131072:
        caps.append("long_context")
    order = ["code", "code_fim", "math", "reasoning", "multilingual", "long_context", "tool_use"]
    return sorted(set(caps), key=order.index), refs


# --------------------------------------------------------------------------------------
# New models (2025-2026). params_b / active_params_b are filled by the builder.
# --------------------------------------------------------------------------------------
def _gpt_oss(size: str, layers: int, experts: int, total: str, active: str) -> dict:
    repo = f"openai/gpt-oss-{size}"
    card = f"https://huggingface.co/{repo}"
    return {
        "id": f"gpt-oss-{size}",
        "name": f"gpt-oss-{size}",
        "family": "gpt-oss",
        "hf_repo_id": repo,
        "instruct_repo_id": repo,
        "params_b_reported": f"{total} total, {active} active (model card)",
        "architecture": {
            "model_type": "gpt_oss",
            "hidden_size": 2880,
            "intermediate_size": 2880,
            "num_hidden_layers": layers,
            "num_attention_heads": 64,
            "num_key_value_heads": 8,
            "head_dim": 64,
            "vocab_size": 201088,
            "max_position_embeddings": 131072,
            "tie_word_embeddings": False,
            "moe_experts": experts,
            "moe_active_experts": 4,
            "attention_bias": True,
            "sliding_window": 128,
        },
        "context_tokens": 131072,
        "licences": ["apache-2.0"],
        "languages": ["en"],
        "languages_note": "No language list was read from OpenAI; a third-party card describes the model as 'primarily English'.",
        "task_strengths": ["chat", "instruction", "reasoning", "code"],
        "benchmarks": [],
        "release_date": "2025-08-05",
        "weights_dtype": "mxfp4",
        "sources": {
            "architecture": f"{GPT_OSS_CODE} (layout, biases, sinks); {GPT_OSS_CARD_PAPER} (layers, experts, counts; its table read in third-party copies)",
            "licence": card,
            "languages": "https://huggingface.co/KJML/gpt-oss-20b-FP8-Dynamic (third-party card)",
            "benchmarks": None,
            "release_date": card,
        },
        "confidence": "partial",
        "notes": (
            "MoE expert weights ship in MXFP4 (4.25 bits/parameter); attention, router, embeddings "
            "in bf16. LoRA loads them dequantized to bf16, QLoRA requantizes to NF4. Attention "
            "alternates 128-token sliding windows and full attention. No benchmarks recorded: "
            "the card's scores were not read from a primary copy."
        ),
        "evidence": [
            ev("architecture", GPT_OSS_CODE, "vendor", "ModelConfig defaults = the 120b; biases on qkv/out/experts/router, per-head sinks"),
            ev("architecture", GPT_OSS_CARD_PAPER, "third_party", f"{layers} layers, {experts} experts top-4, d_model 2880, vocab 201,088: the card's table as quoted by third-party summaries"),
            ev("params", GPT_OSS_CARD_PAPER, "third_party", f"{total} total, {active} active (the card's parameter table via a third-party copy)"),
            ev("licence", card, "vendor", "Hugging Face repo page: License: apache-2.0"),
            ev("weights", card, "vendor", "repo tags: mxfp4; card: 'All evals were performed with the same MXFP4 quantization'"),
            ev("release_date", "https://openai.com/index/introducing-gpt-oss/", "third_party", "5 Aug 2025 as reported by third-party summaries of the launch post"),
            ev("languages", "https://huggingface.co/KJML/gpt-oss-20b-FP8-Dynamic", "third_party", "'Primarily English'; OpenAI's own wording not read"),
        ],
    }


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


_QWEN3_MOE_ARCH = {
    "model_type": "qwen3_moe",
    "hidden_size": 2048,
    "intermediate_size": 6144,
    "num_hidden_layers": 48,
    "num_attention_heads": 32,
    "num_key_value_heads": 4,
    "head_dim": 128,
    "vocab_size": 151936,
    "max_position_embeddings": 262144,
    "tie_word_embeddings": False,
    "moe_experts": 128,
    "moe_active_experts": 8,
    "moe_intermediate_size": 768,
}


QWEN3_2507_SCORES = {  # Performance table of the Qwen3-30B-A3B-Instruct-2507 card
    "MMLU-Pro": 78.4, "MMLU-Redux": 89.3, "GPQA": 70.4, "AIME25": 61.3, "LiveCodeBench v6": 43.2,
    "MultiPL-E": 83.8, "IFEval": 84.7, "MMLU-ProX": 72.0, "PolyMATH": 43.1,
}


def _qwen3_moe_2507(
    mid: str, repo: str, family: str, strengths: list[str], copy_url: str, note: str, scores: dict[str, float] | None = None
) -> dict:
    card = f"https://huggingface.co/{repo}"
    bench_src = f"{card} (Performance table, read in a copy: {copy_url})"
    return {
        "id": mid,
        "name": repo.split("/")[1],
        "family": family,
        "hf_repo_id": repo,
        "instruct_repo_id": repo,
        "params_b_reported": "30.5B total, 3.3B activated (model card)",
        "architecture": dict(_QWEN3_MOE_ARCH),
        "context_tokens": 262144,
        "licences": ["apache-2.0"],
        "languages": QWEN3_LANGS,
        "languages_note": QWEN3_NOTE + " The 2507 card adds 'long-tail knowledge coverage across multiple languages'.",
        "languages_claim_count": 119,
        "task_strengths": strengths,
        "benchmarks": [
            {"name": n, "score": v, "variant": "instruct", "shots": None, "evaluator": None, "source": bench_src}
            for n, v in (scores or {}).items()
        ],
        "release_date": None,
        "sources": {
            "architecture": f"{card} (Model Overview) via {copy_url}; hidden/MoE widths as qwen3-30b-a3b",
            "licence": card,
            "languages": QWEN3_BLOG,
            "benchmarks": bench_src if scores else None,
            "release_date": None,
        },
        "confidence": "partial",
        "notes": note + " Instruct-only release (no thinking mode). Release date: '2507' = July 2025 (day not read).",
        "evidence": [
            ev("architecture", card, "third_party", f"Model Overview (48 layers, 32/4 heads, 128 experts, 8 active, 262,144 context) read from a copy of the card: {copy_url}"),
            ev("architecture", "github.com/QwenLM/Qwen3:Qwen3_Technical_Report.pdf (arXiv 2505.09388)", "paper", "Qwen3-30B-A3B shapes (hidden 2048, expert width 768), unchanged in the 2507 update"),
            ev("params", card, "third_party", "30.5B in total and 3.3B activated (card text via the copy)"),
            ev("context", card, "third_party", "Context Length: 262,144 natively"),
            ev("licence", card, "third_party", "license: apache-2.0 in the card metadata (copy)"),
            *QWEN3_LANG_EV,
            *([ev("benchmarks", card, "third_party", f"Performance table read in a copy of the card ({copy_url})")] if scores else []),
        ],
    }


def _r1_distill(size: str, base_id: str, arch: dict, bench: dict[str, float]) -> dict:
    repo = f"deepseek-ai/DeepSeek-R1-Distill-Qwen-{size}"
    src = DEEPSEEK_R1 + " (Distilled Model Evaluation)"
    return {
        "id": f"deepseek-r1-distill-qwen-{size.lower()}",
        "name": f"DeepSeek-R1-Distill-Qwen-{size}",
        "family": "DeepSeek-R1-Distill",
        "hf_repo_id": repo,
        "instruct_repo_id": None,
        "params_b_reported": size,
        "architecture": dict(arch),
        "context_tokens": None,
        "licences": ["mit", "apache-2.0"],
        "languages": ["en", "zh"],
        "languages_note": "DeepSeek's README evaluates English and Chinese; it states no language list.",
        "task_strengths": ["reasoning"],
        "benchmarks": [
            {"name": name, "score": score, "variant": "instruct", "shots": "pass@1", "evaluator": None, "source": src}
            for name, score in bench.items()
        ],
        "release_date": None,
        "sources": {
            "architecture": f"{DEEPSEEK_R1} (base model Qwen2.5-{size}); shapes from the catalog's {base_id} row",
            "licence": DEEPSEEK_R1 + " (7. License)",
            "languages": DEEPSEEK_R1,
            "benchmarks": src,
            "release_date": None,
        },
        "confidence": "partial",
        "notes": (
            f"Fine-tuned from Qwen2.5-{size} on 800k samples generated by DeepSeek-R1; DeepSeek "
            "'slightly change[d] their configs and tokenizers', so the shapes are the base model's. "
            "MIT (DeepSeek) on top of Qwen2.5's Apache-2.0. Context not stated by DeepSeek "
            "(its vLLM example uses --max-model-len 32768)."
        ),
        "evidence": [
            ev("architecture", DEEPSEEK_R1, "vendor", f"Distill table: base model Qwen2.5-{size}"),
            ev("licence", DEEPSEEK_R1, "vendor", "7. License: MIT; derived from Qwen-2.5 (Apache 2.0)"),
            ev("benchmarks", DEEPSEEK_R1, "vendor", "Distilled Model Evaluation table"),
            ev("languages", DEEPSEEK_R1, "vendor", "English and Chinese benchmark categories"),
        ],
    }


QWEN25_14B = {
    "model_type": "qwen2", "hidden_size": 5120, "intermediate_size": 13824, "num_hidden_layers": 48,
    "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 152064,
    "max_position_embeddings": 131072, "tie_word_embeddings": False, "attention_bias": True,
}
QWEN25_32B = {**QWEN25_14B, "intermediate_size": 27648, "num_hidden_layers": 64}

QWEN_CODER_BLOG = "github.com/QwenLM/qwenlm.github.io:content/blog/qwen2.5-coder-family/index.md"
APERTUS_CARD = "https://huggingface.co/swiss-ai/Apertus-8B-2509"
APERTUS_CARD_COPY = "https://llmyourway.com/authors/swiss-ai (copy of the card text)"

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

NEW_MODELS: list[dict] = [
    MISTRAL_SMALL_32,
    _ministral3("14b", {"hidden_size": 5120, "intermediate_size": 16384, "num_hidden_layers": 40, "tie_word_embeddings": False},
                "13.5B", "https://huggingface.co/mistralai/Ministral-3-14B-Base-2512/blob/main/README.md",
                "https://apxml.com/models/ministral-3-14b", "specification page: 40 layers, hidden 5120, FFN 16384, 32/8 heads, head 128, vocab 131072"),
    _ministral3("3b", {"hidden_size": 3072, "intermediate_size": 9216, "num_hidden_layers": 26, "tie_word_embeddings": True},
                "3.4B", "https://huggingface.co/mistralai/Ministral-3-3B-Instruct-2512-BF16",
                "https://huggingface.co/rootlocalghost/ERNIE-Image/blob/main/pe/config.json", "a Ministral3ForCausalLM config: hidden 3072, FFN 9216, 26 layers, 32/8 heads, head_dim 128, tied, vocab 131072, 262144 positions"),
    _olmo3("7b", "allenai/Olmo-3-1025-7B", "allenai/Olmo-3-7B-Instruct", {
        "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 32,
    }, "7B"),
    _olmo3("32b", "allenai/Olmo-3-1125-32B", "allenai/Olmo-3-32B-Instruct", {
        "hidden_size": 5120, "intermediate_size": 27648, "num_hidden_layers": 64,
        "num_attention_heads": 40, "num_key_value_heads": 8,
    }, "32B"),
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
    _gpt_oss("20b", 24, 32, "20.91B", "3.61B"),
    _gpt_oss("120b", 36, 128, "116.83B", "5.13B"),
    {
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
    },
    _qwen3_moe_2507(
        "qwen3-30b-a3b-instruct-2507",
        "Qwen/Qwen3-30B-A3B-Instruct-2507",
        "Qwen3",
        ["chat", "instruction", "translation", "reasoning"],
        "github.com/peterhan91/mimic_skills:docs/qwen3-a3b.md",
        "Update of Qwen3-30B-A3B's non-thinking mode: instruction following, reasoning, coding, tool use, 256K context.",
        QWEN3_2507_SCORES,
    ),
    _qwen3_moe_2507(
        "qwen3-coder-30b-a3b-instruct",
        "Qwen/Qwen3-Coder-30B-A3B-Instruct",
        "Qwen3-Coder",
        ["chat", "instruction", "code"],
        "https://huggingface.co/unsloth/Qwen3-Coder-30B-A3B-Instruct-1M-GGUF",
        "Agentic coding model (Qwen Code, CLINE function-call format); 256K native context, 1M with YaRN.",
    ),
    _r1_distill("14B", "qwen2.5-14b", QWEN25_14B, {
        "AIME 2024": 69.7, "MATH-500": 93.9, "GPQA Diamond": 59.1, "LiveCodeBench": 53.1,
    }),
    _r1_distill("32B", "qwen2.5-32b", QWEN25_32B, {
        "AIME 2024": 72.6, "MATH-500": 94.3, "GPQA Diamond": 62.1, "LiveCodeBench": 57.2,
    }),
    {
        "id": "qwen2.5-coder-14b",
        "name": "Qwen2.5-Coder 14B",
        "family": "Qwen2.5-Coder",
        "hf_repo_id": "Qwen/Qwen2.5-Coder-14B",
        "instruct_repo_id": "Qwen/Qwen2.5-Coder-14B-Instruct",
        "params_b_reported": "14B",
        "architecture": {**QWEN25_14B, "max_position_embeddings": 32768},
        "context_tokens": 131072,
        "licences": ["apache-2.0"],
        "languages": ["zh", "en", "fr", "es", "pt", "de", "it", "ru", "ja", "ko", "vi", "th", "ar"],
        "languages_note": (
            "The Coder card names 92 programming languages and no natural-language list; the list is "
            "the Qwen2.5 base family's (29+ languages, 13 named)."
        ),
        "task_strengths": ["chat", "instruction", "code"],
        "benchmarks": [],
        "release_date": None,
        "sources": {
            "architecture": "https://huggingface.co/Qwen/Qwen2.5-Coder-14B/blob/main/config.json, via copies (unsloth/Qwen2.5-Coder-14B, mlx-community/Qwen2.5-Coder-14B-4bit)",
            "licence": QWEN_CODER_BLOG + " (Model License: 0.5/1.5/7/14/32B Apache-2.0, 3B Qwen-Research)",
            "languages": "github.com/QwenLM/qwenlm.github.io:content/blog/qwen2.5/index.md",
            "benchmarks": None,
            "release_date": None,
        },
        "confidence": "partial",
        "notes": (
            "Same shapes as Qwen2.5-14B (QKV bias, 48 layers, 40/8 heads) with a 32K native window; "
            "128K with YaRN as for the family. No benchmark recorded: the 14B scores were not read."
        ),
        "evidence": [
            ev("architecture", "https://huggingface.co/Qwen/Qwen2.5-Coder-14B/blob/main/config.json", "third_party", "config.json as copied by unsloth/Qwen2.5-Coder-14B (_name_or_path Qwen/Qwen2.5-Coder-14B) and mlx-community"),
            ev("licence", QWEN_CODER_BLOG, "vendor", "Model License table", read_on=None),
            ev("languages", "github.com/QwenLM/qwenlm.github.io:content/blog/qwen2.5/index.md", "vendor", "inherited from the Qwen2.5 family; not stated by the Coder card", read_on=None),
            ev("context", QWEN_CODER_BLOG, "vendor", "128K via YaRN for the family (as the catalog's Qwen2.5-Coder rows)", read_on=None),
        ],
    },
    {
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
    },
    {
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
    },
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
