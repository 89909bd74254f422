"""Reading and writing the JSON files every persisted format uses.

Errors name the file, the line (for syntax errors) or the JSON path (for schema errors)
and the reason, in one line. Writes are atomic: a temp file in the same folder, fsync,
then rename, so a crash or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ftwizard.base.errors import FtwizardError

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


class _BadNumber(ValueError):
    """A number no format of ours can hold: NaN, Infinity, 1e400, or thousands of digits."""


def _parse_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a number")


def _parse_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _BadNumber(f"number {token[:40]} is out of range")
    return value


def _parse_int(token: str) -> int:
    digits = len(token.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _BadNumber(f"integer with {digits} digits is out of range")
    return int(token)


MAX_INT_DIGITS = 300  # more than any count or size we store; Python itself stops at 4,300
# A JSON string (skipped whole, so digits inside text never match) or a number / constant.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?', re.S)


def _bad_number_at(text: str) -> tuple[int, str] | None:
    """Where the first number `loads` refuses is, and why (only on the error path)."""
    for m in _TOKEN.finditer(text):
        token = m.group()
        if token.startswith('"'):
            continue
        try:
            if token.lstrip("-") in ("Infinity", "NaN"):
                _parse_constant(token)
            elif any(c in token for c in ".eE"):
                _parse_float(token)
            else:
                _parse_int(token)
        except ValueError as exc:
            return m.start(), str(exc)
    return None


def loads(text: str | bytes) -> Any:
    """json.loads, strict about numbers: NaN, Infinity, a float beyond 1e308 or an integer of
    more than MAX_INT_DIGITS digits raise json.JSONDecodeError at the number's line and column,
    so every reader reports them as it reports a syntax error. Bytes must be UTF-8
    (UnicodeDecodeError otherwise). RecursionError on deep nesting, as json.loads."""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8")
    try:
        return json.loads(text, parse_constant=_parse_constant, parse_float=_parse_float, parse_int=_parse_int)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # _BadNumber, or int()'s own digit limit
        where = _bad_number_at(text)
        pos, reason = where if where is not None else (0, str(exc))
        raise json.JSONDecodeError(reason, text, pos) from None


def row_decoder() -> tuple[json.JSONDecoder, list[str]]:
    """A decoder for rows read one by one with raw_decode (a JSON array of dataset rows): the
    numbers `loads` refuses decode as None and their reasons go to the list, so the caller
    reports that row as bad and reads on."""
    bad: list[str] = []

    def noting(parse):
        def hook(token: str) -> Any:
            try:
                return parse(token)
            except ValueError as exc:
                bad.append(str(exc))
                return None
        return hook

    decoder = json.JSONDecoder(parse_constant=noting(_parse_constant), parse_float=noting(_parse_float),
                               parse_int=noting(_parse_int))
    return decoder, bad


# Byte-order marks of encodings other than UTF-8 (UTF-32 first: its LE mark starts like UTF-16's).
_OTHER_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
               (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def other_encoding(head: bytes) -> str | None:
    """'UTF-16' / 'UTF-32' when a file's first bytes say it is not UTF-8 text: their mark, or no
    mark but a NUL in every other byte ('x\\0' per ASCII character); else None."""
    name = next((name for mark, name in _OTHER_BOMS if head.startswith(mark)), None)
    if name is None and len(head) >= 4 and head.count(b"\x00") * 4 >= len(head):
        name = "UTF-16 or UTF-32"
    return name


def regular_file(path: Path, error: type[FtwizardError] = FtwizardError) -> os.stat_result:
    """stat() `path` and refuse anything but a regular file (a FIFO would block the read, a
    device like /dev/zero never end)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{path}: is a folder, expected a file")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{path}: not a regular file (a device, pipe or socket); give a file")
    return st


def read_json(path: Path, error: type[FtwizardError] = FtwizardError) -> Any:
    """Parse a JSON file, raising `error` with file and line on any problem."""
    regular_file(path, error)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")  # a BOM, as Windows editors write it, is fine
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, expected a JSON file") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except UnicodeDecodeError as exc:
        encoding = other_encoding(exc.object[:64])
        if encoding:
            raise error(f"{path}: line 1: the file is {encoding} text; save it as UTF-8") from None
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        encoding = other_encoding(text[:64].encode("utf-8", "surrogatepass")) if "\x00" in text[:8] else None
        if encoding:  # UTF-16 without a mark: ASCII decodes as UTF-8 with a NUL after each character
            raise error(f"{path}: line 1: the file is {encoding} text; save it as UTF-8") from None
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


def set_aside(path: Path) -> str:
    """Move an unreadable state file out of the way, whole, beside itself
    (NAME.corrupt-YYYYmmdd-HHMMSS.SUFFIX), and say where, for the notice."""
    import datetime as dt

    path = Path(path)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        return f"It could not be moved aside ({exc.strerror}); it will be overwritten."
    return f"It was moved to {aside}."


def atomic_write_bytes(path: Path, data: bytes, private: bool = False) -> None:
    """Write `data` to `path` atomically. `private` makes the file 0600 on POSIX; otherwise it
    is created 0666 less the user's umask, by the kernel (the process umask is never touched:
    reading it means setting it, which races with other threads creating files)."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FtwizardError(f"{path}: folder {folder} does not exist")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    mode = 0o600 if private else 0o666
    for _ in range(100):
        tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, flags, mode)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise FtwizardError(f"{path}: cannot write in {folder} ({exc.strerror})") from None
    else:
        raise FtwizardError(f"{path}: cannot write in {folder} (no free temporary name)")
    try:
        with os.fdopen(fd, "wb") as fh:
            if private and os.name == "posix":
                os.fchmod(fh.fileno(), 0o600)  # whatever the umask
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
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
    """Write a pydantic model as indented JSON, atomically, after checking that the text reads
    back as the same model: a value JSON cannot carry (infinity becomes null) fails here,
    naming the file and field, instead of leaving a file the program then refuses."""
    text = obj.model_dump_json(indent=2) + "\n"
    try:
        type(obj).model_validate(loads(text))
    except ValidationError as exc:
        raise FtwizardError(
            f"not written: {describe_validation_error(str(path), exc)}".replace("\n", "\n  ")
        ) from None
    except (ValueError, RecursionError) as exc:
        raise FtwizardError(f"not written: {path}: {exc}") from None
    atomic_write_text(path, text, private=private)
