"""Start the training runner as a process of its own, and ask it to stop.

The runner runs in its own session (POSIX `setsid`; a new process group on Windows), with
stdout and stderr going to files in the run folder, so closing the window that started it
never stops it: watching a run is always tailing its folder (`runs.progress`), which is
the same for the window that launched it and for one that reattaches later. Stdlib only.
"""

from __future__ import annotations

import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ftwizard.base.errors import RunConfigError
from ftwizard.base.offline import child_env
from ftwizard.runs.config import RunConfig, write_run_config
from ftwizard.runs.history import (
    RUN_CONFIG,
    RUNNER_STDERR,
    RUNNER_STDOUT,
    LaunchRecord,
    write_launch_record,
)
from ftwizard.runs.outdir import check_output_folder

# Launched processes not yet reaped: a finished child stays a zombie until polled.
_CHILDREN: list[subprocess.Popen] = []


@dataclass
class LaunchedRun:
    run_dir: Path
    pid: int
    process: subprocess.Popen | None = None

    def exit_code(self) -> int | None:
        """The runner's exit code once it has ended (only in the process that launched it)."""
        return None if self.process is None else self.process.poll()


def _private_file(path: Path) -> int:
    """An output file created 0600 (and emptied), opened for the child to inherit."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)


def runner_argv(python: str, cfg_path: Path | str, nproc: int = 1) -> list[str]:
    """The runner alone, or `nproc` runners under torchrun on this machine (its own rendezvous)."""
    if nproc < 1:
        raise RunConfigError(f"processes {nproc}: a run needs at least 1")
    if nproc == 1:
        return [python, "-m", "ftwizard.train", str(cfg_path)]
    return [python, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(nproc),
            "-m", "ftwizard.train", str(cfg_path)]


def launch_runner(cfg: RunConfig, *, resume: bool = False, python: str | None = None) -> LaunchedRun:
    """Write `cfg` to `output_dir/run_config.json` and start `python -m ftwizard.train` on it
    (`cfg.processes` of them under torchrun for a multi-GPU plan).

    Raises RunConfigError when the run folder cannot be made or the interpreter cannot start.
    """
    run_dir = Path(cfg.output_dir)
    check_output_folder(run_dir, resume or cfg.resume)  # nobody's files are trained over
    try:
        run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # user data, as the runner makes it
        config_path = run_dir / RUN_CONFIG
        write_run_config(config_path, cfg.model_copy(update={"resume": resume or cfg.resume}))
        out, err = _private_file(run_dir / RUNNER_STDOUT), _private_file(run_dir / RUNNER_STDERR)
    except OSError as exc:
        raise RunConfigError(f"{run_dir}: cannot prepare the run folder ({exc.strerror})") from None
    python = python or sys.executable
    argv = runner_argv(python, config_path, cfg.processes) + (["--resume"] if resume else [])
    if os.name == "nt":  # CTRL_BREAK_EVENT reaches a process group of its own
        kw: dict = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
    else:
        kw = {"start_new_session": True}
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=run_dir,
                                close_fds=True, env=child_env(), **kw)
    except OSError as exc:
        raise RunConfigError(f"{python}: cannot start the training runner ({exc.strerror})") from None
    finally:
        os.close(out)
        os.close(err)
    _CHILDREN.append(proc)
    try:
        write_launch_record(run_dir, LaunchRecord(pid=proc.pid, host=platform.node(), started_at=time.time(),
                                                  python=python, resume=resume))
    except Exception:  # noqa: BLE001 - the record only helps a reattach in the first second
        pass
    return LaunchedRun(run_dir=run_dir, pid=proc.pid, process=proc)


def reap() -> None:
    """Collect launched runners that have ended (their exit codes stay on the Popen)."""
    _CHILDREN[:] = [p for p in _CHILDREN if p.poll() is None]


def request_cancel(pid: int) -> bool:
    """Ask the runner to stop: it finishes its step, saves a checkpoint and exits (code 3).
    False when the process is already gone."""
    sig = signal.CTRL_BREAK_EVENT if os.name == "nt" else signal.SIGINT  # type: ignore[attr-defined]
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError, OSError):
        return False
    return True
