"""Dataset row formats: detect which one a file uses and turn each row into one canonical form.

The canonical form is what the inspector, the splitter and the training runner all consume:
`iter_examples(path)` yields `(line_no, Example)` for a usable row and `(line_no, RowProblem)`
for one that is not. The row types (`Example`, `Turn`, `RowProblem`) and their content keys
live in rows.py; this module holds the formats: their names and fields, detection, and the
per-format normalisers (with the inspector's fast path for plain chat rows).

Row problems say where (line, field as a JSON path) and why, never what the row contains:
reasons are written from fixed phrases and types, never from values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from operator import itemgetter
from typing import Any, Literal

from ftwizard.base.errors import DatasetError
from ftwizard.data.rows import ROLES, Example, ProblemKind, RowProblem, Turn

# The row formats we read. Values are what `--format` accepts.
DatasetFormat = Literal["messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference"]
FORMATS: tuple[str, ...] = (
    "messages",
    "sharegpt",
    "alpaca",
    "prompt_completion",
    "text",
    "preference",
)

# Canonical fields per format: what `--columns canonical=column` may rename.
FORMAT_FIELDS: dict[str, tuple[str, ...]] = {
    "messages": ("messages",),
    "sharegpt": ("conversations",),
    "alpaca": ("instruction", "input", "output", "system"),
    "prompt_completion": ("prompt", "completion", "system"),
    "text": ("text",),
    "preference": ("prompt", "chosen", "rejected", "system"),
}

# ShareGPT speaker names (the `from` field) to canonical roles.
SHAREGPT_ROLES: dict[str, str] = {
    "system": "system",
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "model": "assistant",
    "tool": "tool",
    "function": "tool",
    "observation": "tool",
    "function_call": "assistant",
}


# OpenAI-style roles; "developer" is the newer name OpenAI uses for the system turn.
MESSAGES_ROLES: dict[str, str] = {r: r for r in ROLES} | {"developer": "system"}


class _Bad(Exception):
    """Internal: the first problem found while normalising a row."""

    def __init__(self, field: str, kind: ProblemKind, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.kind = kind
        self.reason = reason


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "list",
        dict: "object",
    }.get(type(value), type(value).__name__)


# --- detection ---------------------------------------------------------------------------


def row_format(record: Mapping[str, Any]) -> str | None:
    """Which format one row looks like, from its keys alone; None when none fits."""
    if "messages" in record:
        return "messages"
    if "conversations" in record:
        return "sharegpt"
    if "chosen" in record and "rejected" in record:
        return "preference"
    if "instruction" in record and "output" in record:
        return "alpaca"
    if "prompt" in record and "completion" in record:
        return "prompt_completion"
    if "text" in record:
        return "text"
    return None


def vote_format(records: list[Mapping[str, Any]]) -> str | None:
    """The format most of the sample rows look like (ties: the first in FORMATS order)."""
    votes = Counter(f for f in (row_format(r) for r in records) if f is not None)
    if not votes:
        return None
    best = max(votes.values())
    return next(f for f in FORMATS if votes.get(f) == best)


def apply_columns(record: Mapping[str, Any], columns: Mapping[str, str] | None) -> Mapping[str, Any]:
    """Rename the user's columns to canonical field names (`{"prompt": "question"}`)."""
    if not columns:
        return record
    out = dict(record)
    for canonical, column in columns.items():
        if column in record:
            out[canonical] = record[column]
            if column != canonical and column not in columns:
                del out[column]
    return out


# --- normalisation -------------------------------------------------------------------------


def _text(record: Mapping[str, Any], key: str, required: bool = True) -> str:
    if key not in record or record[key] is None:
        if required:
            raise _Bad(f"$.{key}", ProblemKind.MISSING_FIELD, f"field '{key}' is missing")
        return ""
    value = record[key]
    if not isinstance(value, str):
        raise _Bad(f"$.{key}", ProblemKind.WRONG_TYPE, f"expected a string, got {_type_name(value)}")
    return value


def _nonempty(record: Mapping[str, Any], key: str) -> str:
    value = _text(record, key)
    if not value.strip():
        raise _Bad(f"$.{key}", ProblemKind.EMPTY_FIELD, f"field '{key}' is empty")
    return value


