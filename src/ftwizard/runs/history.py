"""Run folders as the run history sees them: is a run still going, how did it end, what did it
measure. Everything comes from the folder alone, so a window closed mid-run (or a run started
from the CLI) is found again.

Is it running? The runner holds `exclusive_lock` on its folder for the whole run and writes
its pid into the lock file (`base.locks`); the operating system drops the lock when the
process dies. So: a lock note naming a live runner process is a live run. Between a launch
and the runner taking the lock (about a second) `launch.json` (written by the GUI) speaks for
it. How did it end? The last `done` / `error` event in `metrics.jsonl`, else `manifest.json`;
events with no ending from a process that is gone mean it was killed.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ftwizard.base.errors import FtwizardError
from ftwizard.base.jsonio import load_model, read_json, write_model
from ftwizard.base.locks import holder
from ftwizard.runs.progress import RunProgress, read_events

RunStatus = Literal["running", "finished", "cancelled", "failed", "unknown"]

METRICS = "metrics.jsonl"
MANIFEST = "manifest.json"
RUN_CONFIG = "run_config.json"
LAUNCH = "launch.json"
PLAN = "plan.json"  # the plan the run was launched from (run report)
RUNNER_LOG = "runner.log"
RUNNER_STDOUT = "runner.stdout.jsonl"  # the event stream, for errors before metrics.jsonl exists
RUNNER_STDERR = "runner.stderr.log"
LAUNCH_GRACE_S = 60.0  # a launch record speaks for a run only this long without events
_MANIFEST_STATUS: dict[str, RunStatus] = {"done": "finished", "cancelled": "cancelled", "failed": "failed"}


class LaunchRecord(BaseModel):
    """`launch.json`: the GUI started a runner process on this folder."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    pid: int = Field(gt=0, description="The runner process.")
    host: str = Field(description="platform.node() of the machine it runs on.")
    started_at: float = Field(description="Unix time of the launch, seconds.")
    python: str = Field(description="Interpreter that runs `-m ftwizard.train`.")
    resume: bool = False


class RunSummary(BaseModel):
    """One row of the run history: read from a run folder, never written."""

    schema_version: Literal[1] = 1
    run_dir: str
    name: str = Field(description="The run folder's name.")
    status: RunStatus
    detail: str = Field(default="", description="One line: progress, or how it ended and why.")
    model: str = Field(description="Model folder name, or the catalog id.")
    model_dir: str | None = None
    catalog_model_id: str | None = None
    method: str | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    step: int = 0
    max_steps: int | None = None
    last_loss: float | None = None
    eval_loss_before: float | None = None
    eval_loss_after: float | None = None
    perplexity_before: float | None = None
    perplexity_after: float | None = None
    peak_mem_gb: float | None = Field(default=None, description="Measured: GPU peak on CUDA, process peak RSS otherwise.")
    mem_kind: str | None = None
    tokens_per_s: float | None = Field(default=None, description="Measured training throughput.")
    predicted_peak_vram_gb: float | None = None
    predicted_tokens_per_s: float | None = None
    adapter_dir: str | None = None
    can_resume: bool = Field(default=False, description="Stopped early with a complete checkpoint.")
    runner_pid: int | None = None


# -- is a runner alive? ---------------------------------------------------------------------------
def _pid_is_runner(pid: int) -> bool:
    """A live process that is an ftwizard runner (Linux checks its command line: pids are reused)."""
    if pid <= 0 or os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    cmdline = Path(f"/proc/{pid}/cmdline")
    if sys.platform.startswith("linux") and cmdline.parent.exists():
        try:
            return b"ftwizard" in cmdline.read_bytes()  # a zombie's is empty
        except OSError:
            return False
    return True


def _lock_is_held(run_dir: Path) -> bool:
    """Windows (no signal 0): try the lock itself; held means a live run."""
    from ftwizard.base.locks import LockedError, exclusive_lock, lock_path

    if not lock_path(run_dir).exists():
        return False
    try:
        with exclusive_lock(run_dir, timeout_s=0):
            return False
    except LockedError:
        return True


