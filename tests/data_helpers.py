"""Small builders for dataset tests: real files in tmp folders, a tiny local tokenizer."""

from __future__ import annotations

import json
from pathlib import Path


def chat(user: str, assistant: str, system: str | None = None) -> dict:
    turns = [{"role": "system", "content": system}] if system else []
    turns += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return {"messages": turns}


def write_jsonl(path: Path, rows: list) -> Path:
    """Rows are dicts (dumped as JSON) or str (written verbatim, for broken lines)."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_model_dir(folder: Path, words: list[str], context_tokens: int = 64) -> Path:
    """A model folder with a word-level tokenizer.json (one token per known word, [UNK] else)
    and a config.json giving the context window: enough for exact token-count assertions."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {"[UNK]": 0} | {w: i + 1 for i, w in enumerate(words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "config.json").write_text(
        json.dumps({"model_type": "llama", "max_position_embeddings": context_tokens}), encoding="utf-8"
    )
    return folder
