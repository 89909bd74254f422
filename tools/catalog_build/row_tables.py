"""Per-row choices for models_reference.csv that the CSV cannot express by itself."""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Models: per-row choices the CSV cannot express by itself (keyed by the CSV `model` cell).
# --------------------------------------------------------------------------------------
MODEL_META: dict[str, tuple[str, str]] = {  # model -> (id, family)
    "Llama 3 8B": ("llama-3-8b", "Llama 3"),
    "Llama 3 70B": ("llama-3-70b", "Llama 3"),
    "Llama 3.1 8B": ("llama-3.1-8b", "Llama 3.1"),
    "Llama 3.1 70B": ("llama-3.1-70b", "Llama 3.1"),
    "Llama 3.1 405B": ("llama-3.1-405b", "Llama 3.1"),
    "Llama 3.2 1B": ("llama-3.2-1b", "Llama 3.2"),
    "Llama 3.2 3B": ("llama-3.2-3b", "Llama 3.2"),
    "Llama 3.3 70B": ("llama-3.3-70b", "Llama 3.3"),
    "Llama 2 7B": ("llama-2-7b", "Llama 2"),
    "Llama 2 13B": ("llama-2-13b", "Llama 2"),
    "Llama 2 70B": ("llama-2-70b", "Llama 2"),
    "Code Llama 7B": ("codellama-7b", "Code Llama"),
    "Code Llama 13B": ("codellama-13b", "Code Llama"),
    "Code Llama 34B": ("codellama-34b", "Code Llama"),
    "Code Llama 70B": ("codellama-70b", "Code Llama"),
    "Mistral 7B v0.1": ("mistral-7b-v0.1", "Mistral"),
    "Mistral 7B v0.3": ("mistral-7b-v0.3", "Mistral"),
    "Mistral Nemo 12B": ("mistral-nemo-12b-2407", "Mistral"),
    "Mistral Small 24B (2501)": ("mistral-small-24b-2501", "Mistral"),
    "Mistral Large 2 (2407)": ("mistral-large-2-2407", "Mistral"),
    "Mixtral 8x7B": ("mixtral-8x7b", "Mixtral"),
    "Phi-3-mini (3.8B)": ("phi-3-mini", "Phi-3"),
    "Phi-3.5-mini (3.8B)": ("phi-3.5-mini", "Phi-3.5"),
    "Phi-4 (14B)": ("phi-4", "Phi-4"),
    "Phi-4-mini (3.8B)": ("phi-4-mini", "Phi-4"),
    "Qwen2 7B": ("qwen2-7b", "Qwen2"),
    "Qwen2 72B": ("qwen2-72b", "Qwen2"),
    "Qwen2.5 0.5B": ("qwen2.5-0.5b", "Qwen2.5"),
    "Qwen2.5 1.5B": ("qwen2.5-1.5b", "Qwen2.5"),
    "Qwen2.5 3B": ("qwen2.5-3b", "Qwen2.5"),
    "Qwen2.5 7B": ("qwen2.5-7b", "Qwen2.5"),
    "Qwen2.5 14B": ("qwen2.5-14b", "Qwen2.5"),
    "Qwen2.5 32B": ("qwen2.5-32b", "Qwen2.5"),
    "Qwen2.5 72B": ("qwen2.5-72b", "Qwen2.5"),
    "Qwen2.5-Coder 7B": ("qwen2.5-coder-7b", "Qwen2.5-Coder"),
    "Qwen2.5-Coder 32B": ("qwen2.5-coder-32b", "Qwen2.5-Coder"),
    "Qwen3 0.6B": ("qwen3-0.6b", "Qwen3"),
    "Qwen3 1.7B": ("qwen3-1.7b", "Qwen3"),
    "Qwen3 4B": ("qwen3-4b", "Qwen3"),
    "Qwen3 8B": ("qwen3-8b", "Qwen3"),
    "Qwen3 14B": ("qwen3-14b", "Qwen3"),
    "Qwen3 32B": ("qwen3-32b", "Qwen3"),
    "Qwen3 30B-A3B (MoE)": ("qwen3-30b-a3b", "Qwen3"),
    "Gemma 2 2B": ("gemma-2-2b", "Gemma 2"),
    "Gemma 2 9B": ("gemma-2-9b", "Gemma 2"),
    "Gemma 2 27B": ("gemma-2-27b", "Gemma 2"),
    "Gemma 3 1B": ("gemma-3-1b", "Gemma 3"),
    "Gemma 3 4B": ("gemma-3-4b", "Gemma 3"),
    "Gemma 3 12B": ("gemma-3-12b", "Gemma 3"),
    "Gemma 3 27B": ("gemma-3-27b", "Gemma 3"),
    "OLMo 2 7B": ("olmo-2-7b", "OLMo 2"),
    "OLMo 2 13B": ("olmo-2-13b", "OLMo 2"),
    "SmolLM2 135M": ("smollm2-135m", "SmolLM2"),
    "SmolLM2 360M": ("smollm2-360m", "SmolLM2"),
    "SmolLM2 1.7B": ("smollm2-1.7b", "SmolLM2"),
    "DeepSeek-R1-Distill-Llama-8B": ("deepseek-r1-distill-llama-8b", "DeepSeek-R1-Distill"),
    "DeepSeek-R1-Distill-Qwen-7B": ("deepseek-r1-distill-qwen-7b", "DeepSeek-R1-Distill"),
    "Falcon 3 7B": ("falcon3-7b", "Falcon3"),
    "TinyLlama 1.1B": ("tinyllama-1.1b", "TinyLlama"),
    "GPT-2 small (124M)": ("gpt2", "GPT-2"),
}

