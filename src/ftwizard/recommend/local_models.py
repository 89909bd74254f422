"""A model folder on this machine as a catalog candidate (`ftwizard plan --model-dir DIR`,
the wizard's "Add model folder...").

Offline and without torch: the architecture comes from the folder's config.json (the
estimator's own reader, so MoE, shared experts and Mamba-2 / gated delta-net hybrids are
counted as for catalog rows); the licence from its LICENSE file or the model card's
`license:` front matter; languages from the card's `language:` list. A licence that is not
recognised is shown as unknown and counts as *not* allowing commercial use until the user
confirms one (`--confirm-licence ID=LICENCE`), so an unlabelled folder never slips into a
commercial plan. Nothing in the folder is executed; custom code and pickle weights are only
noted.
"""

from __future__ import annotations

import re
from pathlib import Path

from ftwizard.base.errors import CatalogError, EstimateError, RunConfigError
from ftwizard.catalog.entries import Licence, ModelEntry
from ftwizard.catalog.model_folder import check_model_folder
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.arch import active_params, shapes
from ftwizard.estimate.arch_config import architecture_from_config

UNKNOWN_LICENCE = Licence(
    id="unknown-local",
    name="Unknown licence (local model folder)",
    commercial_use=False,
    terms_read_in_full=False,
    summary=(
        "The folder's LICENSE file and model card name no licence ftwizard recognises. It is treated "
        "as not allowing commercial use until you confirm the licence (--confirm-licence MODEL=LICENCE, "
        "or in the wizard); read the terms that came with the weights."
    ),
    source="the model folder (no recognised LICENSE file or card front matter)",
    source_kind="third_party",
)

LICENCE_FILES = ("LICENSE", "LICENSE.txt", "LICENSE.md", "LICENCE", "LICENCE.txt", "LICENCE.md", "license.txt")
CARD_FILES = ("README.md", "MODEL_CARD.md")

# Card front matter `license:` values (Hugging Face licence ids) -> catalog licence ids.
CARD_LICENCE_IDS = {
    "apache-2.0": "apache-2.0",
    "mit": "mit",
    "llama2": "llama-2",
    "llama3": "llama-3",
    "llama3.1": "llama-3.1",
    "llama3.2": "llama-3.2",
    "llama3.3": "llama-3.3",
    "llama4": "llama-4",
    "gemma": "gemma",
    "tongyi-qianwen": "tongyi-qianwen",
    "qwen": "qwen",
    "qwen-research": "qwen-research",
    "mrl": "mistral-research",
    "falcon-llm-license": "falcon-llm",
    "cc-by-nc-4.0": "cc-by-nc-4.0",
}
# Phrases of licence texts, most specific first -> catalog licence ids.
LICENCE_TEXT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"LLAMA 4 COMMUNITY LICENSE", "llama-4"),
    (r"LLAMA 3\.3 COMMUNITY LICENSE", "llama-3.3"),
    (r"LLAMA 3\.2 COMMUNITY LICENSE", "llama-3.2"),
    (r"LLAMA 3\.1 COMMUNITY LICENSE", "llama-3.1"),
    (r"META LLAMA 3 COMMUNITY LICENSE", "llama-3"),
    (r"LLAMA 2 COMMUNITY LICENSE", "llama-2"),
    (r"Gemma Terms of Use", "gemma"),
    (r"Qwen RESEARCH LICENSE", "qwen-research"),
    (r"Tongyi Qianwen LICENSE", "tongyi-qianwen"),
    (r"Qwen LICENSE AGREEMENT", "qwen"),
    (r"Mistral AI Research License", "mistral-research"),
    (r"Falcon[- ]LLM License|TII Falcon License", "falcon-llm"),
    (r"TENCENT HUNYUAN COMMUNITY LICENSE", "tencent-hunyuan"),
    (r"EXAONE AI Model License Agreement", "exaone-nc"),
    (r"Attribution-NonCommercial 4\.0 International", "cc-by-nc-4.0"),
    (r"Apache License,?\s+Version 2\.0", "apache-2.0"),
    (r"Permission is hereby granted, free of charge, to any person obtaining a copy", "mit"),
)


def _front_matter(text: str) -> dict[str, object]:
    """The model card's YAML front matter, read for `license:` and `language:` only (no YAML
    library: a scalar or a '- item' list per key is all Hugging Face cards use there)."""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", text, re.S)
    if not m:
        return {}
    out: dict[str, object] = {}
    key = None
    for line in m.group(1).splitlines():
        item = re.match(r"\s*-\s*(.+?)\s*$", line)
        if item and key:
            val = out.setdefault(key, [])
            if isinstance(val, list):
                val.append(item.group(1).strip("'\""))
            continue
        kv = re.match(r"([A-Za-z_]+):\s*(.*?)\s*$", line)
        if kv:
            key = kv.group(1)
            value = kv.group(2).strip("'\"")
            out[key] = value if value else []
    return out


def detect_licence(folder: Path) -> tuple[str | None, str]:
    """(catalog licence id or None, where it was found) from LICENSE text or the card's front matter."""
    for name in LICENCE_FILES:
        p = folder / name
        if p.is_file():
            text = p.read_text(encoding="utf-8", errors="replace")[:20000]
            for pattern, lid in LICENCE_TEXT_PATTERNS:
                if re.search(pattern, text, re.I):
                    return lid, f"{p} ('{pattern.split('|')[0]}')"
    for name in CARD_FILES:
        p = folder / name
        if p.is_file():
            meta = _front_matter(p.read_text(encoding="utf-8", errors="replace")[:20000])
            value = meta.get("license")
            if isinstance(value, str) and value.lower() in CARD_LICENCE_IDS:
                return CARD_LICENCE_IDS[value.lower()], f"{p} (front matter license: {value})"
    return None, "no LICENSE file or card licence ftwizard recognises"


