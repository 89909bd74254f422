"""Canonical rows: what every dataset format is normalised into (formats.py) and what the
inspector, the splitter and the training runner consume.

An `Example` is a conversation (a tuple of `Turn(role, content)`), a plain text, or a
preference pair (prompt turns, chosen answer, rejected answer); a `RowProblem` says where
(line, field as a JSON path) and why a row is unusable, never what it contains. Also here:
the content keys that find duplicates (`fingerprint`, stable; `run_key`, per process) and
their shortcuts for chat rows held as roles and contents.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from typing import Any, Literal, NamedTuple

ExampleKind = Literal["chat", "text", "preference"]
Role = Literal["system", "user", "assistant", "tool"]
ROLES: frozenset[str] = frozenset(("system", "user", "assistant", "tool"))


class ProblemKind(StrEnum):
    """Why a row cannot be used. One problem is reported per row: the first one found."""

    BAD_JSON = "bad_json"
    BAD_ENCODING = "bad_encoding"
    BAD_CSV = "bad_csv"
    WRONG_TYPE = "wrong_type"
    MISSING_FIELD = "missing_field"
    MISSING_ROLE = "missing_role"
    UNKNOWN_ROLE = "unknown_role"
    EMPTY_TURN = "empty_turn"
    EMPTY_FIELD = "empty_field"
    NO_ASSISTANT_TURN = "no_assistant_turn"
    DUPLICATE = "duplicate"
    TOO_LONG = "too_long"


class Turn(NamedTuple):
    """One turn of a conversation (a named tuple: cheap to build a million of)."""

    role: str  # one of ROLES
    content: str


@dataclass(frozen=True, slots=True)
class Example:
    """One usable row in canonical form.

    kind "chat": `turns` is the whole conversation.
    kind "text": `text` is the document (language-model style training).
    kind "preference": `turns` is the prompt (system/user turns), `chosen` and `rejected` the
    two assistant answers.
    """

    kind: ExampleKind
    turns: tuple[Turn, ...] = ()
    text: str = ""
    chosen: str = ""
    rejected: str = ""

    def texts(self) -> list[str]:
        """Every piece of text in the row (for token counting and the personal-data scan)."""
        if self.kind == "text":
            return [self.text]
        out = [t.content for t in self.turns]
        if self.kind == "preference":
            out += [self.chosen, self.rejected]
        return out

    def fingerprint(self) -> int:
        """A 60-bit content hash: same conversation, same number, however the JSON was spelled.

        60 bits keep a CPython int at 32 bytes (two 30-bit digits); at a million rows the
        chance of any false duplicate is about n^2 / 2^61, i.e. under one in a million.
        """
        return fingerprint(self.kind, self._fingerprint_parts())

    def run_key(self) -> int:
        """A 64-bit content key for finding duplicates within one run: Python's own string
        hash (SipHash, computed in C), equal whenever fingerprint() is. Unlike fingerprint()
        it changes between interpreter starts (hash randomisation): the inspector compares
        keys only among processes that share one start (this one and forked workers)."""
        if self.kind == "chat":
            return chat_run_key([t.role for t in self.turns], [t.content for t in self.turns])
        return hash((self.kind, tuple(self._fingerprint_parts()))) & _U64

    def _fingerprint_parts(self) -> Iterator[str]:
        if self.kind == "text":
            yield self.text
            return
        for t in self.turns:
            yield t.role
            yield t.content
        if self.kind == "preference":
            yield "chosen"
            yield self.chosen
            yield "rejected"
            yield self.rejected

    def to_dict(self) -> dict[str, Any]:
        """The canonical row as JSON-ready data (what a converted file would hold)."""
        if self.kind == "text":
            return {"text": self.text}
        turns = [{"role": t.role, "content": t.content} for t in self.turns]
        if self.kind == "chat":
            return {"messages": turns}
        return {"prompt": turns, "chosen": self.chosen, "rejected": self.rejected}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Where and why a row is unusable. `reason` never quotes the row's content."""

    line: int  # 1-based line of the row's start (row number for Parquet)
    field: str  # JSON path inside the row, "$" for the row itself
    kind: ProblemKind
    reason: str


def fingerprint(kind: str, pieces: Iterable[str]) -> int:
    """Example.fingerprint's formula, for callers that hold the pieces without an Example."""
    # Each piece carries its length: no content can imitate a boundary between two turns.
    parts = [kind]
    for piece in pieces:
        parts += (str(len(piece)), piece)
    blob = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(blob, digest_size=8).digest(), "little") >> 4


_U64 = (1 << 64) - 1


def chat_run_key(roles: list[str], contents: list[str]) -> int:
    """Example("chat", turns).run_key() from the roles and contents alone."""
    return hash(("chat", tuple(roles), tuple(contents))) & _U64


def chat_fingerprint(roles: list[str], contents: list[str]) -> int:
    """Example("chat", turns).fingerprint() from the roles and contents alone."""
    return fingerprint("chat", chain.from_iterable(zip(roles, contents, strict=True)))