# Who publishes each family (an evaluator equal to the vendor is not recorded).
FAMILY_VENDOR = {
    "Llama 3": "meta",
    "Llama 3.1": "meta",
    "Llama 3.2": "meta",
    "Llama 3.3": "meta",
    "Llama 2": "meta",
    "Code Llama": "meta",
    "Mistral": "mistral",
    "Mixtral": "mistral",
    "Phi-3": "microsoft",
    "Phi-3.5": "microsoft",
    "Phi-4": "microsoft",
    "Qwen2": "qwen",
    "Qwen2.5": "qwen",
    "Qwen2.5-Coder": "qwen",
    "Qwen3": "qwen",
    "Gemma 2": "google",
    "Gemma 3": "google",
    "Gemma 4": "google",
    "OLMo 2": "ai2",
    "OLMo 3": "ai2",
    "SmolLM2": "huggingface",
    "DeepSeek-R1-Distill": "deepseek",
    "Falcon3": "tii",
    "TinyLlama": "tinyllama",
    "GPT-2": "openai",
}

# The checkpoint in hf_repo_id is itself the instruct one (no base release in the row).
INSTRUCT_ONLY = {
    "Llama 3.3 70B",  # "Instruct-only release (no base checkpoint)"
    "Phi-3-mini (3.8B)",  # "Instruct-only release"
    "Phi-3.5-mini (3.8B)",  # repo microsoft/Phi-3.5-mini-instruct
    "Phi-4-mini (3.8B)",  # repo microsoft/Phi-4-mini-instruct
    "Mistral Large 2 (2407)",  # repo mistralai/Mistral-Large-Instruct-2407
    "Qwen3 32B",  # "no -Base checkpoint found"; Qwen/Qwen3-* are the post-trained repos
}
# Post-trained checkpoints whose benchmarks are not of a pretrained base.
POST_TRAINED = {"DeepSeek-R1-Distill-Llama-8B", "DeepSeek-R1-Distill-Qwen-7B"}

# (model, segment index) -> reason the benchmark segment is left out.
SKIP_SEGMENTS = {
    (
        "Phi-3-mini (3.8B)",
        1,
    ): "128k-instruct scores (MMLU 69.7, GSM8K 85.3, HumanEval 60.4) belong to microsoft/Phi-3-mini-128k-instruct, not this repo; left out",
    (
        "Mistral Large 2 (2407)",
        1,
    ): "HumanEval 92.0 / GSM8K 93.0 come from secondary sites only (variant not stated, unverified against Mistral); left out",
}
# (model) -> source index per benchmark segment (indices into benchmark_source split on "; ").
SEGMENT_SOURCES = {
    "Llama 2 7B": [0, 2],
    "Llama 2 13B": [0, 2],
    "Llama 2 70B": [0, 1],
    "Code Llama 7B": [0, 1],
    "Mistral 7B v0.3": [0, 1],
    "Mistral Nemo 12B": [0, 1, 2],
    "Mixtral 8x7B": [0, 1],
    "Phi-3-mini (3.8B)": [0, 1],
    "Gemma 3 1B": [1, 0],
    "Mistral Large 2 (2407)": [0, 1],
}
SOURCE_SPLIT_EXCEPTIONS = {
    # benchmark_source cells whose "; " is inside one source
    "Mistral Large 2 (2407)": [
        "https://mistral.ai/news/mistral-large-2407/ as summarised at https://www.modelcards.net/documents/546",
        "openlaboratory.ai/models/mistral-large-2",
    ],
}

SEED_CLAIMS = {
    "Phi-4 (14B)": "Called Phi-4 a 3.8B model ('Phi-4 (3.8B)'); Phi-4 is 14B (14.66B computed) and the 3.8B model is Phi-4-mini.",
    "Qwen2 72B": "Gave 'Qwen 2 72B' a licence that is wrong for it: per catalog_notes section 1 it is not Apache-2.0 but the Tongyi Qianwen licence (commercial use with a 100M MAU limit).",
}

# Extra one-line notes (from catalog_notes.md) that the CSV notes cell lacks.
EXTRA_NOTES = {
    "Falcon 3 7B": "model_type and tie_word_embeddings are inferred (HF config not read); the computed 7.46B matches only if untied.",
    "OLMo 2 7B": "Apache-2.0, but the card adds 'intended for research and educational use'.",
    "OLMo 2 13B": "Apache-2.0, but the card adds 'intended for research and educational use'.",
    "Mistral Large 2 (2407)": "Non-commercial (MRL-0.1).",
    "Qwen2.5 3B": "Non-commercial: Qwen Research License (other Qwen2.5 sizes are Apache-2.0 except 72B).",
    "Qwen2.5 72B": "Qwen License: commercial use allowed below 100M monthly active users.",
}

# Where the languages cell names its own source; other rows use the row's `source` column.
LANG_SOURCES = {
    "Mistral 7B v0.1": "Docker model card (as cited in the CSV languages cell)",
    "Mistral Nemo 12B": "github.com/docker/model-cards:ai/mistral-nemo.md",
    "Mistral Large 2 (2407)": "https://mistral.ai/news/mistral-large-2407/ as summarised at https://www.modelcards.net/documents/546",
    "DeepSeek-R1-Distill-Llama-8B": "Xinference model registry (not stated in the DeepSeek README)",
    "DeepSeek-R1-Distill-Qwen-7B": "Xinference model registry",
    "Falcon 3 7B": "HF card metadata for Falcon3 instruct",
}

ARCH_INT = [
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "vocab_size",
]

