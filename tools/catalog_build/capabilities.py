"""Benchmark task kinds (BENCH_TASK_KINDS) and capability rules (capabilities_for):
code families, fill-in-the-middle models and the capabilities a family's vendor text states.
"""

from __future__ import annotations

from .model_sources import (
    DEEPSEEK_R1,
    GEMMA4_DOCS,
    GRANITE_README,
    PHI4_MINI_CARD,
    QWEN3_BLOG,
    SMOLLM3_BLOG,
)
from .sources import ev

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
