"""The run folder's two guards: never train over someone else's files, and name a full disk.

`check_output_folder` runs before anything is written to a run folder (the CLI, the GUI's
launcher and the runner call it): a folder that holds anything but a launcher's own files is
refused unless the run resumes, and a resume with no complete checkpoint left is refused when
the folder holds a finished run's outputs, which training again would replace.

`disk_full_reason` recognises a full disk however the library reports it: OSError ENOSPC or
EDQUOT, safetensors' SafetensorError ("... (os error 28)"), torch's zip writer
("[enforce fail at inline_container.cc] unexpected pos" / "PytorchStreamWriter failed
writing file"), anywhere in the exception chain. `check_free_space` is the check before a
checkpoint. Stdlib only.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
from pathlib import Path

from ftwizard.base.errors import RunConfigError

# Written by a launcher (CLI, GUI) or by the runner's first second: a folder holding only these
# has no result in it yet. Names as in runs.history and base.locks.
LAUNCHER_FILES = frozenset({
    "run_config.json", "launch.json", "plan.json", "runner.stdout.jsonl", "runner.stderr.log", "runner.log",
    "ftwizard.lock",
})
# A run's results: what a new run in the same folder would overwrite or append to.
RESULTS = ("manifest.json", "adapter", "model", "metrics.jsonl")
_CHECKPOINT = re.compile(r"^checkpoint-\d+(\.tmp|\.old)?$")
COMPLETE = "COMPLETE.json"  # as train.checkpoint writes it, last


def _has_complete_checkpoint(run_dir: Path) -> bool:
    return any(
        p.is_dir() and re.fullmatch(r"checkpoint-\d+", p.name) and (p / COMPLETE).is_file()
        for p in run_dir.iterdir()
    )


def check_output_folder(run_dir: Path | str, resume: bool) -> None:
    """Raise RunConfigError, naming the folder, what is in it and the way out, when a run into
    `run_dir` would overwrite files that are not this run's (or a finished run's results)."""
    run_dir = Path(run_dir)
    if not os.path.lexists(run_dir):
        return
    if not run_dir.is_dir():
        raise RunConfigError(f"{run_dir}: exists and is not a folder; choose a new output folder")
    try:
        entries = sorted(run_dir.iterdir())
    except OSError as exc:
        raise RunConfigError(f"{run_dir}: cannot list the output folder ({exc.strerror})") from None
    for entry in entries:  # a planted link would send a run's writes out of the folder
        if entry.is_symlink():
            raise RunConfigError(f"{entry}: a symbolic link in the run folder; outputs must stay in {run_dir}")
    names = [p.name for p in entries]
    results = [n for n in names if n in RESULTS or _CHECKPOINT.match(n)]
    foreign = [n for n in names if n not in LAUNCHER_FILES and n not in results]
    if not resume and (results or foreign):
        shown = ", ".join((results + foreign)[:5]) + (", ..." if len(results + foreign) > 5 else "")
        what = "an earlier run" if results and not foreign else "files that are not this run's"
        raise RunConfigError(
            f"{run_dir}: the output folder is not empty (it holds {what}: {shown}); "
            "continue that run with --resume, or choose a new output folder"
        )
    if resume:
        if foreign and not results:
            raise RunConfigError(
                f"{run_dir}: not a run folder (it holds {', '.join(foreign[:5])}); nothing to resume there, "
                "choose a new output folder"
            )
        finished = [n for n in results if n in ("manifest.json", "adapter", "model")]
        if finished and not _has_complete_checkpoint(run_dir):
            raise RunConfigError(
                f"{run_dir}: nothing to resume (no complete checkpoint) and the folder holds a finished run's "
                f"{', '.join(finished)}, which training again would replace; choose a new output folder"
            )


# --- a full disk, as the libraries report it ---------------------------------------------------

_DISK_FULL_TEXT = (
    re.compile(r"os error (28|122)\b"),  # Rust's io::Error (safetensors): ENOSPC, EDQUOT
    re.compile(r"no space left on device|disk quota exceeded", re.I),
    re.compile(r"inline_container\.cc.*unexpected pos", re.S),  # torch.save's zip writer, short write
    re.compile(r"PytorchStreamWriter failed writing file"),
)


def _chain(exc: BaseException):
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def disk_full_reason(exc: BaseException) -> str | None:
    """'the disk is full' (or the quota) when `exc`, or one it was raised from, says so; else None."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return "the disk is full" if e.errno == errno.ENOSPC else "the disk quota is used up"
        if isinstance(e, MemoryError | KeyboardInterrupt):
            return None
        text = str(e)
        if any(p.search(text) for p in _DISK_FULL_TEXT):
            return "the disk is full" if "122" not in text and "quota" not in text.lower() else "the disk quota is used up"
    return None


def disk_full_error(exc: BaseException, folder: Path | str) -> RunConfigError | None:
    """The one message a full disk gets: the folder, the free space, what to do; None when `exc`
    is not a full disk."""
    reason = disk_full_reason(exc)
    if reason is None:
        return None
    return RunConfigError(
        f"{folder}: cannot write: {reason} ({_free_text(folder)}); free some space or choose an output "
        "folder on another disk, then resume"
    )


def _free_text(folder: Path | str) -> str:
    try:
        free = shutil.disk_usage(_existing(Path(folder))).free
    except OSError:
        return "free space unknown"
    return f"{free / 2**20:,.0f} MiB free"


def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def check_free_space(folder: Path | str, need_bytes: int, margin: float = 1.1) -> None:
    """Raise RunConfigError naming `folder` when its disk has less than `need_bytes` x `margin`
    free (before writing a checkpoint the size of the previous one)."""
    try:
        free = shutil.disk_usage(_existing(Path(folder))).free
    except OSError:
        return  # cannot tell: let the write itself decide
    if free < need_bytes * margin:
        raise RunConfigError(
            f"{folder}: not enough free space for a checkpoint of {need_bytes / 2**20:,.0f} MiB "
            f"({free / 2**20:,.0f} MiB free); free some space or choose an output folder on another disk, "
            "then resume"
        )
