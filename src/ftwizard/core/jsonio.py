"""Reading and writing the JSON files every persisted format uses.

Errors name the file, the line (for syntax errors) or the JSON path (for schema errors)
and the reason, in one line. Writes are atomic: a temp file in the same folder, fsync,
then rename, so a crash or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ftwizard.core.errors import FtwizardError

M = TypeVar("M", bound=BaseModel)


def json_path(loc: tuple[int | str, ...]) -> str:
    """Pydantic's error location as a JSON path: ('models', 3, 'licence') -> $.models[3].licence"""
    out = "$"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def describe_validation_error(source: str, exc: ValidationError) -> str:
    """One line per problem, the first of which is the headline: 'FILE: $.path: reason'."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        lines.append(f"{source}: {json_path(loc)}: {err['msg']}")
    return "\n".join(lines) if lines else f"{source}: {exc}"


def read_json(path: Path, error: type[FtwizardError] = FtwizardError) -> Any:
    """Parse a JSON file, raising `error` with file and line on any problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a BOM, as Windows editors write it, is fine
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected a JSON file") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None
    except RecursionError:
        raise error(f"{path}: JSON nested too deeply") from None


def load_model(
    model: type[M], path: Path, error: type[FtwizardError] = FtwizardError
) -> M:
    """Read `path` and validate it as `model`; any problem raises `error` naming file and field."""
    data = read_json(path, error)
    return validate_model(model, data, str(path), error)


def validate_model(
    model: type[M], data: Any, source: str, error: type[FtwizardError] = FtwizardError
) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(describe_validation_error(source, exc)) from None


def check_destination(path: Path, error: type[FtwizardError] = FtwizardError) -> None:
    """Fail before any work, with the reason, where a file cannot be written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise error(f"{path}: is a folder; give a file name")
    if not folder.is_dir():
        raise error(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise error(f"{path}: cannot write in {folder} (permission denied)")


def atomic_write_bytes(path: Path, data: bytes, private: bool = False) -> None:
    """Write `data` to `path` atomically. `private` makes the file 0600 on POSIX."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FtwizardError(f"{path}: folder {folder} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise FtwizardError(f"{path}: cannot write in {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if private and os.name == "posix":
            os.chmod(tmp, 0o600)
        elif os.name == "posix":
            # mkstemp creates 0600; ordinary outputs follow the user's umask.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise FtwizardError(f"{path}: cannot write ({exc.strerror})") from None


def atomic_write_text(path: Path, text: str, private: bool = False) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), private=private)


def write_model(path: Path, obj: BaseModel, private: bool = False) -> None:
    """Write a pydantic model as indented JSON, atomically."""
    atomic_write_text(path, obj.model_dump_json(indent=2) + "\n", private=private)
