"""The runner's side of the event stream: each event goes to stdout as one JSON line and is
appended to `metrics.jsonl` in the run folder (a resumed run appends to the same file).

The stream models live in `ftwizard.runs.events` so readers never import the runner.
Under torchrun only rank 0 speaks: the other processes use `Emitter(log_only=True)`, which
writes nothing but logs their own errors to stderr (torchrun shows it).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

from ftwizard.runs.events import _Event, event_line


class Emitter:
    def __init__(self, stream: TextIO | None = None, metrics_path: Path | None = None, log_only: bool = False) -> None:
        self.log_only = log_only
        self.stream = stream if stream is not None else sys.stdout
        self.metrics_path = metrics_path
        self._metrics: TextIO | None = None
        self.history: list[_Event] = []
        self.metrics_error: str | None = None

    def attach_metrics(self, path: Path) -> None:
        """Start mirroring events to `path`; earlier events of this process are written first."""
        self.metrics_path = path
        try:
            self._metrics = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
            for ev in self.history:
                self._metrics.write(event_line(ev) + "\n")
            self._metrics.flush()
        except OSError as exc:
            self.metrics_error = f"{path}: {exc.strerror}"
            self._metrics = None

    def emit(self, ev: _Event) -> None:
        self.history.append(ev)
        if self.log_only:
            if getattr(ev, "event", "") == "error" and ev.kind != "cancelled":
                logging.getLogger("ftwizard.train").error("%s: %s", ev.kind, ev.message)
            return
        line = event_line(ev)
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            pass  # the reader went away; metrics.jsonl still has the record
        if self._metrics is not None:
            try:
                self._metrics.write(line + "\n")
                self._metrics.flush()
            except OSError as exc:  # a full disk surfaces at the next checkpoint, with its own error
                self.metrics_error = f"{self.metrics_path}: {exc.strerror}"
                self._metrics = None

    def close(self) -> None:
        if self._metrics is not None:
            try:
                self._metrics.close()
            except OSError:
                pass
            self._metrics = None
