"""Atomic checkpoints: a checkpoint is written into `checkpoint-N.tmp/`, every file is synced,
a `COMPLETE.json` listing each file and its size is written last, then the folder is renamed
to `checkpoint-N/`. A process killed half-way leaves only a `.tmp` folder, which resume
skips (and removes); a folder whose files do not match its list is skipped too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

COMPLETE = "COMPLETE.json"
_NAME = re.compile(r"^checkpoint-(\d+)$")


def _fsync_path(path: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return  # Windows cannot open folders; its rename is durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _files(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != COMPLETE
    }


def save_checkpoint(
    run_dir: Path,
    step: int,
    write: Callable[[Path], None],
    before_seal: Callable[[], None] | None = None,
) -> Path:
    """Write a checkpoint for `step` with `write(folder)`; return the final folder.

    `before_seal` runs after the files are written and before the COMPLETE marker (the
    test-only fault injector uses it). On OSError the partial folder is removed and the
    error propagates, leaving earlier checkpoints untouched.
    """
    final = run_dir / f"checkpoint-{step}"
    tmp = run_dir / f"checkpoint-{step}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        write(tmp)
        if before_seal is not None:
            before_seal()
        files = _files(tmp)
        for name in files:
            _fsync_path(tmp / name)
        marker = tmp / COMPLETE
        with open(marker, "w", encoding="utf-8") as fh:
            json.dump({"step": step, "files": files}, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_path(tmp)
        if final.exists():  # the same step saved again (e.g. cancel right after a periodic save)
            old = run_dir / f"checkpoint-{step}.old"
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
        _fsync_path(run_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def is_complete(folder: Path) -> bool:
    """The marker exists and every listed file is there with its recorded size."""
    try:
        listed = json.loads((folder / COMPLETE).read_text(encoding="utf-8"))["files"]
        return all((folder / name).stat().st_size == size for name, size in listed.items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def checkpoints(run_dir: Path) -> list[tuple[int, Path]]:
    """Complete checkpoints, oldest first."""
    found = []
    if run_dir.is_dir():
        for p in run_dir.iterdir():
            m = _NAME.match(p.name)
            if m and p.is_dir() and is_complete(p):
                found.append((int(m.group(1)), p))
    return sorted(found)


def latest_checkpoint(run_dir: Path) -> Path | None:
    done = checkpoints(run_dir)
    return done[-1][1] if done else None


def incomplete_checkpoints(run_dir: Path) -> list[Path]:
    """Half-written (`.tmp`, `.old`) or damaged checkpoint folders."""
    if not run_dir.is_dir():
        return []
    out = []
    for p in sorted(run_dir.iterdir()):
        if not p.is_dir() or not p.name.startswith("checkpoint-"):
            continue
        if p.name.endswith((".tmp", ".old")) or (_NAME.match(p.name) and not is_complete(p)):
            out.append(p)
    return out


def remove_incomplete(run_dir: Path) -> list[Path]:
    """Remove half-written folders (`.tmp`, `.old`); damaged named ones are only skipped."""
    gone = [p for p in incomplete_checkpoints(run_dir) if p.name.endswith((".tmp", ".old"))]
    for p in gone:
        shutil.rmtree(p, ignore_errors=True)
    return gone


def prune(run_dir: Path, keep: int) -> None:
    """Keep the newest `keep` complete checkpoints."""
    for _, p in checkpoints(run_dir)[:-keep]:
        shutil.rmtree(p, ignore_errors=True)


def folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
