"""Build the shipped catalog (resources/catalog/*.json) from the sourced reference data.

Usage (from the repository root):

    python3 tools/build_catalog.py [--reference ../shared/data/reference] [--check]

Inputs: models_reference.csv, gpus_reference.csv and catalog_notes.md (the research notes;
licence terms and prices below are transcribed from its sections 1, 3 and 6 and from the
CSVs' `license_commercial_terms` and `cloud_prices` columns). Outputs: licences.json,
models.json, gpus.json, prices.json and techniques.json, 2-space indented, in a stable order
(models and GPUs in CSV order, i.e. grouped by family). The script is deterministic: no
clock, no network, no randomness; running it twice gives byte-identical files. `--check`
validates the output with the pydantic schema in src/ftwizard/core/catalog.py.

Rules applied (so a reviewer can check any value against the CSV):

* Blank stays blank: an empty or "n/a" cell, or one the CSV marks as not read from a source,
  becomes null. A cell like "2000 (ml-engineering) / 2048 (gpu-specs)" keeps the first
  number; the rest goes to `notes`.
* A model whose required architecture cells are blank or unparseable is dropped (printed).
* `params_b` = params_b_computed. `attention_bias` is true for model_type qwen2 (QKV bias,
  catalog_notes section 2) and for GPT-2 (biased c_attn). Context "128K" = 131072 tokens.
* hf_repo_id is the base checkpoint; instruct_repo_id the instruct/chat/-it checkpoint the
  CSV names. For instruct-only releases (the CSV says so, or the only repo is an Instruct
  one) both fields hold the same repo and benchmarks default to variant "instruct".
* languages: only ISO 639-1 codes the row names (a language named in words, e.g. "English",
  counts); vendor counts without a list ("119 languages") go to languages_note.
* release_date: a full ISO date at the start of the cell; month-only cells give null; any
  qualifier is kept in notes.
* Benchmarks: "NAME [n-shot] [CoT] [maj@k|pass@1]=SCORE", segments split on " | ",
  "Context:" prefixes set the variant (Instruct/chat/-it => instruct; Base/PT/(base) =>
  base) and the evaluator ("Qwen eval", "Microsoft eval", "Ai2 eval", "Mistral paper",
  "BigCode leaderboard"); the evaluator is dropped where it is the model's own vendor.
  Segments listed in SKIP_SEGMENTS are left out (reason in the model's notes).

task_strengths rule (every tag is traceable to the CSV row):

* code: Code Llama and Qwen2.5-Coder models, or any HumanEval score >= 60 (any variant).
* reasoning: DeepSeek-R1 distills, or any GSM8K score >= 80 (any variant).
* translation: >= 8 languages listed in `languages`, or a vendor claim of >= 8 languages
  stated as a number in the languages cell ("29+ languages", "119 languages"), unless the
  CSV marks that claim "not verified" (Gemma 3's "140+ ... per-size coverage not verified").
* chat and instruction: an instruct/chat variant is evidenced in the row (an instruct or
  chat repo id, benchmarks labelled Instruct/chat/-it, an instruct-only release, or the
  context/licence cell naming an Instruct variant). Not for the R1 distills (reasoning
  checkpoints; the row names no instruct variant).
* classification, extraction, summarization and qa are never set: no source gives them.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "catalog"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "data" / "reference"

HEADER = {"schema_version": 1, "version": "2026.11.0", "as_of": "2026-11-28"}

# --------------------------------------------------------------------------------------
# Licences: catalog_notes.md section 3 and the CSV `license_commercial_terms` column.
# --------------------------------------------------------------------------------------
LLAMA_MAU = 700_000_000
QWEN_MAU = 100_000_000

LICENCES: list[dict[str, Any]] = [
    {
        "id": "llama-2",
        "name": "Llama 2 Community License",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": LLAMA_MAU,
        "attribution": None,
        "naming": None,
        "output_use_restrictions": "Outputs may not be used to improve any other large language model (Llama 2 and its derivatives excepted).",
        "acceptable_use_policy": True,
        "terms_read_in_full": True,
        "summary": "Commercial use is allowed, but a company whose products had more than 700 million monthly active users on 18 July 2023 needs a separate licence from Meta. Model outputs may not be used to train other LLMs, and Meta's Acceptable Use Policy applies. Also covers Code Llama.",
        "source": "github.com/meta-llama/llama-models:models/llama2/LICENSE; github.com/facebookresearch/codellama:LICENSE",
    },
    {
        "id": "llama-3",
        "name": "Meta Llama 3 Community License",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": LLAMA_MAU,
        "attribution": "Built with Meta Llama 3",
        "naming": "derivative model names must start with 'Llama 3'",
        "output_use_restrictions": "Outputs may not be used to improve any other large language model (Llama 3 and its derivatives excepted).",
        "acceptable_use_policy": True,
        "terms_read_in_full": True,
        "summary": "Commercial use is allowed below 700 million monthly active users (on 18 April 2024). Products must show 'Built with Meta Llama 3', fine-tuned models must be named 'Llama 3 ...', outputs may not train other LLMs, and the Acceptable Use Policy applies.",
        "source": "github.com/meta-llama/llama-models:models/llama3/LICENSE",
    },
    {
        "id": "llama-3.1",
        "name": "Llama 3.1 Community License",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": LLAMA_MAU,
        "attribution": "Built with Llama",
        "naming": "derivative model names must start with 'Llama'",
        "output_use_restrictions": None,
        "acceptable_use_policy": True,
        "terms_read_in_full": True,
        "summary": "Commercial use is allowed below 700 million monthly active users (on the release date). Products must show 'Built with Llama', fine-tuned models must be named 'Llama ...', and the Acceptable Use Policy applies.",
        "source": "github.com/meta-llama/llama-models:models/llama3_1/LICENSE",
    },
    {
        "id": "llama-3.2",
        "name": "Llama 3.2 Community License",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": LLAMA_MAU,
        "attribution": "Built with Llama",
        "naming": "derivative model names must start with 'Llama'",
        "output_use_restrictions": None,
        "acceptable_use_policy": True,
        "terms_read_in_full": True,
        "summary": "Same commercial terms as Llama 3.1: allowed below 700 million monthly active users, 'Built with Llama' notice, 'Llama ...' model names, Acceptable Use Policy. The EU restriction in its policy covers only the multimodal (vision) models, not the 1B/3B text models.",
        "source": "github.com/meta-llama/llama-models:models/llama3_2/LICENSE",
    },
    {
        "id": "llama-3.3",
        "name": "Llama 3.3 Community License",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": LLAMA_MAU,
        "attribution": "Built with Llama",
        "naming": "derivative model names must start with 'Llama'",
        "output_use_restrictions": None,
        "acceptable_use_policy": True,
        "terms_read_in_full": True,
        "summary": "Same commercial terms as Llama 3.1: allowed below 700 million monthly active users, 'Built with Llama' notice, 'Llama ...' model names, Acceptable Use Policy.",
        "source": "github.com/meta-llama/llama-models:models/llama3_3/LICENSE",
    },
    {
        "id": "mistral-research",
        "name": "Mistral Research License (MRL-0.1)",
        "spdx": None,
        "commercial_use": False,
        "user_threshold_mau": None,
        "attribution": None,
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": False,
        "summary": "Research and individual use only; any commercial use needs a separate commercial licence from Mistral AI. Some aggregator sites wrongly list Mistral Large 2 as Apache-2.0. Known from Mistral's model docs; the licence text itself is not among the sources.",
        "source": "github.com/mistralai/platform-docs-public:docs/getting-started/models/{overview,weights}.md@cb0c65a4; github.com/mistralai/mistral-inference:README.md@2557e12d",
    },
    {
        "id": "qwen-research",
        "name": "Qwen Research License",
        "spdx": None,
        "commercial_use": False,
        "user_threshold_mau": None,
        "attribution": None,
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": False,
        "summary": "Non-commercial: research and evaluation only ('FOR NON-COMMERCIAL PURPOSES ONLY'); commercial use needs a separate licence from Qwen. Applies to Qwen2.5-3B and Qwen2.5-Coder-3B. The wording was quoted via third-party notes; the licence file itself was not read.",
        "source": "github.com/QwenLM/qwenlm.github.io:content/blog/qwen2.5/index.md; github.com/QwenLM/qwenlm.github.io:content/blog/qwen2.5-coder-family/index.md; github.com/QwenLM/Qwen3:README.md@486bf757 (Qwen2.5-era README, License section)",
    },
    {
        "id": "qwen",
        "name": "Qwen License",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": QWEN_MAU,
        "attribution": "Built with Qwen / Improved using Qwen",
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": False,
        "summary": "Commercial use is allowed, but products or services with more than 100 million monthly active users must request a licence from Alibaba (section 4); derived models carry a 'Built with Qwen' / 'Improved using Qwen' notice. Applies to Qwen2.5-72B; the clause was quoted via third-party notes.",
        "source": "huggingface.co/Qwen/Qwen2.5-72B-Instruct/raw/main/LICENSE (quoted via third-party notes); github.com/QwenLM/Qwen3:README.md@486bf757 (Qwen2.5-era README, License section)",
    },
    {
        "id": "tongyi-qianwen",
        "name": "Tongyi Qianwen License",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": QWEN_MAU,
        "attribution": None,
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": False,
        "summary": "The original Qwen licence used by Qwen2-72B (not Apache-2.0): commercial use is allowed, but products with more than 100 million monthly active users must request a licence from Alibaba. The clause is known from the Qwen2.5-72B text; the Qwen2-72B text itself was not read, and its attribution duty is not confirmed.",
        "source": "github.com/QwenLM/qwenlm.github.io:content/blog/qwen2/index.md (License section)",
    },
    {
        "id": "gemma",
        "name": "Gemma Terms of Use",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": None,
        "attribution": None,
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": True,
        "terms_read_in_full": False,
        "summary": "Google's open-weights terms: 'responsible commercial use' is permitted, and the Gemma Prohibited Use Policy applies and must be passed on to anyone receiving a derivative. Only those two points were confirmed; the full terms were not read.",
        "source": "ai.google.dev/gemma/terms; github.com/docker/model-cards:ai/gemma3.md",
    },
    {
        "id": "falcon-llm",
        "name": "TII Falcon LLM License",
        "spdx": None,
        "commercial_use": False,
        "user_threshold_mau": None,
        "attribution": None,
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": False,
        "summary": "TII's own licence for Falcon3 (falconllm.tii.ae/falcon-terms-and-conditions.html). Its commercial terms were not read, so the catalog treats it as not allowing commercial use until someone confirms otherwise; check the terms before any commercial project.",
        "source": "github.com/huggingface/blog:falcon3.md",
    },
    {
        "id": "apache-2.0",
        "name": "Apache License 2.0",
        "spdx": "Apache-2.0",
        "commercial_use": True,
        "user_threshold_mau": None,
        "attribution": "Keep the licence text and any NOTICE file",
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": True,
        "summary": "Permissive: commercial use, modification and redistribution are allowed; keep the licence and NOTICE file with copies.",
        "source": "apache.org/licenses/LICENSE-2.0; licence statements in each model's card (see the model's sources.licence)",
    },
    {
        "id": "mit",
        "name": "MIT License",
        "spdx": "MIT",
        "commercial_use": True,
        "user_threshold_mau": None,
        "attribution": "Keep the copyright and licence notice",
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": True,
        "summary": "Permissive: commercial use, modification and redistribution are allowed; keep the copyright and licence notice.",
        "source": "opensource.org/license/mit; licence statements in each model's card (see the model's sources.licence)",
    },
    {
        "id": "modified-mit",
        "name": "Modified MIT License (OpenAI GPT-2)",
        "spdx": None,
        "commercial_use": True,
        "user_threshold_mau": None,
        "attribution": "Keep the copyright and licence notice",
        "naming": None,
        "output_use_restrictions": None,
        "acceptable_use_policy": False,
        "terms_read_in_full": True,
        "summary": "OpenAI's MIT-style permissive licence for GPT-2: commercial use, modification and redistribution are allowed.",
        "source": "github.com/openai/gpt-2:LICENSE",
    },
]

# CSV `license` cell (exact) -> licence ids.
LICENCE_MAP = {
    "Meta Llama 3 Community License": ["llama-3"],
    "Llama 3.1 Community License": ["llama-3.1"],
    "Llama 3.2 Community License": ["llama-3.2"],
    "Llama 3.3 Community License": ["llama-3.3"],
    "Llama 2 Community License": ["llama-2"],
    "Llama 2 Community License (Code Llama)": ["llama-2"],
    "Apache-2.0": ["apache-2.0"],
    "Mistral Research License (MRL-0.1)": ["mistral-research"],
    "MIT": ["mit"],
    "Tongyi Qianwen License (Qwen2-72B and its instruct)": ["tongyi-qianwen"],
    "Qwen Research License": ["qwen-research"],
    "Qwen License": ["qwen"],
    "Gemma Terms of Use": ["gemma"],
    "MIT (DeepSeek weights) + Llama 3.1 Community License (base model)": ["mit", "llama-3.1"],
    # DeepSeek states the Qwen-based distills derive from Apache-2.0 Qwen2.5 models.
    "MIT (DeepSeek) ; base Qwen2.5-Math-7B stated by DeepSeek as Apache-2.0": ["mit", "apache-2.0"],
    "TII Falcon LLM License (falcon-llm-license)": ["falcon-llm"],
    "Modified MIT License (OpenAI)": ["modified-mit"],
}

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
    "OLMo 2": "ai2",
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

# --------------------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------------------
# (text as written, catalog name, forced variant or None); longest first.
BENCH_NAMES: list[tuple[str, str, str | None]] = [
    ("Instruct-v0.3 Multilingual MMLU", "Multilingual MMLU", "instruct"),
    ("Instruct Multilingual MMLU", "Multilingual MMLU", "instruct"),
    ("Code(HumanEval+MBPP avg)", "Code (HumanEval+MBPP avg)", None),
    ("Code avg", "Code (HumanEval+MBPP avg)", None),
    ("Math(GSM8K+MATH avg)", "Math (GSM8K+MATH avg)", None),
    ("Math avg", "Math (GSM8K+MATH avg)", None),
    ("Commonsense avg (7 tasks)", "Commonsense avg (7 tasks)", None),
    ("Multilingual MMLU", "Multilingual MMLU", None),
    ("Global-MMLU-Lite", "Global-MMLU-Lite", None),
    ("MultiPL-E JS", "MultiPL-E (JavaScript)", None),
    ("GPQA Diamond", "GPQA Diamond", None),
    ("GPQA main", "GPQA (main)", None),
    ("AIME 2024", "AIME 2024", None),
    ("LiveCodeBench", "LiveCodeBench", None),
    ("Multi-Exam", "Multi-Exam", None),
    ("MATH-500", "MATH-500", None),
    ("MMLU-Pro", "MMLU-Pro", None),
    ("HumanEval", "HumanEval", None),
    ("WinoGrande", "WinoGrande", None),
    ("HellaSwag", "HellaSwag", None),
    ("EvalPlus", "EvalPlus", None),
    ("MMMLU", "MMMLU", None),
    ("ARC-C", "ARC-C", None),
    ("GSM8K", "GSM8K", None),
    ("MMLU", "MMLU", None),
    ("MGSM", "MGSM", None),
    ("MATH", "MATH", None),
    ("PIQA", "PIQA", None),
    ("BBH", "BBH", None),
]
EVALUATORS = [  # (phrase in the context, evaluator label, vendor key)
    ("Qwen eval", "Qwen", "qwen"),
    ("Microsoft eval", "Microsoft", "microsoft"),
    ("Ai2 eval", "Ai2", "ai2"),
    ("Mistral paper", "Mistral AI (Mistral 7B paper)", "mistral"),
    ("BigCode leaderboard", "BigCode leaderboard", "bigcode"),
]


def split_outside_parens(text: str, sep: str) -> list[str]:
    parts, depth, cur, i = [], 0, "", 0
    while i < len(text):
        if text.startswith(sep, i) and depth == 0:
            parts.append(cur)
            cur, i = "", i + len(sep)
            continue
        ch = text[i]
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
        i += 1
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _variant_from(context: str) -> str | None:
    if re.search(r"instruct|chat|\bit\b", context, re.I):
        return "instruct"
    if re.search(r"\bbase\b|\bPT\b|pretrained", context, re.I):
        return "base"
    return None


def _evaluator_from(context: str, family: str) -> str | None:
    for phrase, label, key in EVALUATORS:
        if phrase.lower() in context.lower():
            return None if FAMILY_VENDOR[family] == key else label
    return None


def parse_label(label: str) -> tuple[str, str | None, str | None, str | None]:
    """'GSM8K 8-shot CoT' -> (name, shots, variant, evaluator-context)."""
    hit = next((b for b in BENCH_NAMES if label.startswith(b[0])), None)
    if hit is None:
        raise ValueError(f"unknown benchmark label {label!r}")
    written, name, forced = hit
    rest = label[len(written) :].strip()
    variant, extra_ctx = forced, None
    shot, extras = None, []
    for paren in re.findall(r"\(([^)]*)\)", rest):
        if paren in ("base", "pretrained"):
            variant = "base"
        elif paren == "cloze":
            name = f"{name} (cloze)"
        elif paren == "BigCode leaderboard":
            extra_ctx = paren
        else:
            raise ValueError(f"unknown qualifier ({paren}) in {label!r}")
    for tok in re.sub(r"\([^)]*\)", " ", rest).split():
        if re.fullmatch(r"\d+-shot", tok):
            shot = tok
        elif tok in ("CoT",) or re.fullmatch(r"(maj|pass)@\d+", tok):
            extras.append(tok)
        elif tok == "bf16":
            continue
        else:
            raise ValueError(f"unknown token {tok!r} in {label!r}")
    shots = " ".join([shot] * bool(shot) + extras) or None
    return name, shots, variant, extra_ctx


def parse_benchmarks(
    row: dict[str, str], family: str, default_variant: str
) -> tuple[list[dict], list[str]]:
    text = row["benchmarks"].strip()
    if not text:
        return [], []
    model = row["model"]
    sources = SOURCE_SPLIT_EXCEPTIONS.get(model) or [
        s.strip() for s in row["benchmark_source"].split("; ")
    ]
    seg_src = SEGMENT_SOURCES.get(model)
    out, skipped = [], []
    for si, seg in enumerate(split_outside_parens(text, " | ")):
        if (model, si) in SKIP_SEGMENTS:
            skipped.append(SKIP_SEGMENTS[(model, si)])
            continue
        source = sources[seg_src[si]] if seg_src else row["benchmark_source"].strip()
        items = split_outside_parens(seg, ";")
        trailing = ""
        m = re.search(r"=\s*[\d.]+\s*\((.*)\)\s*$", items[-1])
        if m:
            trailing = m.group(1)
            items[-1] = items[-1][: m.start(1) - 1].strip()
        context = ""
        for item in items:
            cm = re.match(r"^([^=:]+):\s*(.+)$", item)
            if cm:
                context, item = cm.group(1), cm.group(2)
            im = re.fullmatch(r"(.+?)\s*=\s*(\d+(?:\.\d+)?)", item)
            if not im:
                raise ValueError(f"{model}: cannot parse benchmark item {item!r}")
            name, shots, variant, label_ctx = parse_label(im.group(1).strip())
            if variant is None:
                variant = _variant_from(context)
            if variant is None and re.search(r"\bbase\b", trailing):
                variant = "base"
            variant = variant or default_variant
            evaluator = _evaluator_from(" ".join([context, trailing, label_ctx or ""]), family)
            out.append(
                {
                    "name": name,
                    "score": float(im.group(2)),
                    "variant": variant,
                    "shots": shots,
                    "evaluator": evaluator,
                    "source": source,
                }
            )
    return out, skipped


# --------------------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------------------
LANG_WORDS = {"English": "en"}


def parse_languages(cell: str) -> tuple[list[str], str | None]:
    """Codes written as a comma-separated list, plus languages named in words."""
    codes = [code for word, code in LANG_WORDS.items() if re.search(rf"\b{word}\b", cell)]
    dropped = []
    for tok in re.findall(r"(?:(?<=, )[a-z]{2,3}\b|\b[a-z]{2,3}(?=,))", cell):
        if len(tok) == 3:
            dropped.append(tok)  # e.g. 'ceb' (Cebuano): ISO 639-2/3 only
        elif tok not in codes:
            codes.append(tok)
    text = cell.strip()
    note = None if re.fullmatch(r"[a-z]{2}(, [a-z]{2})*|English", text) else text
    if dropped:
        note = (note + "; " if note else "") + ", ".join(
            f"'{d}' has no ISO 639-1 code" for d in dropped
        )
    return codes, note


def claimed_language_count(cell: str) -> int:
    """A vendor's stated number of languages; a claim the CSV marks 'not verified' counts 0."""
    if "not verified" in cell:
        return 0
    nums = [int(n) for n in re.findall(r"(\d+)\+? (?:languages|natural)", cell)]
    m = re.search(r"\+ (\d+) languages", cell)
    if m:
        nums.append(int(m.group(1)) + 2)
    return max(nums, default=0)


