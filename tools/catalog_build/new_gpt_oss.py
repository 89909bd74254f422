"""OpenAI's gpt-oss 20b and 120b (MoE, MXFP4 experts) as curated catalog rows."""

from __future__ import annotations

from .sources import ev

GPT_OSS_CODE = "github.com/openai/gpt-oss:gpt_oss/torch/model.py"
GPT_OSS_CARD_PAPER = "arXiv 2508.10925 (gpt-oss-120b & gpt-oss-20b Model Card)"


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


GPT_OSS_MODELS: list[dict] = [
    _gpt_oss("20b", 24, 32, "20.91B", "3.61B"),
    _gpt_oss("120b", 36, 128, "116.83B", "5.13B"),
]