def _content(value: Any, path: str) -> str:
    """A turn's content: a string, or OpenAI-style content parts of type text."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, list):
        parts = []
        for i, part in enumerate(value):
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            else:
                raise _Bad(f"{path}[{i}]", ProblemKind.WRONG_TYPE, "only text content parts are supported")
        return "".join(parts)
    raise _Bad(path, ProblemKind.WRONG_TYPE, f"expected a string, got {_type_name(value)}")


def _maybe_json_list(value: Any) -> Any:
    """CSV cells hold conversations as JSON text; decode them, leave anything else alone."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        import json

        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


_MAY_BE_EMPTY = frozenset(("system", "tool"))  # an empty user or assistant turn is a problem


def _turns(
    value: Any, field: str, role_key: str, content_key: str, roles: Mapping[str, str] | None
) -> tuple[Turn, ...]:
    value = _maybe_json_list(value)
    if not isinstance(value, list):
        raise _Bad(f"$.{field}", ProblemKind.WRONG_TYPE, f"expected a list of turns, got {_type_name(value)}")
    if not value:
        raise _Bad(f"$.{field}", ProblemKind.EMPTY_FIELD, f"field '{field}' has no turns")
    out = []
    for i, turn in enumerate(value):
        # Fast path for the common well-formed turn; anything else gets the full checks below.
        if type(turn) is dict:
            raw_role, content = turn.get(role_key), turn.get(content_key)
            if type(raw_role) is str and type(content) is str:
                role = roles.get(raw_role.lower()) if roles else MESSAGES_ROLES.get(raw_role)
                if role is not None and (role in _MAY_BE_EMPTY or (content and not content.isspace())):
                    out.append(Turn(role, content))
                    continue
        path = f"$.{field}[{i}]"
        if not isinstance(turn, dict):
            raise _Bad(path, ProblemKind.WRONG_TYPE, f"expected an object, got {_type_name(turn)}")
        if role_key not in turn or turn[role_key] is None or turn[role_key] == "":
            raise _Bad(f"{path}.{role_key}", ProblemKind.MISSING_ROLE, "turn has no role")
        raw_role = turn[role_key]
        if not isinstance(raw_role, str):
            raise _Bad(f"{path}.{role_key}", ProblemKind.WRONG_TYPE, f"expected a string, got {_type_name(raw_role)}")
        role = roles.get(raw_role.lower(), "") if roles else MESSAGES_ROLES.get(raw_role, "")
        if role not in ROLES:
            known = ", ".join(sorted(roles or MESSAGES_ROLES))
            raise _Bad(f"{path}.{role_key}", ProblemKind.UNKNOWN_ROLE, f"role is not one of: {known}")
        if content_key not in turn:
            raise _Bad(f"{path}.{content_key}", ProblemKind.MISSING_FIELD, f"turn has no '{content_key}'")
        content = _content(turn[content_key], f"{path}.{content_key}")
        if role not in _MAY_BE_EMPTY and (not content or content.isspace()):
            raise _Bad(f"{path}.{content_key}", ProblemKind.EMPTY_TURN, f"{role} turn is empty")
        out.append(Turn(role, content))
    return tuple(out)


def _chat(turns: tuple[Turn, ...], field: str) -> Example:
    if not any(t.role == "assistant" for t in turns):
        raise _Bad(f"$.{field}", ProblemKind.NO_ASSISTANT_TURN, "conversation has no assistant turn")
    return Example("chat", turns=turns)


def _system(record: Mapping[str, Any]) -> tuple[Turn, ...]:
    system = _text(record, "system", required=False)
    return (Turn("system", system),) if system.strip() else ()


def _answer(record: Mapping[str, Any], key: str) -> str:
    """A preference answer: a string, or (TRL conversational style) a list of assistant turns."""
    value = record.get(key)
    if isinstance(value, list):
        turns = _turns(value, key, "role", "content", None)
        answer = "".join(t.content for t in turns if t.role == "assistant")
        if not answer.strip():
            raise _Bad(f"$.{key}", ProblemKind.EMPTY_TURN, f"'{key}' has no assistant text")
        return answer
    return _nonempty(record, key)


