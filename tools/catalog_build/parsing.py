"""Cell parsers for models_reference.csv: benchmarks, languages, numbers, repos."""

from __future__ import annotations

import re

from .row_tables import (
    FAMILY_VENDOR,
    INSTRUCT_ONLY,
    SEGMENT_SOURCES,
    SKIP_SEGMENTS,
    SOURCE_SPLIT_EXCEPTIONS,
)

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