def card_languages(folder: Path) -> list[str]:
    for name in CARD_FILES:
        p = folder / name
        if p.is_file():
            value = _front_matter(p.read_text(encoding="utf-8", errors="replace")[:20000]).get("language")
            items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            return [x.lower() for x in items if isinstance(x, str) and re.fullmatch(r"[A-Za-z]{2}", x)]
    return []


def _slug(name: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-._")
    return (s or "model")[:60]


def model_from_folder(path: Path, licence_id: str | None = None, known_licences: set[str] | None = None) -> ModelEntry:
    """A ModelEntry for a local folder. `licence_id` is the user's confirmation, which wins
    over detection; without either the entry carries the 'unknown-local' licence."""
    path = Path(path).expanduser()
    try:
        folder = check_model_folder(path, trust_remote_code=True, allow_pickle_weights=True)
    except RunConfigError as exc:
        raise CatalogError(f"--model-dir: {exc}") from None
    try:
        arch = architecture_from_config(path)
    except EstimateError as exc:
        raise CatalogError(f"--model-dir: {exc}") from None
    detected, where = detect_licence(path)
    lid = licence_id or detected
    if lid and known_licences is not None and lid not in known_licences:
        raise CatalogError(f"--model-dir {path}: unknown licence '{lid}' (see `ftwizard catalog list --licences`)")
    s = shapes(arch)
    notes = [f"Local model folder {path}."]
    if folder.custom_code:
        notes.append(f"The folder ships its own Python code ({', '.join(folder.custom_code)}); training it needs trust_remote_code.")
    if folder.weights_format == "pickle":
        notes.append("Weights are pickle files; training them needs allow_pickle_weights.")
    if licence_id:
        notes.append(f"Licence confirmed by the user as '{licence_id}'" + (f" (detected: {detected})." if detected and detected != licence_id else "."))
    elif detected:
        notes.append(f"Licence detected from {where}.")
    else:
        notes.append("Licence unknown: excluded from commercial plans until you confirm it.")
    tok_cfg = path / "tokenizer_config.json"
    chat = (path / "chat_template.jinja").is_file() or (
        tok_cfg.is_file() and "chat_template" in tok_cfg.read_text(encoding="utf-8", errors="replace")
    )
    name = path.name or str(path)
    languages = card_languages(path)
    entry = {
        "id": "local-" + _slug(name),
        "name": f"{name} (local folder)",
        "family": "local",
        "hf_repo_id": "local/" + _slug(name),
        "params_b": round(s.total_params / 1e9, 3),
        "active_params_b": round(active_params(arch) / 1e9, 3) if arch.moe_experts else None,
        "architecture": arch.model_dump(),
        "context_tokens": arch.max_position_embeddings,
        "licences": [lid or UNKNOWN_LICENCE.id],
        "languages": languages,
        "languages_note": None if languages else "The model card states no languages.",
        "task_strengths": ["chat", "instruction"] if chat else [],
        "sources": {
            "architecture": str(path / "config.json"),
            "licence": where if not licence_id else f"confirmed by the user ({licence_id})",
            "languages": next((str(path / n) for n in CARD_FILES if (path / n).is_file()), None),
        },
        "confidence": "partial" if lid else "unconfirmed",
        "notes": " ".join(notes),
        "local_path": str(path.resolve()),
        "evidence": [
            {"fact": "architecture", "url": str(path / "config.json"), "kind": "measurement", "note": "read from the folder"},
        ],
    }
    return ModelEntry.model_validate(entry)


def parse_confirmations(items: list[str] | None) -> dict[str, str]:
    """--confirm-licence MODEL=LICENCE (MODEL = the local id, 'local-<folder>', or the folder name)."""
    out: dict[str, str] = {}
    for raw in items or []:
        if "=" not in raw:
            raise CatalogError(f"--confirm-licence: expected MODEL=LICENCE, got '{raw}'")
        model, lic = (x.strip() for x in raw.split("=", 1))
        if not model or not lic:
            raise CatalogError(f"--confirm-licence: expected MODEL=LICENCE, got '{raw}'")
        out[model.lower()] = lic
    return out


def with_local_models(catalog: Catalog, folders: list[str] | None, confirmations: dict[str, str] | None = None) -> Catalog:
    """The catalog plus one candidate per folder (ranked like the catalog's own models)."""
    if not folders:
        return catalog
    confirmations = confirmations or {}
    known = {x.id for x in catalog.licences}
    models = list(catalog.models)
    seen = {m.id for m in models}
    used = set()
    for raw in folders:
        path = Path(raw).expanduser()
        keys = {("local-" + _slug(path.name)), path.name.lower(), _slug(path.name)}
        confirmed = next((confirmations[k] for k in keys if k in confirmations), None)
        used |= {k for k in keys if k in confirmations}
        entry = model_from_folder(path, confirmed, known)
        if entry.id in seen:
            raise CatalogError(f"--model-dir {path}: two candidates would share the id '{entry.id}'; rename a folder")
        seen.add(entry.id)
        models.append(entry)
    unused = set(confirmations) - used
    if unused:
        raise CatalogError(f"--confirm-licence: no --model-dir folder named '{sorted(unused)[0]}'")
    licences = list(catalog.licences)
    if any(UNKNOWN_LICENCE.id in m.licences for m in models) and UNKNOWN_LICENCE.id not in known:
        licences.append(UNKNOWN_LICENCE)
    return Catalog(
        version=catalog.version,
        as_of=catalog.as_of,
        models=tuple(models),
        gpus=catalog.gpus,
        prices=catalog.prices,
        licences=tuple(licences),
        techniques=catalog.techniques,
        overlays=catalog.overlays,
    )
