"""'Try it': a chat panel on a finished run. Type a prompt; the base and the tuned model answer
side by side, streamed from the training runtime (`python -m ftwizard.train.chat RUN`, its
own process: torch never loads in the GUI). Stop ends the answer being written; closing the
panel ends the process.

`RuntimeProcess` runs any `python -m MODULE ...` of the training runtime and hands back its
JSON lines; the samples view uses it for samples and metrics too.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ftwizard.base.errors import FtwizardError
from ftwizard.base.offline import child_env
from ftwizard.gui import desktop


class RuntimeProcess(QObject):
    """`python -m module args` in the training runtime; `event(dict)` per JSON line on stdout,
    `finished(exit code, last stderr lines)` at the end."""

    event = Signal(object)
    finished = Signal(int, str)

    def __init__(self, module: str, args: list[str], python: str | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.proc = QProcess(self)
        env = QProcessEnvironment()
        for k, v in child_env().items():  # the offline variables every child process gets
            env.insert(k, v)
        self.proc.setProcessEnvironment(env)
        self.proc.setProgram(python or desktop.runtime_python())
        self.proc.setArguments(["-m", module, *args])
        self._out = b""
        self._err = b""
        self.proc.readyReadStandardOutput.connect(self._read)
        self.proc.readyReadStandardError.connect(self._read_err)
        self.proc.finished.connect(self._done)
        self.proc.errorOccurred.connect(self._failed)

    def start(self) -> None:
        self.proc.start()

    def running(self) -> bool:
        return self.proc.state() != QProcess.ProcessState.NotRunning

    def write(self, obj: dict) -> None:
        self.proc.write((json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8"))

    def stop(self, wait_ms: int = 3000) -> None:
        """End of input, then a kill if it has not gone in `wait_ms`."""
        if not self.running():
            return
        self.proc.closeWriteChannel()
        if not self.proc.waitForFinished(wait_ms):
            self.proc.kill()
            self.proc.waitForFinished(wait_ms)

    def _read(self) -> None:
        self._out += bytes(self.proc.readAllStandardOutput())
        *lines, self._out = self._out.split(b"\n")
        for raw in lines:
            try:
                obj = json.loads(raw)
            except ValueError:
                continue  # a library's own print: not ours
            if isinstance(obj, dict):
                self.event.emit(obj)

    def _read_err(self) -> None:
        self._err = (self._err + bytes(self.proc.readAllStandardError()))[-8192:]

    def last_error(self) -> str:
        lines = [ln for ln in self._err.decode("utf-8", "replace").splitlines() if ln.startswith("ftwizard: error")]
        return lines[-1] if lines else ""

    def _done(self, code: int, _status=None) -> None:
        self._read()
        self.finished.emit(int(code), self.last_error())

    def _failed(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.finished.emit(-1, f"the training runtime {self.proc.program()} could not be started")


class ChatPanel(QWidget):
    """`state`: stopped, loading, ready, answering. `python`: the runtime (tests pass theirs)."""

    state_changed = Signal(str)
    answered = Signal()  # both answers done, or stopped

    def __init__(self, run_dir: Path, *, python: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self.python = python
        self.server: RuntimeProcess | None = None
        self.state = "stopped"

        self.load_button = QPushButton("&Load models")
        self.load_button.setToolTip("Start the base and the tuned model in the training runtime (a separate process).")
        self.load_button.clicked.connect(self.start)
        self.status = QLabel("Load the models to try the tuned one beside its base.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Chat status")
        self.base_view, self.tuned_view = QPlainTextEdit(), QPlainTextEdit()
        boxes = QHBoxLayout()
        for view, title in ((self.base_view, "Base model"), (self.tuned_view, "Tuned")):
            view.setReadOnly(True)
            view.setAccessibleName(f"{title} answer")
            box = QGroupBox(title)
            QVBoxLayout(box).addWidget(view)
            boxes.addWidget(box)
        self.prompt = QLineEdit()
        self.prompt.setPlaceholderText("Type a prompt and press Enter")
        self.prompt.setAccessibleName("Prompt")
        self.prompt.returnPressed.connect(self.send)
        self.max_tokens = QSpinBox()
        self.max_tokens.setRange(1, 4096)
        self.max_tokens.setValue(256)
        self.max_tokens.setSuffix(" tokens")
        self.max_tokens.setToolTip("Token limit of each answer (greedy decoding, as the samples)")
        self.send_button = QPushButton("&Send")
        self.send_button.clicked.connect(self.send)
        self.stop_button = QPushButton("S&top")
        self.stop_button.clicked.connect(self.stop_answer)
        ask = QHBoxLayout()
        ask.addWidget(self.prompt, 1)
        ask.addWidget(self.max_tokens)
        ask.addWidget(self.send_button)
        ask.addWidget(self.stop_button)
        top = QHBoxLayout()
        top.addWidget(self.load_button)
        top.addWidget(self.status, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(boxes, 1)
        lay.addLayout(ask)
        self._update()

    def _set(self, state: str, text: str | None = None) -> None:
        self.state = state
        if text is not None:
            self.status.setText(text)
        self._update()
        self.state_changed.emit(state)

    def _update(self) -> None:
        self.load_button.setEnabled(self.state == "stopped")
        self.send_button.setEnabled(self.state == "ready")
        self.prompt.setEnabled(self.state in ("ready", "answering"))
        self.stop_button.setEnabled(self.state == "answering")

    def start(self) -> None:
        if self.server is not None and self.server.running():
            return
        try:
            self.server = RuntimeProcess("ftwizard.train.chat", [str(self.run_dir)], self.python, self)
        except FtwizardError as exc:  # no training runtime is ready: say so and how to fix it
            self.server = None
            self._set("stopped", str(exc))
            return
        self.server.event.connect(self._on_event)
        self.server.finished.connect(self._on_finished)
        self._set("loading", "Loading the base and the tuned model in the training runtime…")
        self.server.start()

    def send(self) -> None:
        text = self.prompt.text().strip()
        if self.state != "ready" or not text or self.server is None:
            return
        self.base_view.clear()
        self.tuned_view.clear()
        self.server.write({"prompt": text, "max_new_tokens": self.max_tokens.value()})
        self._set("answering", "The base model answers first, then the tuned one…")

    def stop_answer(self) -> None:
        if self.state == "answering" and self.server is not None:
            self.server.write({"cancel": True})

    def shutdown(self) -> None:
        if self.server is not None:
            self.server.stop()
        self.server = None

    def _append(self, view: QPlainTextEdit, text: str) -> None:
        cursor = view.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        view.setTextCursor(cursor)

    def _on_event(self, e: dict) -> None:
        kind = e.get("event")
        if kind == "ready":
            self._set("ready", f"Ready on {e.get('device')}: greedy decoding, the run's chat template. Tuned: "
                      f"{e.get('tuned')}")
        elif kind == "token":
            self._append(self.base_view if e.get("side") == "base" else self.tuned_view, str(e.get("text", "")))
        elif kind == "end" and e.get("truncated"):
            self._append(self.base_view if e.get("side") == "base" else self.tuned_view, " […token limit]")
        elif kind in ("idle", "cancelled"):
            self._set("ready", "Stopped." if kind == "cancelled" else "Both answers done. Ask another.")
            self.answered.emit()
        elif kind == "error":
            self.status.setText(str(e.get("message", "")))
            if self.state == "answering":
                self._set("ready")

    def _on_finished(self, code: int, error: str) -> None:
        if self.state == "stopped":
            return
        self.server = None
        self._set("stopped", f"The chat process ended (exit {code}). {error}".strip())

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.shutdown()
        super().closeEvent(event)