# --------------------------------------------------------------------------------------
# Cell helpers
# --------------------------------------------------------------------------------------
def first_number(cell: str) -> float | None:
    m = re.match(r"\s*(\d+(?:\.\d+)?)", cell)
    return float(m.group(1)) if m else None


def first_int_strict(cell: str) -> int | None:
    """An int cell, optionally followed by a qualifier in words or parentheses."""
    m = re.fullmatch(r"\s*(\d+)(\s+.*)?", cell)
    return int(m.group(1)) if m else None


def parse_bool(cell: str) -> bool | None:
    m = re.match(r"\s*(true|false|yes|no)\b", cell, re.I)
    return None if not m else m.group(1).lower() in ("true", "yes")


def parse_context(cell: str) -> int | None:
    m = re.match(r"\s*(\d+)\s*K\b", cell)
    if m:
        return int(m.group(1)) * 1024
    m = re.match(r"\s*(\d+)\b", cell)
    return int(m.group(1)) if m else None


def is_bare(cell: str) -> bool:
    return re.fullmatch(r"\d+K?|\d{4}-\d{2}-\d{2}", cell.strip()) is not None


def parse_repos(model: str, cell: str, notes: str) -> tuple[str, str | None, list[str]]:
    extra: list[str] = []
    m = re.fullmatch(r"(\S+)(?:\s+\((.*)\))?", cell.strip())
    assert m, cell
    repo, qual = m.group(1), m.group(2) or ""
    instruct = None
    if qual.startswith(("instruct: ", "chat: ")):
        target = qual.split(": ", 1)[1]
        instruct = repo.rsplit("-", 1)[0] + target if target.startswith("-") else target
    elif qual.startswith("base: "):
        repo, instruct = qual.split(": ", 1)[1], repo
    elif qual:
        extra.append(f"Repo: {cell.strip()}.")
    nm = re.search(r"Instruct repo: (\S+?)\.?(\s|$)", notes)
    if nm:
        instruct = nm.group(1)
    if model in INSTRUCT_ONLY:
        instruct = repo
    return repo, instruct, extra


