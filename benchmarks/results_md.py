"""Appending one dated entry to a section of benchmarks/RESULTS.md: the one writer the
benchmarks share (each owns its `## ` section and adds an entry per --append run)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def append_entry(section: str, intro: str, head: str, rows: list[str], results: Path = RESULTS) -> None:
    """Add `head` and its indented `rows` at the end of `section`, creating the section
    (with `intro` under its title) and the file when missing."""
    block = "\n".join([head, *(f"  - {r}" for r in rows)]) + "\n"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    if section not in text:
        text = text.rstrip("\n") + f"\n\n{section}\n\n{intro}\n\n" + block
    else:
        start = text.index(section)
        nxt = text.find("\n## ", start + len(section))
        end = len(text) if nxt == -1 else nxt + 1
        text = text[:end].rstrip("\n") + "\n" + block + ("\n" + text[end:] if nxt != -1 else "")
    results.write_text(text, encoding="utf-8")
