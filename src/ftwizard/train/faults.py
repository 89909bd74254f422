"""Out-of-memory handling (the ladder of cheaper settings) and the test-only fault injector.

`FTWIZARD_FAULT` is for tests only: comma-separated faults the runner injects into itself
so tests can exercise real error paths on a CPU machine.
  oom@step=N            a synthetic torch.OutOfMemoryError in step N (once)
  oom@micro_batch>K     the same in every step while micro_batch > K (memory that only fits smaller batches)
  kill@checkpoint=N     SIGKILL itself while writing this process's N-th checkpoint, before it is sealed
  disk@checkpoint=N     ENOSPC (disk full) while writing this process's N-th checkpoint
  slow=S                sleep S seconds after each step (gives a test time to act mid-run)
"""

from __future__ import annotations

import errno
import os
import signal
import time
from dataclasses import dataclass, field

from ftwizard.core.errors import RunConfigError
from ftwizard.core.runconfig import RunConfig

FAULT_ENV = "FTWIZARD_FAULT"
EIGHT_BIT = ("paged_adamw_8bit", "adamw_8bit")
MIN_FALLBACK_SEQ_LEN = 128  # below this most chat examples no longer fit at all


def is_oom(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1))


def next_rung(cfg: RunConfig, have_8bit: bool) -> tuple[dict, str] | None:
    """The next step down the memory ladder from `cfg`: (field updates, what it does), or None.

    Order: the first rung keeps the maths identical (same effective batch), the next two cost
    only time or optimizer precision, the last one cuts long examples.
    """
    if cfg.micro_batch > 1:
        mb = cfg.micro_batch // 2
        ga = cfg.grad_accum * cfg.micro_batch // mb
        return (
            {"micro_batch": mb, "grad_accum": ga},
            f"micro_batch {cfg.micro_batch} -> {mb} with grad_accum {cfg.grad_accum} -> {ga} (same effective batch)",
        )
    if not cfg.grad_ckpt:
        return {"grad_ckpt": True}, "gradient checkpointing on (recomputes activations: slower, less memory)"
    if have_8bit and cfg.optimizer not in EIGHT_BIT:
        return {"optimizer": "paged_adamw_8bit"}, f"optimizer {cfg.optimizer} -> paged_adamw_8bit"
    if cfg.seq_len // 2 >= MIN_FALLBACK_SEQ_LEN:
        return {"seq_len": cfg.seq_len // 2}, f"seq_len {cfg.seq_len} -> {cfg.seq_len // 2} (longer examples are cut)"
    return None


@dataclass
class Faults:
    oom_steps: set[int] = field(default_factory=set)
    oom_micro_batch_over: int | None = None
    kill_checkpoint: int | None = None
    disk_checkpoint: int | None = None
    slow_s: float = 0.0
    checkpoints_written: int = 0

    @classmethod
    def from_env(cls, value: str | None = None) -> Faults:
        value = os.environ.get(FAULT_ENV, "") if value is None else value
        f = cls()
        for item in filter(None, (x.strip() for x in value.split(","))):
            try:
                if item.startswith("oom@step="):
                    f.oom_steps.add(int(item.split("=", 1)[1]))
                elif item.startswith("oom@micro_batch>"):
                    f.oom_micro_batch_over = int(item.split(">", 1)[1])
                elif item.startswith("kill@checkpoint="):
                    f.kill_checkpoint = int(item.split("=", 1)[1])
                elif item.startswith("disk@checkpoint="):
                    f.disk_checkpoint = int(item.split("=", 1)[1])
                elif item.startswith("slow="):
                    f.slow_s = float(item.split("=", 1)[1])
                else:
                    raise ValueError(item)
            except ValueError:
                raise RunConfigError(f"{FAULT_ENV}: cannot understand '{item}' (test-only setting)") from None
        return f

    def in_step(self, step: int, micro_batch: int) -> None:
        """Called inside each step's forward pass; `step` is 1-based."""
        hit = step in self.oom_steps
        self.oom_steps.discard(step)
        if hit or (self.oom_micro_batch_over is not None and micro_batch > self.oom_micro_batch_over):
            import torch

            raise torch.OutOfMemoryError(
                f"CUDA out of memory (synthetic, injected by {FAULT_ENV} at step {step})"
            )

    def after_step(self) -> None:
        if self.slow_s:
            time.sleep(self.slow_s)

    def before_seal(self) -> None:
        """Called with a checkpoint's files written but not yet marked complete."""
        self.checkpoints_written += 1
        n = self.checkpoints_written
        if self.kill_checkpoint == n:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
            time.sleep(60)  # the signal is asynchronous; never reach the seal
        if self.disk_checkpoint == n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