def build_models(rows: list[dict[str, str]]) -> tuple[list[dict], list[str]]:
    models, dropped = [], []
    for row in rows:
        model = row["model"]
        mid, family = MODEL_META[model]
        notes_parts = [row["notes"].strip()] if row["notes"].strip() else []
        # ---- architecture (required fields) ----
        arch: dict[str, Any] = {}
        problems = []
        mt = re.match(r"\s*([a-z0-9_]+)\b", row["model_type"])
        if not mt:
            problems.append("model_type")
        else:
            arch["model_type"] = mt.group(1)
        for f in ARCH_INT:
            cell = row[f]
            if f == "intermediate_size":
                cell = cell.split(" (")[0]
            v = first_int_strict(cell)
            if v is None:
                problems.append(f)
            arch[f] = v
        mpe_cell = row["max_position_embeddings"].strip()
        arch["max_position_embeddings"] = (
            first_int_strict(mpe_cell.split(" / ")[0].split(" (")[0]) if mpe_cell else None
        )
        if mpe_cell and not is_bare(mpe_cell):
            notes_parts.append(f"max_position_embeddings: {mpe_cell}.")
        tie = parse_bool(row["tie_word_embeddings"])
        if tie is None:
            problems.append("tie_word_embeddings")
        arch["tie_word_embeddings"] = tie
        experts = first_int_strict(row["moe_experts"]) if row["moe_experts"].strip() else None
        active = (
            first_int_strict(row["moe_active_experts"])
            if row["moe_active_experts"].strip()
            else None
        )
        arch["moe_experts"], arch["moe_active_experts"] = experts, active
        mis = re.search(r"moe_intermediate_size (\d+)", row["intermediate_size"])
        arch["moe_intermediate_size"] = int(mis.group(1)) if mis else None
        arch["attention_bias"] = arch.get("model_type") in ("qwen2", "gpt2")
        if problems:
            dropped.append(
                f"{model}: blank or unparseable architecture cell(s) {', '.join(problems)}"
            )
            continue
        # ---- repos ----
        repo, instruct, repo_notes = parse_repos(model, row["hf_repo_id"], row["notes"])
        notes_parts += repo_notes
        # ---- context ----
        ctx_cell = row["context_official"].strip()
        context = parse_context(ctx_cell) if ctx_cell else None
        if ctx_cell and not is_bare(ctx_cell):
            notes_parts.append(f"Context: {ctx_cell}.")
        # ---- release date ----
        rd_cell = row["release_date"].strip()
        rd = re.match(r"(\d{4}-\d{2}-\d{2})", rd_cell)
        release = rd.group(1) if rd else None
        if rd_cell and not is_bare(rd_cell):
            notes_parts.append(f"Release date: {rd_cell}.")
        # ---- languages ----
        langs, lang_note = parse_languages(row["languages"])
        # ---- benchmarks ----
        instruct_only = model in INSTRUCT_ONLY or model in POST_TRAINED
        bench, skipped = parse_benchmarks(row, family, "instruct" if instruct_only else "base")
        notes_parts += [s + "." for s in skipped]
        if model in EXTRA_NOTES:
            notes_parts.append(EXTRA_NOTES[model])
        # ---- task strengths (rule in the module docstring) ----
        has_instruct = (
            bool(instruct)
            or any(b["variant"] == "instruct" for b in bench)
            or bool(
                re.search(r"\bInstruct\b|\bchat\b", row["context_official"] + " " + row["license"])
            )
        )
        if model in POST_TRAINED:
            has_instruct = False  # reasoning checkpoints; no instruct/chat variant in the row
        strengths = []
        if has_instruct:
            strengths += ["chat", "instruction"]
        if family in ("Code Llama", "Qwen2.5-Coder") or any(
            b["name"] == "HumanEval" and b["score"] >= 60 for b in bench
        ):
            strengths.append("code")
        if len(langs) >= 8 or claimed_language_count(row["languages"]) >= 8:
            strengths.append("translation")
        if family == "DeepSeek-R1-Distill" or any(
            b["name"] == "GSM8K" and b["score"] >= 80 for b in bench
        ):
            strengths.append("reasoning")
        # ---- sources ----
        row_src = " | ".join(p.strip() for p in row["source"].split(" | ") if p.strip())
        rel_src = re.search(r"Release date (?:from|=) (.+?)(?:\.\s|\.$)", row["notes"])
        sources = {
            "architecture": row["arch_source"].strip(),
            "licence": row["license_source"].strip(),
            "languages": LANG_SOURCES.get(model, row_src) if row["languages"].strip() else None,
            "benchmarks": row["benchmark_source"].strip() or None,
            "release_date": (rel_src.group(1).strip() if rel_src else row_src) if rd_cell else None,
        }
        reported = row["params_b_reported"].strip() or None
        if reported and "seed article" in reported:
            reported = reported.split(" (")[0]
        active_b = first_number(row["active_params_b"]) if row["active_params_b"].strip() else None
        entry = {
            "id": mid,
            "name": model,
            "family": family,
            "hf_repo_id": repo,
            "instruct_repo_id": instruct,
            "params_b": float(row["params_b_computed"]),
            "params_b_reported": reported,
            "active_params_b": active_b,
            "architecture": arch,
            "context_tokens": context,
            "licences": LICENCE_MAP[row["license"].strip()],
            "languages": langs,
            "languages_note": lang_note,
            "task_strengths": strengths,
            "benchmarks": bench,
            "release_date": release,
            "seed_article_claim": SEED_CLAIMS.get(model),
            "sources": sources,
            "confidence": row["confidence"].strip(),
            "notes": " ".join(notes_parts) or None,
        }
        models.append(entry)
    return models, dropped


