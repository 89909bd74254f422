"""Run slow work (hardware detection, dataset inspection, PDF export) off the UI thread.

A `Worker` wraps a plain function; results come back as Qt signals, queued onto the UI
thread. Functions that accept `progress` and `cancel` keywords get a callback
`progress(fraction, message)` and a `threading.Event` the Cancel button sets.
"""

from __future__ import annotations

import inspect
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ftwizard.base.errors import FtwizardError


class WorkerSignals(QObject):
    progress = Signal(float, str)  # fraction 0..1, short message
    done = Signal(object)
    failed = Signal(str)  # one line for the user
    finished = Signal()  # after done, failed or cancel


class Worker(QRunnable):
    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the pool must not delete it while Python holds it
        self.signals = WorkerSignals()
        self.cancel_event = threading.Event()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        params = inspect.signature(fn).parameters
        if "progress" in params:
            self._kwargs["progress"] = self._report
        if "cancel" in params:
            self._kwargs["cancel"] = self.cancel_event

    def _report(self, fraction: float, message: str = "") -> None:
        self.signals.progress.emit(float(fraction), message)

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def run(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs)
        except FtwizardError as exc:
            self.signals.failed.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except Exception as exc:  # an internal error still reaches the user, with its type
            traceback.print_exc()
            self.signals.failed.emit(f"internal error: {type(exc).__name__}: {exc}")
        else:
            if not self.cancelled:
                self.signals.done.emit(result)
        finally:
            self.signals.finished.emit()


_RUNNING: set[Worker] = set()


def start(worker: Worker) -> Worker:
    """Queue `worker` on the global pool; it is kept alive until it finishes."""
    _RUNNING.add(worker)
    worker.signals.finished.connect(lambda w=worker: _RUNNING.discard(w))
    QThreadPool.globalInstance().start(worker)
    return worker


def wait_all(msecs: int = 5000) -> bool:
    """Block until queued work ends (shutdown, tests)."""
    return QThreadPool.globalInstance().waitForDone(msecs)
