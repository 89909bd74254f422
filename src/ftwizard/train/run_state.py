"""The runner's small shared types: how a run ends early (Stop), the cancel flag, what a
checkpoint restores beyond tensors (Progress), one step's figures (StepResult) and the run's
clock (Timing)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ftwizard.runs import events as ev


class Stop(Exception):
    """Ends the run with one error event and an exit code."""

    def __init__(self, kind: str, message: str, suggestion: str = "", code: int = ev.EXIT_BAD_INPUT):
        super().__init__(message)
        self.kind, self.message, self.suggestion, self.code = kind, message, suggestion, code


class CancelFlag:
    """Set by the SIGINT handler; the loop finishes its step, saves, and stops."""

    requested = False


@dataclass
class Progress:
    """Everything a checkpoint must restore beyond weights, optimizer and RNG."""

    step: int = 0
    tokens: int = 0
    train_s: float = 0.0
    first_loss: float | None = None
    last_loss: float | None = None
    eval_before: dict | None = None
    data_sha256: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def saved_global_batch(state: dict) -> int:
    """Sequences per optimizer step, all processes, of the run a checkpoint's state.json saved."""
    return state["micro_batch"] * state["grad_accum"] * state.get("processes", 1)


@dataclass
class StepResult:
    loss: float  # sft: mean over the step's answer tokens; dpo: mean DPO loss over its pairs
    tokens: int  # trained tokens, all processes
    grad_norm: float | None
    stop: bool  # a cancel seen by any process (the same answer in every process)
    rewards: dict | None = None  # dpo: PairStats.means() of the step's pairs


@dataclass
class Timing:
    """When the run started and where its seconds went (the manifest's timings)."""

    started_at: str
    t0: float  # time.time() at the start
    load_s: float = 0.0
    eval_s: float = 0.0
    train_s: float = 0.0