# --------------------------------------------------------------------------------------
# GPUs
# --------------------------------------------------------------------------------------
GPU_IDS = {
    "NVIDIA H200 (SXM)": "h200",
    "NVIDIA H100 SXM 80GB": "h100-sxm-80gb",
    "NVIDIA H100 PCIe 80GB": "h100-pcie-80gb",
    "NVIDIA A100 80GB SXM": "a100-80gb-sxm",
    "NVIDIA A100 40GB": "a100-40gb",
    "NVIDIA L40S": "l40s",
    "NVIDIA L4": "l4",
    "NVIDIA A10": "a10",
    "NVIDIA A10G (AWS)": "a10g",
    "NVIDIA T4": "t4",
    "NVIDIA V100 SXM2 16GB / 32GB": "v100",  # split below
    "NVIDIA GeForce RTX 3090": "rtx-3090",
    "NVIDIA GeForce RTX 4090": "rtx-4090",
    "NVIDIA GeForce RTX 5090": "rtx-5090",
    "NVIDIA RTX A6000": "rtx-a6000",
    "NVIDIA RTX 6000 Ada Generation": "rtx-6000-ada",
    "NVIDIA GeForce RTX 4060 Ti 16GB": "rtx-4060-ti-16gb",
    "NVIDIA GeForce RTX 3060 12GB": "rtx-3060-12gb",
    "AMD Instinct MI300X": "mi300x",
    "AMD Instinct MI250": "mi250",
    "Apple M-series (note only)": "apple-m-series",
}
# Cells the CSV itself marks as not read from a source (catalog_notes section 7): kept blank.
UNSOURCED_CC = {"a10g", "rtx-5090"}
# Names in the notes column (catalog_notes section 5) that belong to the row's entry.
NOTE_NAMES = {"h200": ["NVIDIA H200 NVL"]}


