"""Hypothesis strategies for hostile files: mutations of a valid JSON document (keys dropped,
values of the wrong type, huge numbers, NaN and Infinity, deep nesting, unknown keys) and
of its bytes (truncated, BOM, invalid UTF-8, UTF-16, NUL, empty), plus the check every
loader must pass: it loads, or it raises the one error type with the file named."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

from ftwizard.base.errors import FtwizardError

# Every fuzz test: no deadline (2 shared cores), tmp_path reused across examples on purpose.
FUZZ = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz_settings(max_examples: int):
    """`FTWIZARD_FUZZ_SCALE=10` runs ten times the cases (a deep run; CI keeps the default)."""
    return settings(max_examples=max_examples * int(os.environ.get("FTWIZARD_FUZZ_SCALE", "1")), **FUZZ)


DEEP = "__DEEP_{}__"  # replaced by raw '[[[...]]]' after dumps (json.dumps itself would recurse)
HUGE_INT = "__HUGE_INT__"  # replaced by 5,000 digits after dumps (int -> str stops at 4,300 digits)
EDGE_NUMBERS = [0, -1, 2**31, 2**63, -(2**63) - 1, 10**30, 10**400, 1e308, -1e308, 5e-324,
                float("nan"), float("inf"), float("-inf"), HUGE_INT]
EDGE_STRINGS = ["", " ", "\x00", "..", "../../../etc/passwd", "/etc/passwd", "C:\\Windows\\win.ini",
                "a" * 20_000, "\ud800", "\u202e", "NaN", "null", "1e400", "٣"]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(EDGE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(EDGE_STRINGS),
    st.sampled_from([DEEP.format(50), DEEP.format(900), DEEP.format(5000)]),
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _parent(doc: Any, path: tuple) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutated(draw, valid: Any, max_ops: int = 3) -> Any:
    """`valid` with 0..max_ops edits at random places (0: the file may still be fine)."""
    doc = copy.deepcopy(valid)
    for _ in range(draw(st.integers(0, max_ops))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["drop", "replace", "replace", "add_key", "duplicate"]))
        if not path:
            if op == "replace":
                doc = draw(json_values)
            continue
        parent, key = _parent(doc, path), path[-1]
        if op == "drop":
            del parent[key]
        elif op == "replace":
            parent[key] = draw(json_values)
        elif op == "add_key" and isinstance(parent[key], dict):
            parent[key][draw(st.text(max_size=12))] = draw(json_values)
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return doc


def dumps(doc: Any, indent: int | None = None) -> str:
    text = json.dumps(doc, indent=indent)  # NaN / Infinity as Python writes them
    for n in (50, 900, 5000):
        text = text.replace(json.dumps(DEEP.format(n)), "[" * n + "]" * n)
    return text.replace(json.dumps(HUGE_INT), "9" * 5000)


@st.composite
def file_bytes(draw, doc: Any) -> bytes:
    """The document's bytes, sometimes damaged the way disks, editors and USB sticks do."""
    text = dumps(doc, indent=draw(st.sampled_from([None, 2])))
    raw = text.encode("utf-8", "surrogatepass")
    mode = draw(st.sampled_from(["plain"] * 6 + ["bom", "truncate", "bad_utf8", "utf16", "nul", "empty", "spaces"]))
    if mode == "bom":
        return b"\xef\xbb\xbf" + raw
    if mode == "truncate":
        return raw[: draw(st.integers(0, max(0, len(raw) - 1)))]
    if mode == "bad_utf8":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"])) + raw[at:]
    if mode == "utf16":
        return text.encode("utf-16", "surrogatepass")
    if mode == "nul":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + b"\x00" + raw[at:]
    if mode == "empty":
        return b""
    if mode == "spaces":
        return b"  \n\t "
    return raw


def hostile_file(valid: Any) -> st.SearchStrategy[bytes]:
    """Mutated documents, damaged bytes, or random JSON altogether."""
    return st.one_of(
        mutated(valid).flatmap(file_bytes),
        mutated(valid).flatmap(file_bytes),
        json_values.flatmap(file_bytes),
        st.binary(max_size=200),
    )


def loads_or_names_file(load: Callable[[Path], Any], path: Path, error: type[FtwizardError]) -> Any:
    """Run the loader: it returns, or raises `error` whose first line names the file."""
    try:
        result = load(path)
    except error as exc:
        first = str(exc).splitlines()[0] if str(exc) else ""
        assert str(path) in first, f"message does not name the file: {str(exc)[:300]!r}"
        event(f"refused: {first[len(str(path)):].split(':')[1].strip()[:40] if ':' in first[len(str(path)):] else 'other'}")
        return None
    event("loaded")
    return result


def fake_model_folder(root: Path) -> Path:
    """A model folder the pre-load checks accept (config, tokenizer, a safetensors header); it
    holds no tensor, so a run using it stops at loading, after the folder checks."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text(json.dumps({"model_type": "llama"}), encoding="utf-8")
    (root / "tokenizer.json").write_text("{}", encoding="utf-8")
    header = b'{"__metadata__": {"format": "pt"}}'  # a valid safetensors file with no tensor in it
    (root / "model.safetensors").write_bytes(len(header).to_bytes(8, "little") + header)
    return root