def _normalise(record: Any, fmt: str) -> Example:
    if not isinstance(record, dict):
        raise _Bad("$", ProblemKind.WRONG_TYPE, f"expected an object, got {_type_name(record)}")
    if fmt == "messages":
        if "messages" not in record:
            raise _Bad("$.messages", ProblemKind.MISSING_FIELD, "field 'messages' is missing")
        return _chat(_turns(record["messages"], "messages", "role", "content", None), "messages")
    if fmt == "sharegpt":
        if "conversations" not in record:
            raise _Bad("$.conversations", ProblemKind.MISSING_FIELD, "field 'conversations' is missing")
        turns = _turns(record["conversations"], "conversations", "from", "value", SHAREGPT_ROLES)
        if record.get("system") not in (None, "") and not any(t.role == "system" for t in turns):
            turns = _system(record) + turns
        return _chat(turns, "conversations")
    if fmt == "alpaca":
        instruction = _nonempty(record, "instruction")
        extra = _text(record, "input", required=False)
        output = _nonempty(record, "output")
        # Alpaca's own template puts the input after the instruction, separated by a blank line.
        user = f"{instruction}\n\n{extra}" if extra.strip() else instruction
        return Example("chat", turns=_system(record) + (Turn("user", user), Turn("assistant", output)))
    if fmt == "prompt_completion":
        prompt = _nonempty(record, "prompt")
        completion = _nonempty(record, "completion")
        return Example("chat", turns=_system(record) + (Turn("user", prompt), Turn("assistant", completion)))
    if fmt == "text":
        return Example("text", text=_nonempty(record, "text"))
    if fmt == "preference":
        if "prompt" not in record:
            raise _Bad("$.prompt", ProblemKind.MISSING_FIELD, "field 'prompt' is missing")
        if isinstance(record["prompt"], list):
            prompt = _turns(record["prompt"], "prompt", "role", "content", None)
        else:
            prompt = _system(record) + (Turn("user", _nonempty(record, "prompt")),)
        for key in ("chosen", "rejected"):
            if key not in record:
                raise _Bad(f"$.{key}", ProblemKind.MISSING_FIELD, f"field '{key}' is missing")
        return Example("preference", turns=prompt, chosen=_answer(record, "chosen"), rejected=_answer(record, "rejected"))
    raise DatasetError(f"unknown format '{fmt}'; known formats: {', '.join(FORMATS)}")


_DIRECT_ROLES = frozenset(ROLES)
_ROLE, _CONTENT = itemgetter("role"), itemgetter("content")


def fast_chat(record: Any, fmt: str) -> tuple[list[str], list[str], str] | None:
    """(roles, contents, contents joined by newlines) of a plainly well-formed messages or
    ShareGPT row, else None.

    The inspector's fast path: it accepts only rows `normalise` turns into a chat Example
    with exactly these turns, and leaves every other row (odd types, content parts, the
    'developer' role, an empty turn even where allowed, a separate system field, any
    problem) to `normalise`, so verdicts and messages are the same.
    """
    if type(record) is not dict:
        return None
    try:
        if fmt == "messages":
            turns = record["messages"]
            if type(turns) is not list or not turns:
                return None
            roles = list(map(_ROLE, turns))
            if not _DIRECT_ROLES.issuperset(roles):
                return None
            contents = list(map(_CONTENT, turns))
        elif fmt == "sharegpt":
            turns = record["conversations"]
            if type(turns) is not list or not turns or "system" in record:
                return None
            roles = [SHAREGPT_ROLES[t["from"].lower()] for t in turns]
            contents = [t["value"] for t in turns]
        else:
            return None
        joined = "\n".join(contents)  # TypeError unless every content is a string
    except (KeyError, TypeError, AttributeError):  # a turn that is no object, a role no string...
        return None
    if not all(contents) or any(map(str.isspace, contents)) or "assistant" not in roles:
        return None
    return roles, contents, joined


def normalise(record: Any, fmt: str, line: int = 0) -> Example | RowProblem:
    """One parsed row in the given format -> its canonical Example, or the first problem."""
    try:
        return _normalise(record, fmt)
    except _Bad as bad:
        return RowProblem(line, bad.field, bad.kind, bad.reason)


def check_format(fmt: str | None) -> str | None:
    if fmt is not None and fmt not in FORMATS:
        raise DatasetError(f"unknown format '{fmt}'; known formats: {', '.join(FORMATS)}")
    return fmt