def _gpu_num(cell: str, label: str, notes: list[str]) -> float | None:
    cell = cell.strip()
    if not cell or cell.lower().startswith("n/a"):
        return None
    v = first_number(cell)
    if v is None:
        return None
    if not re.fullmatch(r"\d+(\.\d+)?", cell):
        notes.append(f"{label}: {cell}.")
    return v


def build_gpus(rows: list[dict[str, str]]) -> list[dict]:
    gpus = []
    for row in rows:
        gid = GPU_IDS[row["gpu"]]
        vendor = (
            "amd"
            if row["gpu"].startswith("AMD")
            else "apple"
            if row["gpu"].startswith("Apple")
            else "nvidia"
        )
        notes: list[str] = []
        names = []
        if vendor == "nvidia":
            names = [
                re.sub(r"\s*\((SXM|PCIe)\)$", "", n).strip() for n in row["nvml_name"].split(" / ")
            ]
        elif vendor == "amd":
            names = [row["nvml_name"].split(" (")[0].strip()]
        names += NOTE_NAMES.get(gid, [])
        cc_cell = row["compute_capability"].strip()
        cc = re.match(r"(\d+\.\d+)", cc_cell)
        cc_val = cc.group(1) if cc else None
        if gid in UNSOURCED_CC:
            notes.append(f"Compute capability left blank: CSV says '{cc_cell}'.")
            cc_val = None
        elif cc_cell and not re.fullmatch(r"\d+\.\d+", cc_cell):
            notes.append(f"Compute capability: {cc_cell}.")
        entry = {
            "id": gid,
            "name": row["gpu"].replace(" (note only)", ""),
            "vendor": vendor,
            "match_names": names,
            "memory_gb": None if vendor == "apple" else _gpu_num(row["memory_gb"], "Memory", []),
            "memory_type": row["memory_type"].strip() or None,
            "bandwidth_gbs": None
            if vendor == "apple"
            else _gpu_num(row["bandwidth_gbs"], "Bandwidth GB/s", notes),
            "bf16_dense_tflops": _gpu_num(row["bf16_dense_tflops"], "BF16 dense TFLOPS", notes),
            "fp16_dense_tflops": _gpu_num(row["fp16_dense_tflops"], "FP16 dense TFLOPS", notes),
            "fp32_tflops": _gpu_num(row["fp32_tflops"], "FP32 TFLOPS", notes),
            "bf16_supported": parse_bool(row["bf16_supported"]),
            "compute_capability": cc_val,
            "tdp_w": _gpu_num(row["tdp_w"], "TDP W", notes),
            "consumer": "GeForce" in row["gpu"],
            "source": row["source"].strip(),
            "confidence": row["confidence"].strip(),
            "notes": None,
        }
        csv_notes = row["notes"].strip()
        if vendor == "apple":
            entry["memory_type"] = None
            notes = [
                f"Memory: {row['memory_gb']}; memory type {row['memory_type']}; bandwidth {row['bandwidth_gbs']}; "
                f"bf16: {row['bf16_supported']}. Device name: {row['nvml_name']}.",
            ]
        if gid == "a100-80gb-sxm":
            # The PCIe variant's facts sit in this row's notes: it becomes its own entry below.
            csv_notes = ""
        if gid == "h200":
            notes.append(
                "The NVL name is matched to this entry too (there is no separate NVL entry)."
            )
        if gid == "a100-40gb":
            notes.append("Matches both the SXM4 and the PCIe names.")
        entry["notes"] = " ".join(([csv_notes] if csv_notes else []) + notes) or None
        if gid == "mi250":
            # Software sees one MI250 as two devices (GCDs) of 64 GB: the entry describes what
            # detection matches and the estimator sizes, so each figure is the package's / 2.
            for key in ("memory_gb", "bandwidth_gbs", "bf16_dense_tflops", "fp16_dense_tflops", "fp32_tflops", "tdp_w"):
                if entry.get(key):
                    entry[key] = round(entry[key] / 2, 2)
            entry["name"] = "AMD Instinct MI250 (one of its two 64 GB devices)"
            entry["notes"] = (entry["notes"] or "") + (
                " Figures are per device: ROCm and torch show one MI250 as two devices of 64 GB, so the"
                " package's 128 GB, 3277 GB/s and 362.1 TFLOPS are halved here."
            )
        if gid == "v100":
            for mem in (16, 32):
                e = dict(entry)
                e["id"] = f"v100-{mem}gb"
                e["name"] = f"NVIDIA V100 SXM2 {mem}GB"
                e["memory_gb"] = float(mem)
                e["match_names"] = [f"Tesla V100-SXM2-{mem}GB", f"Tesla V100-PCIE-{mem}GB"]
                e["notes"] = (
                    f"Split from the CSV row 'V100 SXM2 16GB / 32GB'. The PCIe name 'Tesla V100-PCIE-{mem}GB' "
                    "also matches here, but PCIe cards are slower: 112 TFLOPS fp16 tensor, 14 TFLOPS fp32, 250 W. "
                    "No bf16: use fp16 with loss scaling, or fp32. llm-analysis v100-sxm-16gb.json wrongly says 32 GB."
                )
                gpus.append(e)
            continue
        gpus.append(entry)
        if gid == "a100-80gb-sxm":
            gpus.append(
                {
                    "id": "a100-80gb-pcie",
                    "name": "NVIDIA A100 80GB PCIe",
                    "vendor": "nvidia",
                    "match_names": ["NVIDIA A100 80GB PCIe", "NVIDIA A100-PCIE-80GB"],
                    "memory_gb": 80.0,
                    "memory_type": None,
                    "bandwidth_gbs": 1935.0,
                    "bf16_dense_tflops": 312.0,
                    "fp16_dense_tflops": 312.0,
                    "fp32_tflops": 19.5,
                    "bf16_supported": True,
                    "compute_capability": "8.0",
                    "tdp_w": 300.0,
                    "consumer": False,
                    "source": row["source"].strip(),
                    "confidence": "partial",
                    "notes": (
                        "From the notes of the CSV row 'NVIDIA A100 80GB SXM': NVML 'NVIDIA A100 80GB PCIe' (vLLM, RunPod list) "
                        "vs installer list 'NVIDIA A100-PCIE-80GB'; 1935 GB/s, 300 W. Tensor peaks, fp32, bf16 and compute "
                        "capability are the A100 values of the CSV's other A100 rows (the 40GB row covers the PCIe form factor "
                        "with the same figures); memory type not stated for this variant."
                    ),
                }
            )
        if gid == "rtx-4060-ti-16gb":
            gpus.append(
                {
                    "id": "rtx-4060-ti-8gb",
                    "name": "NVIDIA GeForce RTX 4060 Ti 8GB",
                    "vendor": "nvidia",
                    "match_names": ["NVIDIA GeForce RTX 4060 Ti"],
                    "memory_gb": 8.0,
                    "memory_type": None,
                    "bandwidth_gbs": None,
                    "bf16_dense_tflops": None,
                    "fp16_dense_tflops": None,
                    "fp32_tflops": None,
                    "bf16_supported": True,
                    "compute_capability": "8.9",
                    "tdp_w": 160.0,
                    "consumer": True,
                    "source": row["source"].strip(),
                    "confidence": "partial",
                    "notes": (
                        "From the CSV row 'RTX 4060 Ti 16GB': same NVML name as the 16 GB card, told apart by memory.total "
                        "(~8188 MiB vs 16380 MiB); TDP 160 W. bf16 and compute capability as the 16 GB card (same name and "
                        "generation); bandwidth and FLOPS not sourced for the 8 GB model."
                    ),
                }
            )
        if gid == "rtx-3060-12gb":
            gpus.append(
                {
                    "id": "rtx-3060-8gb",
                    "name": "NVIDIA GeForce RTX 3060 8GB",
                    "vendor": "nvidia",
                    "match_names": ["NVIDIA GeForce RTX 3060"],
                    "memory_gb": 8.0,
                    "memory_type": None,
                    "bandwidth_gbs": 240.0,
                    "bf16_dense_tflops": None,
                    "fp16_dense_tflops": None,
                    "fp32_tflops": None,
                    "bf16_supported": True,
                    "compute_capability": "8.6",
                    "tdp_w": None,
                    "consumer": True,
                    "source": row["source"].strip(),
                    "confidence": "partial",
                    "notes": (
                        "From the notes of the CSV row 'RTX 3060 12GB': an 8 GB RTX 3060 with the same NVML name and 240 GB/s; "
                        "told apart by memory.total. bf16 and compute capability as the 12 GB card; other figures not sourced."
                    ),
                }
            )
    return gpus