def read_launch_record(run_dir: Path) -> LaunchRecord | None:
    try:
        return load_model(LaunchRecord, Path(run_dir) / LAUNCH, FtwizardError)
    except FtwizardError:
        return None


def write_launch_record(run_dir: Path, record: LaunchRecord) -> None:
    write_model(Path(run_dir) / LAUNCH, record, private=True)


def runner_pid(run_dir: Path, progress: RunProgress | None = None) -> int | None:
    """The pid of the live runner working in `run_dir`, or None when none is."""
    run_dir = Path(run_dir)
    if os.name == "nt":
        if _lock_is_held(run_dir):
            note = holder(run_dir) or {}
            return int(note.get("pid") or 0) or -1
        return None
    note = holder(run_dir)
    if note and note.get("host") in (None, platform.node()):
        pid = note.get("pid")
        if isinstance(pid, int) and _pid_is_runner(pid):
            return pid
    launch = read_launch_record(run_dir)
    if launch is None or launch.host != platform.node() or time.time() - launch.started_at > LAUNCH_GRACE_S:
        return None
    if progress is None:
        progress = RunProgress().apply_all(read_events(run_dir / METRICS))
    if progress.last_ts is not None and progress.last_ts >= launch.started_at:
        return None  # it wrote events since, so the lock (checked above) is the witness
    return launch.pid if _pid_is_runner(launch.pid) else None


def latest_checkpoint_step(run_dir: Path) -> int | None:
    """The newest complete checkpoint (`checkpoint-N/COMPLETE.json`, train.checkpoint's seal)."""
    steps = []
    try:
        entries = list(Path(run_dir).iterdir())
    except OSError:
        return None
    for p in entries:
        name, _, num = p.name.partition("-")
        if name == "checkpoint" and num.isdigit() and (p / "COMPLETE.json").is_file():
            steps.append(int(num))
    return max(steps) if steps else None


# -- how did it end? -------------------------------------------------------------------------------
def early_error(run_dir: Path):
    """The last error the runner printed on stdout: before metrics.jsonl existed (bad config, a
    locked folder) it is the only record."""
    from ftwizard.runs.events import ErrorEvent

    errors = [e for e in read_events(run_dir / RUNNER_STDOUT) if isinstance(e, ErrorEvent)]
    return errors[-1] if errors else None


