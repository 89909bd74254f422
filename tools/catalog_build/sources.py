"""Per-fact evidence: classify each source string as vendor, paper or third-party.

A source is *vendor* when it is the publisher's own repository, card, blog, licence or
config; *paper* when it is the authors' paper; *third_party* otherwise (litgpt's config
table, Docker's model cards, mirrors). The classification is by the repository or host the
string names, listed below; anything not listed is third-party, so a new source is never
promoted to primary by accident.
"""

from __future__ import annotations

import re

READ_ON = "2026-12-05"  # the date the 2025-2026 additions and fixes were read
# The research notes and models_reference.csv record no retrieval date for their sources, so
# CSV-derived evidence carries none (read_on null) and says so rather than inventing one.
NO_READ_DATE = "via models_reference.csv; the reference data records no read date"

# Each publisher's own GitHub / Hugging Face organisations and web hosts (keyed like
# row_tables.FAMILY_VENDOR). A source counts as vendor only for that vendor's own models:
# Microsoft's Azure model catalogue is primary for Phi, not for Llama.
VENDORS: dict[str, tuple[set[str], tuple[str, ...]]] = {
    "meta": ({"meta-llama", "facebookresearch"}, ("llama.com", "ai.meta.com")),
    "mistral": ({"mistralai"}, ("mistral.ai",)),
    "microsoft": ({"microsoft", "Azure"}, ("microsoft.com", "azure.microsoft.com")),
    "qwen": ({"QwenLM", "Qwen"}, ("qwenlm.github.io", "qwen.ai")),
    "google": ({"google", "google-deepmind"}, ("ai.google.dev",)),
    "ai2": ({"allenai"}, ("allenai.org",)),
    "huggingface": ({"huggingface", "HuggingFaceTB"}, ("huggingface.co/blog",)),
    "deepseek": ({"deepseek-ai"}, ("deepseek.com",)),
    "tii": ({"tiiuae"}, ("falconllm.tii.ae", "tii.ae")),
    "openai": ({"openai"}, ("openai.com",)),
    "tinyllama": ({"jzhang38"}, ()),
    "ibm": ({"ibm-granite"}, ("ibm.com",)),
}
# Posts hosted by someone else but written by the vendor (front-matter authors all from the
# vendor's organisation): primary for that vendor's models.
VENDOR_AUTHORED = {
    "github.com/huggingface/blog:falcon3.md": "tii",  # 44 authors, all org tiiuae
}
# Licence stewards: their text is the primary source for the licence itself.
LICENCE_HOSTS = ("apache.org", "opensource.org")


def classify(source: str, vendor: str | None = None) -> str:
    """'vendor', 'paper' or 'third_party' for one source string about a `vendor` model."""
    s = source.strip()
    if vendor and any(s.startswith(k) and v == vendor for k, v in VENDOR_AUTHORED.items()):
        return "vendor"
    orgs, hosts = VENDORS.get(vendor or "", (set(), ()))
    org = _github_org(s)
    if org is not None:
        return "vendor" if org in orgs else "third_party"
    m = re.match(r"(?:https?://)?huggingface\.co/([\w.-]+)/", s)
    if m and m.group(1) != "blog":
        return "vendor" if m.group(1) in orgs else "third_party"
    if re.search(r"arxiv", s, re.I):
        return "paper"
    url = re.sub(r"^https?://(www\.)?", "", s)
    host = url.split("/")[0]
    if any(url.startswith(h) or host.endswith("." + h) for h in hosts + LICENCE_HOSTS):
        return "vendor"
    return "third_party"


def _github_org(s: str) -> str | None:
    m = re.match(r"(?:https?://)?github\.com/([\w.-]+)/", s)
    return m.group(1) if m else None


def split_sources(cell: str) -> list[str]:
    """A sources cell holds several references separated by ' | ' or '; '."""
    parts = re.split(r"\s+\|\s+|;\s+", cell)
    return [p.strip() for p in parts if p.strip()]


def evidence_from_sources(
    sources: dict[str, str | None], fixed: dict[str, list[dict]], vendor: str | None
) -> list[dict]:
    """SourceRef dicts for a CSV row: its sources cells classified, plus the fixes' evidence.

    Facts a fix re-sourced (`fixed`) replace the CSV's entries for that fact. The CSV rows
    carry no read date (the research notes do not record one), so read_on stays null."""
    out: list[dict] = []
    fact_of = {
        "architecture": "architecture",
        "licence": "licence",
        "languages": "languages",
        "benchmarks": "benchmarks",
        "release_date": "release_date",
    }
    for key, fact in fact_of.items():
        if fact in fixed:
            continue
        cell = sources.get(key)
        if not cell:
            continue
        for ref in split_sources(cell):
            kind = classify(ref, vendor)
            out.append({"fact": fact, "url": ref, "kind": kind, "read_on": None, "note": NO_READ_DATE})
    for refs in fixed.values():
        out.extend(refs)
    return out


def ev(fact: str, url: str, kind: str, note: str | None = None, read_on: str | None = READ_ON) -> dict:
    """One SourceRef dict (read on READ_ON unless said otherwise)."""
    return {"fact": fact, "url": url, "kind": kind, "read_on": read_on, "note": note}