# --------------------------------------------------------------------------------------
# Prices: catalog_notes.md section 6 and the CSV `cloud_prices` column.
# --------------------------------------------------------------------------------------
LAMBDA_SRC = "github.com/skypilot-org/skypilot-catalog:catalogs/v7/lambda/vms.csv@11580132 (snapshot date not shown by the index)"
RUNPOD_SRC = "github.com/skypilot-org/skypilot-catalog:catalogs/v7/runpod/vms.csv@0727c2bd (secure cloud; snapshot date not shown)"
LAMBDA_LABEL = "SkyPilot catalog snapshot; snapshot date unknown"
RUNPOD_LABEL = "RunPod secure cloud, SkyPilot catalog snapshot; snapshot date unknown"
SEED_SRC = "seed article (not traceable to a price list; catalog_notes.md section 1)"


def _price(
    pid,
    provider,
    gpu,
    usd,
    pricing="on_demand",
    n=1,
    region=None,
    verified=True,
    label=None,
    source=LAMBDA_SRC,
):
    return {
        "id": pid,
        "provider": provider,
        "gpu_id": gpu,
        "gpus_per_instance": n,
        "usd_per_gpu_hour": usd,
        "pricing": pricing,
        "region": region,
        "as_of": None,
        "verified": verified,
        "label": label,
        "source": source,
    }


