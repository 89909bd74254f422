"""Out-of-memory handling (the ladder of cheaper settings) and the test-only fault injector.

`FTWIZARD_FAULT` is for tests only: comma-separated faults the runner injects into itself
so tests can exercise real error paths on a CPU machine.
  oom@step=N            a synthetic torch.OutOfMemoryError in step N (once)
  oom@micro_batch>K     the same in every step while micro_batch > K (memory that only fits smaller batches)
  kill@checkpoint=N     SIGKILL itself while writing this process's N-th checkpoint, before it is sealed
  disk@checkpoint=N     ENOSPC (disk full) while writing this process's N-th checkpoint
  slow=S                sleep S seconds after each step (gives a test time to act mid-run)
  cancel@step=N         act as if Cancel was pressed during step N (a deterministic cancel)
  forget=PART           resume leaves PART of the saved state out (trainable, optimizer, rng, data)
                        or disturbs it (base): proves that the resume digests catch a lost part

`FTWIZARD_TEST_MEMORY_CAP_GB=X` (tests only) stands for a GPU of X GB on any machine: each
micro-batch's forward pass is measured (the bytes autograd saves for backward, through
saved-tensor hooks: unique storages, model parameters left out) and a synthetic
torch.OutOfMemoryError is raised when they pass X. The figure follows micro_batch, seq_len
and gradient checkpointing as real activation memory does, so the out-of-memory ladder and
the probe run their real logic on a CPU.
"""

from __future__ import annotations

import errno
import os
import signal
import time
from dataclasses import dataclass, field

from ftwizard.base.errors import RunConfigError
from ftwizard.runs.config import RunConfig

FAULT_ENV = "FTWIZARD_FAULT"
MEMORY_CAP_ENV = "FTWIZARD_TEST_MEMORY_CAP_GB"
EIGHT_BIT = ("paged_adamw_8bit", "adamw_8bit")
MIN_FALLBACK_SEQ_LEN = 128
FORGETTABLE = ("trainable", "optimizer", "rng", "data", "base")  # below this most chat examples no longer fit at all


def is_oom(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT, also as the libraries report it (safetensors' "os error 28", torch's
    "unexpected pos" from its zip writer), anywhere in the exception's chain."""
    from ftwizard.runs.outdir import disk_full_reason

    return disk_full_reason(exc) is not None


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
    cancel_step: int | None = None
    forget: set[str] = field(default_factory=set)
    checkpoints_written: int = 0
    memory_cap_gb: float | None = None

    @classmethod
    def from_env(cls, value: str | None = None) -> Faults:
        value = os.environ.get(FAULT_ENV, "") if value is None else value
        f = cls()
        cap = os.environ.get(MEMORY_CAP_ENV, "").strip()
        if cap:
            try:
                f.memory_cap_gb = float(cap)
            except ValueError:
                raise RunConfigError(f"{MEMORY_CAP_ENV}: '{cap}' is not a number of GB (test-only setting)") from None
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
                elif item.startswith("cancel@step="):
                    f.cancel_step = int(item.split("=", 1)[1])
                elif item.startswith("forget=") and item[7:] in FORGETTABLE:
                    f.forget.add(item[7:])
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

    def check_memory(self, saved_gb: float, step: int) -> None:
        """Called after a micro-batch's forward pass with what it saved for backward."""
        if self.memory_cap_gb is not None and saved_gb > self.memory_cap_gb:
            import torch

            raise torch.OutOfMemoryError(
                f"CUDA out of memory (synthetic: {saved_gb:.4f} GB saved for backward at step {step} "
                f"is over {MEMORY_CAP_ENV}={self.memory_cap_gb})"
            )

    def after_step(self, step: int) -> bool:
        """Called after each step; True when the test asks for a cancel here."""
        if self.slow_s:
            time.sleep(self.slow_s)
        return self.cancel_step == step

    def before_seal(self) -> None:
        """Called with a checkpoint's files written but not yet marked complete."""
        self.checkpoints_written += 1
        n = self.checkpoints_written
        if self.kill_checkpoint == n:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
            time.sleep(60)  # the signal is asynchronous; never reach the seal
        if self.disk_checkpoint == n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class SavedTensorMeter:
    """Bytes autograd keeps for backward inside the `with` block: each storage counted once,
    the model's own parameters left out (they take memory whether or not they are saved)."""

    def __init__(self, params: set[int]) -> None:
        self.params = params
        self.seen: set[int] = set()
        self.bytes = 0
        self._hooks = None

    def _pack(self, t):
        try:
            storage = t.untyped_storage()
            key = storage.data_ptr()
            if key and key not in self.params and key not in self.seen:
                self.seen.add(key)
                self.bytes += storage.nbytes()
        except (RuntimeError, NotImplementedError):
            pass  # tensors without storage (sparse, meta) cannot be measured this way
        return t

    def __enter__(self) -> SavedTensorMeter:
        import torch

        self.seen.clear()
        self.bytes = 0
        self._hooks = torch.autograd.graph.saved_tensors_hooks(self._pack, lambda t: t)
        self._hooks.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._hooks.__exit__(*exc)
        self._hooks = None

    @property
    def gb(self) -> float:
        return self.bytes / 1e9


def parameter_storages(model) -> set[int]:
    return {p.untyped_storage().data_ptr() for p in model.parameters()}
