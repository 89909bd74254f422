"""A run's progress from its event stream: what the monitor draws and the history lists.

`MetricsTail` reads the lines the runner appended to `metrics.jsonl` since the last call
(whole lines only; a half-written last line waits for the next call). `RunProgress` folds
events into the figures a person watches: chart series, step, speed, memory, ETA, the
before/after evaluation and how the run ended. Qt-free: the GUI polls, this decides.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ftwizard.runs import events as ev

# Chart series: (event kind, field) -> series name. Generic over names, so an objective that
# reports more (DPO's reward margin) adds a line here and the chart draws it.
SERIES: dict[tuple[str, str], str] = {
    ("step", "loss"): "train loss",
    ("eval", "eval_loss"): "eval loss",
    ("step", "reward_margin"): "reward margin",
    ("eval", "reward_margin"): "eval reward margin",
}
READ_CHUNK_BYTES = 1 << 20  # one poll reads at most this much (~0.1 s of parsing); the next goes on


class MetricsTail:
    """Incremental reader of one metrics.jsonl. A file replaced or cut short is re-read."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.offset = 0
        self._partial = b""
        self._inode: int | None = None

    def read(self) -> list[ev._Event]:
        try:
            st = os.stat(self.path)
        except OSError:
            return []
        if st.st_ino != self._inode or st.st_size < self.offset:
            self.offset, self._partial, self._inode = 0, b"", st.st_ino
        if st.st_size == self.offset:
            return []
        try:
            with open(self.path, "rb") as fh:
                fh.seek(self.offset)
                data = fh.read(READ_CHUNK_BYTES)
        except OSError:
            return []
        self.offset += len(data)
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        return [e for e in map(ev.parse_event, lines) if e is not None]


def read_events(path: Path) -> list[ev._Event]:
    """Every event in a metrics file (a missing file has none)."""
    tail = MetricsTail(path)
    out: list[ev._Event] = []
    while batch := tail.read():
        out += batch
    return out


@dataclass
class RunProgress:
    """The state of a run after the events seen so far (a resumed run continues the same one)."""

    series: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    start: ev.StartEvent | None = None
    last_step: ev.StepEvent | None = None
    eval_before: ev.EvalEvent | None = None
    eval_after: ev.EvalEvent | None = None
    done: ev.DoneEvent | None = None
    error: ev.ErrorEvent | None = None
    warnings: list[ev.WarningEvent] = field(default_factory=list)
    last_checkpoint: ev.CheckpointEvent | None = None
    first_ts: float | None = None
    last_ts: float | None = None
    events: int = 0

    def apply_all(self, events: list[ev._Event]) -> RunProgress:
        for e in events:
            self.apply(e)
        return self

    def apply(self, e: ev._Event) -> None:
        self.events += 1
        self.first_ts = e.ts if self.first_ts is None else self.first_ts
        self.last_ts = e.ts
        if isinstance(e, ev.StartEvent):
            self._started(e)
        elif isinstance(e, ev.StepEvent):
            self.last_step = e
        elif isinstance(e, ev.EvalEvent):
            if e.phase == "before":
                self.eval_before = e
            elif e.phase == "after":
                self.eval_after = e
        elif isinstance(e, ev.CheckpointEvent):
            self.last_checkpoint = e
        elif isinstance(e, ev.WarningEvent):
            self.warnings.append(e)
        elif isinstance(e, ev.DoneEvent):
            self.done, self.error = e, None
        elif isinstance(e, ev.ErrorEvent):
            self.error, self.done = e, None
        step = getattr(e, "step", None)
        for (kind, name), label in SERIES.items():
            value = getattr(e, name, None) if e.event == kind else None
            if isinstance(value, int | float) and step is not None:
                self.series.setdefault(label, []).append((int(step), float(value)))

    def _started(self, e: ev.StartEvent) -> None:
        """A (re)start: points past the checkpoint it resumed from are replayed, so drop them."""
        keep_to = e.resumed_from_step or 0
        if self.start is not None:
            for label, points in self.series.items():
                self.series[label] = [p for p in points if p[0] <= keep_to]
            self.last_step = self.last_step if self.last_step and self.last_step.step <= keep_to else None
        self.start, self.done, self.error, self.eval_after = e, None, None, None

    # -- what the monitor shows -----------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.done is not None or self.error is not None

    @property
    def step(self) -> int:
        if self.done is not None:
            return self.done.step
        return self.last_step.step if self.last_step else (self.start.resumed_from_step or 0) if self.start else 0

    @property
    def max_steps(self) -> int | None:
        if self.last_step is not None:
            return self.last_step.max_steps
        return self.start.max_steps if self.start else None

    @property
    def fraction(self) -> float:
        total = self.max_steps
        return min(1.0, self.step / total) if total else 0.0

    @property
    def outcome(self) -> str:
        """finished, cancelled or failed once ended; running while events still come; unknown."""
        if self.done is not None:
            return "finished"
        if self.error is not None:
            return "cancelled" if self.error.kind == "cancelled" else "failed"
        return "running" if self.events else "unknown"