PRICES = [
    _price("lambda-a10", "Lambda", "a10", 0.75, label=LAMBDA_LABEL),
    _price(
        "lambda-a6000",
        "Lambda",
        "rtx-a6000",
        0.80,
        label=LAMBDA_LABEL + "; 2x ($1.60/h) and 4x ($3.20/h) cost the same per GPU",
    ),
    _price("lambda-a100-40gb", "Lambda", "a100-40gb", 1.29, label=LAMBDA_LABEL + "; PCIe or SXM4"),
    _price(
        "lambda-a100-40gb-8x",
        "Lambda",
        "a100-40gb",
        1.29,
        n=8,
        label=LAMBDA_LABEL + "; 8x A100 40GB at $10.32/h",
    ),
    _price(
        "lambda-a100-80gb-sxm-8x",
        "Lambda",
        "a100-80gb-sxm",
        1.79,
        n=8,
        label=LAMBDA_LABEL + "; 8x A100 80GB SXM4 at $14.32/h",
    ),
    _price("lambda-h100-pcie", "Lambda", "h100-pcie-80gb", 2.49, label=LAMBDA_LABEL),
    _price(
        "lambda-h100-sxm", "Lambda", "h100-sxm-80gb", 3.29, label=LAMBDA_LABEL + "; 1x H100 SXM5"
    ),
    _price(
        "lambda-h100-sxm-8x",
        "Lambda",
        "h100-sxm-80gb",
        2.99,
        n=8,
        label=LAMBDA_LABEL + "; 8x H100 SXM5 at $23.92/h",
    ),
    _price(
        "lambda-v100-16gb-8x",
        "Lambda",
        "v100-16gb",
        0.55,
        n=8,
        label=LAMBDA_LABEL + "; 8x V100 16GB at $4.40/h",
    ),
    _price(
        "runpod-a100-80gb-pcie",
        "RunPod",
        "a100-80gb-pcie",
        1.64,
        label=RUNPOD_LABEL,
        source=RUNPOD_SRC,
    ),
    _price(
        "runpod-a100-80gb-pcie-spot",
        "RunPod",
        "a100-80gb-pcie",
        1.19,
        pricing="spot",
        label=RUNPOD_LABEL,
        source=RUNPOD_SRC,
    ),
    _price(
        "runpod-a100-80gb-sxm",
        "RunPod",
        "a100-80gb-sxm",
        1.89,
        label=RUNPOD_LABEL,
        source=RUNPOD_SRC,
    ),
    _price(
        "aws-g5-xlarge",
        "AWS",
        "a10g",
        1.006,
        region="us-east-1",
        label="g5.xlarge (1x A10G) on-demand; from a blog dated June 2026 (day unknown)",
        source="https://www.factualminds.com/blog/amazon-ec2-on-demand-pricing-instance-families-2026/",
    ),
    _price(
        "aws-p5-48xlarge-capacity-block",
        "AWS",
        "h100-sxm-80gb",
        4.91625,
        pricing="capacity_block",
        n=8,
        region="us-east-1",
        label="p5.48xlarge Capacity Block, $39.33/h for 8x H100; not an on-demand price; AWS page dated about end 2024",
        source="AWS EC2 Capacity Blocks pricing page (dated ~end 2024), as recorded in gpus_reference.csv (H100 SXM row)",
    ),
    _price(
        "tensorwave-mi300x",
        "TensorWave (via gpu.blog)",
        "mi300x",
        1.71,
        verified=False,
        label="listed on gpu.blog as on-demand; date not shown; unverified",
        source="gpu.blog listing, as recorded in gpus_reference.csv (MI300X row)",
    ),
    _price(
        "vultr-mi300x",
        "Vultr (via gpu.blog)",
        "mi300x",
        1.85,
        verified=False,
        label="listed on gpu.blog as on-demand; date not shown; unverified",
        source="gpu.blog listing, as recorded in gpus_reference.csv (MI300X row)",
    ),
    _price(
        "seed-h100",
        "seed article",
        "h100-sxm-80gb",
        1.99,
        pricing="unknown",
        verified=False,
        label="seed article, unverified; provider and H100 form factor not stated (filed under H100 SXM as in the reference CSV)",
        source=SEED_SRC,
    ),
    _price(
        "seed-a100",
        "seed article",
        "a100-80gb-pcie",
        1.19,
        pricing="unknown",
        verified=False,
        label="seed article, unverified; 'A100' not specified: $1.19 equals RunPod's A100 80GB PCIe spot price, so filed under a100-80gb-pcie",
        source=SEED_SRC,
    ),
    _price(
        "seed-l40s",
        "seed article",
        "l40s",
        0.79,
        pricing="unknown",
        verified=False,
        label="seed article, unverified; provider not stated",
        source=SEED_SRC,
    ),
    _price(
        "seed-l4",
        "seed article",
        "l4",
        0.44,
        pricing="unknown",
        verified=False,
        label="seed article, unverified; provider not stated",
        source=SEED_SRC,
    ),
    _price(
        "seed-lambda-a10",
        "Lambda (seed article)",
        "a10",
        0.86,
        pricing="unknown",
        verified=False,
        label="seed article, unverified; the Lambda snapshot lists A10 at $0.75/h, not $0.86",
        source=SEED_SRC,
    ),
    _price(
        "seed-coreweave-8xh100",
        "CoreWeave (seed article)",
        "h100-sxm-80gb",
        6.155,
        pricing="unknown",
        n=8,
        verified=False,
        label="seed article, unverified; 8x H100 at $49.24/h; form factor not stated (filed under H100 SXM)",
        source=SEED_SRC,
    ),
]