def _ts(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def _read_config(run_dir: Path) -> tuple[dict, str | None]:
    path = run_dir / RUN_CONFIG
    if not path.exists():
        return {}, None
    try:
        data = read_json(path)
    except FtwizardError as exc:
        return {}, str(exc).splitlines()[0]
    return (data, None) if isinstance(data, dict) else ({}, f"{path}: expected a JSON object")


def summarize(run_dir: Path, progress: RunProgress | None = None) -> RunSummary:
    """Everything the history shows about one run folder; a broken file is named in `detail`.
    `progress`: its events already folded (the monitor has them), else read from the folder."""
    run_dir = Path(run_dir)
    if progress is None:
        progress = RunProgress().apply_all(read_events(run_dir / METRICS))
    config, config_problem = _read_config(run_dir)
    manifest = None
    if (run_dir / MANIFEST).exists():
        try:
            manifest = read_json(run_dir / MANIFEST)
        except FtwizardError as exc:
            config_problem = config_problem or str(exc).splitlines()[0]
    manifest = manifest if isinstance(manifest, dict) else {}
    model_dir = (progress.start.model_dir if progress.start else None) or config.get("model_dir")
    s = RunSummary(
        run_dir=str(run_dir), name=run_dir.name, status="unknown",
        model=config.get("catalog_model_id") or (Path(model_dir).name if model_dir else "?"),
        model_dir=model_dir, catalog_model_id=config.get("catalog_model_id"),
        method=(progress.start.method if progress.start else None) or config.get("method"),
        started_at=_ts(progress.first_ts), finished_at=_ts(progress.last_ts) if progress.ended else None,
        step=progress.step, max_steps=progress.max_steps,
        last_loss=progress.last_step.loss if progress.last_step else None,
        eval_loss_before=progress.eval_before.eval_loss if progress.eval_before else None,
        perplexity_before=progress.eval_before.perplexity if progress.eval_before else None,
        eval_loss_after=progress.eval_after.eval_loss if progress.eval_after else None,
        perplexity_after=progress.eval_after.perplexity if progress.eval_after else None,
        peak_mem_gb=progress.last_step.peak_mem_gb if progress.last_step else None,
        mem_kind=progress.start.mem_kind if progress.start else None,
        tokens_per_s=progress.last_step.tokens_per_s if progress.last_step else None,
    )
    estimate = config.get("estimate") if isinstance(config.get("estimate"), dict) else {}
    s.predicted_peak_vram_gb = estimate.get("peak_vram_gb")
    s.predicted_tokens_per_s = estimate.get("tokens_per_s")
    if (d := progress.done) is not None:
        s.peak_mem_gb, s.tokens_per_s, s.adapter_dir = d.peak_mem_gb, d.tokens_per_s, d.adapter_dir
        s.predicted_peak_vram_gb = d.predicted_peak_vram_gb or s.predicted_peak_vram_gb
        s.predicted_tokens_per_s = d.predicted_tokens_per_s or s.predicted_tokens_per_s
    s.runner_pid = runner_pid(run_dir, progress)
    s.status, s.detail = _status(run_dir, progress, manifest, s.runner_pid)
    if config_problem and s.status == "unknown":
        s.detail = config_problem
    s.can_resume = s.status in ("cancelled", "failed") and latest_checkpoint_step(run_dir) is not None
    return s


def _status(run_dir: Path, p: RunProgress, manifest: dict, pid: int | None) -> tuple[RunStatus, str]:
    of = f" of {p.max_steps}" if p.max_steps else ""
    if pid is not None:
        return "running", f"step {p.step}{of}" if p.start else "starting"
    if p.done is not None:
        return "finished", f"finished {p.step} steps"
    if p.error is not None:
        kind = "cancelled" if p.error.kind == "cancelled" else "failed"
        return kind, p.error.message
    if manifest.get("status") in _MANIFEST_STATUS:
        return _MANIFEST_STATUS[manifest["status"]], f"manifest says {manifest['status']}"
    early = early_error(run_dir)
    if early is not None:
        return ("cancelled" if early.kind == "cancelled" else "failed"), early.message
    if p.events:
        return "failed", (f"stopped at step {p.step}{of} without a final word (killed, or the machine "
                          "went down); see runner.log")
    return "unknown", "no events yet"


def run_status(run_dir: Path) -> RunStatus:
    """running | finished | cancelled | failed | unknown, from the folder alone."""
    return summarize(run_dir).status


def looks_like_run(folder: Path) -> bool:
    return any((folder / n).exists() for n in (METRICS, MANIFEST, RUN_CONFIG, LAUNCH))


def list_runs(runs_dir: Path) -> list[RunSummary]:
    """Every run folder directly under `runs_dir`, newest first (one bad folder hides nothing)."""
    try:
        folders = [p for p in Path(runs_dir).iterdir() if p.is_dir() and not p.is_symlink() and looks_like_run(p)]
    except OSError:
        return []
    runs = [summarize(p) for p in folders]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(runs, key=lambda r: (r.started_at or epoch, r.name), reverse=True)


def live_runs(runs_dir: Path) -> list[Path]:
    """Run folders with a live runner: only lock notes and launch records are read (cheap)."""
    try:
        folders = [p for p in Path(runs_dir).iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    return sorted((p for p in folders if looks_like_run(p) and runner_pid(p) is not None),
                  key=lambda p: p.stat().st_mtime, reverse=True)
