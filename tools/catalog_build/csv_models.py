"""Model rows from models_reference.csv (rules in tools/build_catalog.py's docstring)."""

from __future__ import annotations

import re
from typing import Any

from .licences import LICENCE_MAP
from .parsing import (
    claimed_language_count,
    first_int_strict,
    first_number,
    is_bare,
    parse_benchmarks,
    parse_bool,
    parse_context,
    parse_languages,
    parse_repos,
)
from .row_tables import (
    ARCH_INT,
    EXTRA_NOTES,
    INSTRUCT_ONLY,
    LANG_SOURCES,
    MODEL_META,
    POST_TRAINED,
    SEED_CLAIMS,
)


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


