"""The small interface every detection backend shares, and the one way commands are run.

A backend has a `name` and `probe(runner, timeout_s) -> list[GpuInfo]`; it raises
`ProbeError` (or a subclass) with a one-line reason when it cannot answer. All external
commands go through a `Runner`, so tests inject recorded outputs and a hung driver tool
cannot freeze the caller.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ftwizard.base.offline import child_env
from ftwizard.hardware.profile import GpuInfo


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


class ProbeError(Exception):
    """A backend could not answer; str(exc) is the one-line reason shown to the user."""

    status = "failed"


class ToolMissing(ProbeError):
    """The tool or library is not installed: a normal answer on machines without that vendor."""

    status = "not_available"


class ProbeTimeout(ProbeError):
    status = "timed_out"


Runner = Callable[[Sequence[str], float], CommandResult]


class Backend(Protocol):
    name: str

    def probe(self, runner: Runner, timeout_s: float) -> list[GpuInfo]: ...


# How long to wait for a killed tool to exit before leaving it behind (a process stuck in
# the kernel, e.g. nvidia-smi on a wedged driver, ignores SIGKILL until the driver returns).
_REAP_S = 0.5


def run_command(argv: Sequence[str], timeout_s: float) -> CommandResult:
    """Run a tool with a hard timeout; never waits on a tool that will not die.

    Raises ToolMissing if it is not on PATH, ProbeTimeout if it runs past `timeout_s`.
    """
    argv = tuple(argv)
    exe = shutil.which(argv[0])
    if exe is None:
        raise ToolMissing(f"{argv[0]} not found on PATH")
    env = child_env(LC_ALL="C", LANG="C")  # numbers and headers in one locale; offline
    try:
        proc = subprocess.Popen(
            (exe, *argv[1:]),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            env=env,
            start_new_session=os.name == "posix",  # so the whole group can be killed
        )
    except OSError as exc:
        raise ProbeError(f"{argv[0]} could not start ({exc.strerror})") from None
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ProbeTimeout(f"{argv[0]} did not answer within {timeout_s:g} s (stopped)") from None
    return CommandResult(argv, proc.returncode, out, err)


def _kill(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=_REAP_S)
    except subprocess.TimeoutExpired:
        pass  # left behind on purpose: waiting could hang the caller
    for stream in (proc.stdout, proc.stderr):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


def checked(runner: Runner, argv: Sequence[str], timeout_s: float) -> str:
    """Run and return stdout; a non-zero exit becomes a ProbeError with the tool's own words."""
    res = runner(argv, timeout_s)
    if res.returncode != 0:
        words = (res.stderr.strip() or res.stdout.strip() or "no output").splitlines()
        raise ProbeError(f"{argv[0]} exited with {res.returncode}: {words[0][:200] if words else ''}")
    return res.stdout


def gib(n_bytes: float) -> float:
    return n_bytes / 2**30


def mib_to_gib(n_mib: float) -> float:
    return n_mib / 1024
