"""NEW_MODELS: the 2025-2026 open-weight models added on top of models_reference.csv.

Each vendor family's rows live in its own new_*.py module; this list fixes their order in
the catalog. Architecture comes from the vendor's config or code, or a marked copy of it;
params_b and active_params_b are computed by the estimator's own counter at build time,
and tests/test_catalog_models.py checks them against the vendor's stated totals within 1%.
"""

from __future__ import annotations

from .new_fully_open import APERTUS_8B, OLMO3_MODELS, SMOLLM3_3B
from .new_gemma4 import GEMMA4_MODELS
from .new_gpt_oss import GPT_OSS_MODELS
from .new_granite import GRANITE4_MODELS
from .new_llama4 import LLAMA4_SCOUT
from .new_mistral import MISTRAL_MODELS
from .new_qwen import QWEN_MODELS

NEW_MODELS: list[dict] = [
    *MISTRAL_MODELS,
    *OLMO3_MODELS,
    *GEMMA4_MODELS,
    *GPT_OSS_MODELS,
    LLAMA4_SCOUT,
    *QWEN_MODELS,
    APERTUS_8B,
    SMOLLM3_3B,
    *GRANITE4_MODELS,
]
