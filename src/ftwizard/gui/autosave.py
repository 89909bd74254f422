"""The answers autosaved after each page, so a crash never loses what the user typed.

`peek()` uses only the stdlib so the first page can offer "resume" before pydantic loads;
`load()` validates fully. A file that cannot be read is moved aside, never deleted, and
start-up goes on with a message.
"""

from __future__ import annotations

import json
from pathlib import Path

from ftwizard.base.paths import data_dir

FILE_NAME = "autosave.json"


def autosave_path() -> Path:
    return data_dir() / FILE_NAME


class Peek:
    """What the welcome page needs to know, read without validation (a plain class: the
    dataclasses import alone costs start-up time)."""

    __slots__ = ("exists", "crashed", "saved_at", "page")

    def __init__(self, exists: bool, crashed: bool = False, saved_at: str | None = None,
                 page: str | None = None) -> None:
        self.exists, self.crashed, self.saved_at, self.page = exists, crashed, saved_at, page


def peek(path: Path | None = None) -> Peek:
    path = path or autosave_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Peek(exists=False)
    except (OSError, ValueError, RecursionError):  # deep nesting: json recurses
        return Peek(exists=True)  # load() will move it aside and say why
    if not isinstance(data, dict):
        return Peek(exists=True)
    saved = data.get("saved_at")
    return Peek(
        exists=True,
        crashed=data.get("clean_exit") is False,
        saved_at=saved if isinstance(saved, str) else None,
        page=data.get("page") if isinstance(data.get("page"), str) else None,
    )


def load(path: Path | None = None):  # -> tuple[Autosave | None, str | None]
    """(autosave, notice). A broken file is moved aside; the notice says where and why."""
    from ftwizard.base.errors import AnswersError
    from ftwizard.base.jsonio import load_model
    from ftwizard.recommend.wizard_state import Autosave

    path = path or autosave_path()
    if not path.exists():
        return None, None
    try:
        return load_model(Autosave, path, AnswersError), None
    except AnswersError as exc:
        reason = str(exc).splitlines()[0]
    from ftwizard.base.jsonio import set_aside

    return None, f"The autosaved session could not be read and was set aside. {reason}. {set_aside(path)}"


def save(
    answers, page: str, *, clean_exit: bool = False, path: Path | None = None, lock_timeout_s: float = 2.0
) -> Path:
    """Write the answers atomically, readable by the user only (0600).

    The first save takes the autosave's lock and keeps it for the session (the OS drops it
    at exit): a second window's saves raise LockedError naming the holder instead of
    overwriting this session's answers.
    """
    import datetime as dt

    from ftwizard.base.jsonio import write_model
    from ftwizard.recommend.wizard_state import Autosave

    path = path or autosave_path()
    record = Autosave(
        saved_at=dt.datetime.now().replace(microsecond=0),
        page=page,
        clean_exit=clean_exit,
        answers=answers,
    )
    _hold_session_lock(path, lock_timeout_s)
    write_model(path, record, private=True)
    return path



_SESSION_LOCKS: dict[str, object] = {}  # autosave path -> its HeldLock, for the session


def _hold_session_lock(path: Path, timeout_s: float) -> None:
    key = str(path.resolve())
    if key in _SESSION_LOCKS:
        return
    from ftwizard.base.locks import acquire

    _SESSION_LOCKS[key] = acquire(path, timeout_s)  # LockedError when another window holds it


def release_session_lock(path: Path | None = None) -> None:
    """Let another window autosave (the program's exit does the same)."""
    held = _SESSION_LOCKS.pop(str((path or autosave_path()).resolve()), None)
    if held is not None:
        held.release()
