"""Atomic checkpoints: a checkpoint is written into `checkpoint-N.tmp/`, every file is synced,
a `COMPLETE.json` listing each file with its size and SHA-256 is written last, then the folder
is renamed to `checkpoint-N/`. A process killed half-way leaves only a `.tmp` folder, which
resume skips (and removes); a folder whose files do not match its sizes is skipped too, and
resume verifies the SHA-256 of each file before it loads one (`damaged_file`), falling back
to the previous complete checkpoint when a file was damaged after it was sealed.
"""

from __future__ import annotations

import hashlib
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


def fresh_folder(tmp: Path) -> None:
    """An empty `checkpoint-N.tmp` (a leftover one from a killed attempt is removed)."""
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)


def save_checkpoint(
    run_dir: Path,
    step: int,
    write: Callable[[Path], None],
    before_seal: Callable[[], None] | None = None,
    prewritten: bool = False,
) -> Path:
    """Write a checkpoint for `step` with `write(folder)`; return the final folder.

    `before_seal` runs after the files are written and before the COMPLETE marker (the
    test-only fault injector uses it). On OSError the partial folder is removed and the
    error propagates, leaving earlier checkpoints untouched. `prewritten`: the `.tmp`
    folder already holds files other processes wrote (a sharded checkpoint).
    """
    final = run_dir / f"checkpoint-{step}"
    tmp = run_dir / f"checkpoint-{step}.tmp"
    if not prewritten:
        fresh_folder(tmp)
    try:
        write(tmp)
        if before_seal is not None:
            before_seal()
        files = _files(tmp)
        for name in files:
            _fsync_path(tmp / name)
        sums = {name: sha256_file(tmp / name) for name in files}
        marker = tmp / COMPLETE
        with open(marker, "w", encoding="utf-8") as fh:
            json.dump({"step": step, "files": files, "sha256": sums}, fh, indent=1)
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


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def damaged_file(folder: Path) -> str | None:
    """The first file whose content no longer matches the SHA-256 recorded when the checkpoint
    was sealed (None when all match; checkpoints from before digests were kept pass on size)."""
    try:
        sums = json.loads((folder / COMPLETE).read_text(encoding="utf-8")).get("sha256") or {}
    except (OSError, ValueError, AttributeError):
        return COMPLETE
    for name, want in sorted(sums.items()):
        try:
            if sha256_file(folder / name) != want:
                return name
        except OSError:
            return name
    return None


class DamagedCheckpoint(Exception):
    """A checkpoint file that cannot be trusted: `str()` names the file and why."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path = path


def load_torch_file(path: Path):
    """A torch checkpoint file with safe loading only (tensors, numbers, plain containers).
    A damaged file raises DamagedCheckpoint naming it; torch's own advice (to turn safe
    loading off) is never passed on."""
    import pickle

    import torch

    try:
        return torch.load(path, weights_only=True, map_location="cpu")
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "weights_only" in first or "WeightsUnpickler" in first:
            first = "not a file of tensors this program wrote"
        raise DamagedCheckpoint(path, f"cannot be read ({type(exc).__name__}: {first[:120]})") from None


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
