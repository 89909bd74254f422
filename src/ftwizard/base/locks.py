"""An advisory lock between ftwizard processes: two windows, or a window and a runner, never
write the same autosave or run folder at once.

    with exclusive_lock(run_dir, timeout_s=0):
        ...  # only this process writes in run_dir

    held = acquire(autosave_file)  # for a whole session; held.release() or process exit

The lock is `fcntl.flock` on POSIX and `msvcrt.locking` on Windows, taken on a lock file
beside the protected path (`lock_path`). The operating system drops it when the process
dies, so a crash never leaves a stale lock: a lock file left on disk is only a name. The
holder writes its pid, host and start time into the file so a refused process can say who
holds it. Within one process the lock is re-entrant (nested `with` blocks on one path).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ftwizard.base.errors import FtwizardError

LOCK_NAME = "ftwizard.lock"  # inside a folder
POLL_S = 0.05
# Windows byte-range locks are mandatory: lock a byte past the holder's note so others can read it.
_WIN_LOCK_OFFSET = 1 << 20


class LockedError(FtwizardError):
    """Another ftwizard process holds the lock on a file or folder."""


def lock_path(path: Path) -> Path:
    """The lock file for `path`: `FOLDER/ftwizard.lock` for a folder, `FILE.lock` beside a file."""
    path = Path(path)
    return path / LOCK_NAME if path.is_dir() else path.with_name(path.name + ".lock")


def holder(path: Path) -> dict | None:
    """What the lock file of `path` says about its last holder, or None (never raises)."""
    try:
        data = json.loads(lock_path(path).read_text(encoding="utf-8").strip("\0 \n") or "null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe(path: Path) -> str:
    who = holder(path)
    if not who:
        return "another ftwizard process"
    parts = [f"pid {who.get('pid', '?')}"]
    if who.get("host") and who.get("host") != platform.node():
        parts.append(f"on {who['host']}")
    if who.get("since"):
        parts.append(f"since {who['since']}")
    return f"another ftwizard process ({', '.join(parts)})"


if os.name == "nt":  # pragma: no cover - exercised on Windows CI only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WIN_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# Locks this process holds: lock file -> nesting depth (re-entrant within the process).
_HELD: dict[str, int] = {}
_HELD_GUARD = threading.Lock()


def _note(fd: int) -> None:
    """Write who holds the lock at the start of the file (the locked byte lies elsewhere)."""
    note = json.dumps({
        "pid": os.getpid(),
        "host": platform.node(),
        "since": dt.datetime.now().replace(microsecond=0).isoformat(),
    })
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, note.encode("utf-8") + b"\n")
    os.ftruncate(fd, len(note) + 1)


def _acquire(lock_file: Path, target: Path, timeout_s: float) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock_file, flags, 0o600)
    except OSError as exc:
        raise LockedError(f"{lock_file}: cannot create the lock file ({exc.strerror})") from None
    deadline = time.monotonic() + max(0.0, timeout_s)
    while True:
        if _try_lock(fd):
            try:
                _note(fd)
            except OSError:
                pass  # the lock holds even if the note cannot be written (full disk)
            return fd
        if time.monotonic() >= deadline:
            os.close(fd)
            waited = f" (waited {timeout_s:g} s)" if timeout_s > 0 else ""
            raise LockedError(
                f"{target}: in use by {_describe(target)}{waited}; close the other ftwizard "
                "window or run, or choose another folder"
            )
        time.sleep(POLL_S)


class HeldLock:
    """A lock this process holds until `release()` (or until it exits: the OS drops it)."""

    def __init__(self, lock_file: Path, key: str, fd: int | None) -> None:
        self.lock_file, self._key, self._fd = lock_file, key, fd
        self.released = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        with _HELD_GUARD:
            _HELD[self._key] -= 1
            last = _HELD[self._key] == 0
            if last:
                del _HELD[self._key]
        if last and self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)  # the holder's note goes with the lock
                _unlock(self._fd)
            except OSError:
                pass
            finally:
                os.close(self._fd)


def acquire(path: Path, timeout_s: float = 0.0) -> HeldLock:
    """Take the lock on `path` (a file or an existing folder) and keep it until released.

    Waits up to `timeout_s` seconds for another process to let go, then raises LockedError
    naming the path and the holder's pid.
    """
    target = Path(path)
    lock_file = lock_path(target)
    key = os.path.abspath(lock_file)
    with _HELD_GUARD:
        nested = key in _HELD
        if nested:
            _HELD[key] += 1
    if nested:
        return HeldLock(lock_file, key, None)
    fd = _acquire(lock_file, target, timeout_s)  # may wait: not under the guard
    with _HELD_GUARD:
        _HELD[key] = 1
    return HeldLock(lock_file, key, fd)


@contextmanager
def exclusive_lock(path: Path, timeout_s: float = 0.0) -> Iterator[Path]:
    """Hold the lock on `path` (a file or an existing folder) for the `with` block.

    Waits up to `timeout_s` seconds for another process to let go, then raises LockedError
    naming the path and the holder's pid. Yields the lock file's path.
    """
    held = acquire(path, timeout_s)
    try:
        yield held.lock_file
    finally:
        held.release()