# --------------------------------------------------------------------------------------
# Techniques
# --------------------------------------------------------------------------------------
TECHNIQUES = [
    {
        "id": "full",
        "name": "Full fine-tuning",
        "summary": "Updates every weight of the model. With AdamW in mixed precision it needs memory for the weights, their gradients and two optimizer states per parameter (roughly 16 bytes per parameter before activations), so it is the most expensive option and usually needs several GPUs beyond a few billion parameters.",
        "when_to_use": "A large, high-quality dataset and a big shift in domain or behaviour, enough GPU memory (or several GPUs), and a small enough model; or when adapter methods measurably fall short. Otherwise start with LoRA or QLoRA, which the QLoRA paper shows can match 16-bit full fine-tuning on its benchmarks.",
        "source": "Dettmers et al. 2023, QLoRA: Efficient Finetuning of Quantized LLMs, arXiv 2305.14314 (comparison with 16-bit full fine-tuning); Rajbhandari et al. 2019, ZeRO, arXiv 1910.02054 (16 bytes per parameter for mixed-precision Adam); Hugging Face Transformers Trainer documentation",
    },
    {
        "id": "lora",
        "name": "LoRA (low-rank adaptation)",
        "summary": "Freezes the pretrained weights and trains small low-rank matrices added to selected layers (typically the attention and MLP projections). The paper reports up to 10,000x fewer trainable parameters and 3x less GPU memory than full fine-tuning of GPT-3 175B, with comparable quality; the adapter is a small file that can be merged or swapped.",
        "when_to_use": "The default for most instruction, classification, extraction and style tasks when the model's 16-bit weights fit in GPU memory; also when you want several task adapters on one base model.",
        "source": "Hu et al. 2021, LoRA: Low-Rank Adaptation of Large Language Models, arXiv 2106.09685",
    },
    {
        "id": "qlora",
        "name": "QLoRA (LoRA on a 4-bit base model)",
        "summary": "Loads the frozen base model in 4-bit NormalFloat (NF4) with double quantisation and trains LoRA adapters on top, using paged optimizers to absorb memory spikes. The paper fine-tunes a 65B model on a single 48 GB GPU while preserving 16-bit fine-tuning task performance; steps are slower than LoRA because weights are de-quantised on the fly.",
        "when_to_use": "When the model's 16-bit weights do not fit in GPU memory (for example a 7B-14B model on a 16-24 GB card, or 70B on one 48-80 GB card), or when memory matters more than training speed.",
        "source": "Dettmers et al. 2023, QLoRA: Efficient Finetuning of Quantized LLMs, arXiv 2305.14314",
    },
    {
        "id": "dpo",
        "name": "DPO (direct preference optimisation)",
        "summary": "Trains the model directly on preference pairs (a prompt with a chosen and a rejected answer) with a simple classification-style loss against a frozen reference model, with no separate reward model and no reinforcement-learning loop. The paper finds it matches or beats PPO-based RLHF on sentiment control, summarisation and single-turn dialogue while being simpler and more stable.",
        "when_to_use": "After supervised fine-tuning, when you have (or can collect) pairs of better and worse answers and want to steer tone, helpfulness, safety or format. It does not teach new knowledge; combine it with LoRA or QLoRA to save memory.",
        "source": "Rafailov et al. 2023, Direct Preference Optimization: Your Language Model is Secretly a Reward Model, arXiv 2305.18290",
    },
]


# --------------------------------------------------------------------------------------
def write(section: str, items: list[dict]) -> None:
    data = dict(HEADER)
    data[section] = items
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (OUT_DIR / f"{section}.json").write_text(text, encoding="utf-8")


def check() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from ftwizard.core.catalog import SECTIONS

    for section, model in SECTIONS.items():
        parsed = model.model_validate(
            json.loads((OUT_DIR / f"{section}.json").read_text(encoding="utf-8"))
        )
        print(f"{section}: {len(getattr(parsed, section))} entries valid")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument(
        "--check", action="store_true", help="validate the output with the pydantic schema"
    )
    args = ap.parse_args()
    with open(args.reference / "models_reference.csv", newline="", encoding="utf-8") as f:
        model_rows = list(csv.DictReader(f))
    with open(args.reference / "gpus_reference.csv", newline="", encoding="utf-8") as f:
        gpu_rows = list(csv.DictReader(f))
    models, dropped = build_models(model_rows)
    gpus = build_gpus(gpu_rows)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write("licences", LICENCES)
    write("models", models)
    write("gpus", gpus)
    write("prices", PRICES)
    write("techniques", TECHNIQUES)
    print(
        f"models: {len(models)} of {len(model_rows)} rows; gpus: {len(gpus)}; prices: {len(PRICES)}; licences: {len(LICENCES)}"
    )
    for d in dropped:
        print(f"dropped {d}")
    if args.check:
        check()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
