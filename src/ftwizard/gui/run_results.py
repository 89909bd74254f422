"""What a finished run changed. The monitor's Result box: before/after evaluation and estimate
vs measured, as rich text (the rows are `runs.figures`', the run report prints the same).
`RunResultsWindow`: the holdout prompts answered by the base and the tuned model side by side
with a word diff (`samples.jsonl`), the task metrics with their intervals (`eval.json`), both
made on request in the training runtime, and the Try it chat (`gui.run_chat`)."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMenu,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ftwizard.base.errors import FtwizardError
from ftwizard.evaluate.metrics import KINDS, read_eval
from ftwizard.evaluate.samples import SAMPLES, read_samples
from ftwizard.gui.run_chat import ChatPanel, RuntimeProcess
from ftwizard.runs import figures as rf


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    head = "".join(f"<th align='{'left' if i == 0 else 'right'}'>{html.escape(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td align='{'left' if i == 0 else 'right'}'>{html.escape(c)}</td>" for i, c in enumerate(r))
        + "</tr>" for r in rows
    )
    return f"<table cellspacing='0' cellpadding='3'><tr>{head}</tr>{body}</table>"


def result_html(summary) -> str:
    parts = ["<b>Evaluation on the holdout</b>",
             _table(("", "Base model", "Tuned", "Change"), rf.before_after_rows(summary))]
    if summary.predicted_peak_vram_gb is None and summary.predicted_tokens_per_s is None:
        parts.append("<p>No estimate for this machine (no GPU was detected), so nothing to compare the "
                     f"measurements with: peak memory {html.escape(rf.mem_num(summary.peak_mem_gb))} GB "
                     f"({html.escape(rf.memory_label(summary.mem_kind))}), "
                     f"{html.escape(rf.num(summary.tokens_per_s))} tokens/s.</p>")
    else:
        parts += ["<b>Estimate vs measured</b>",
                  _table(("", "Estimated", "Measured", "Measured / estimated"), rf.estimate_rows(summary))]
    if summary.adapter_dir:
        parts.append(f"<p>Adapter: <code>{html.escape(summary.adapter_dir)}</code></p>")
    parts.append(f"<p><small>{html.escape(rf.DEFINITIONS)}</small></p>")
    return "".join(parts)


# -- what tuning changed: samples side by side, task metrics, the chat (issue 27) --------------------
_DIFF_STYLE = {"same": "{}", "removed": "<span style='background:#fdd;text-decoration:line-through'>{}</span>",
               "added": "<span style='background:#dfd'>{}</span>"}


def _pre(text: str) -> str:
    return html.escape(text).replace("\n", "<br>") or "<i>(empty)</i>"


def diff_html(a: str, b: str) -> str:
    """Word diff of `a` -> `b`: removed words struck through in red, added words in green."""
    from ftwizard.evaluate.samples import word_diff

    return "".join(_DIFF_STYLE[kind].format(_pre(text)) for kind, text in word_diff(a, b))


def sample_html(s, diff_against: str = "base") -> str:
    """One sample: prompt, reference, base and tuned side by side, and the diff of the tuned
    answer against the base (or the reference)."""
    def cut(flag: bool) -> str:
        return " <small><i>[stopped at the token limit]</i></small>" if flag else ""

    other = s.base if diff_against == "base" else s.reference
    return (
        f"<p><b>Prompt</b> (holdout line {s.line})<br>{_pre(s.prompt_text())}</p>"
        f"<p><b>Reference</b><br>{_pre(s.reference)}</p>"
        "<table width='100%' cellspacing='0' cellpadding='4' border='1'><tr><th width='50%'>Base model</th>"
        "<th width='50%'>Tuned</th></tr>"
        f"<tr><td valign='top'>{_pre(s.base)}{cut(s.base_truncated)}</td>"
        f"<td valign='top'>{_pre(s.tuned)}{cut(s.tuned_truncated)}</td></tr></table>"
        f"<p><b>Tuned against {'the base' if diff_against == 'base' else 'the reference'}</b> "
        f"(<span style='background:#fdd'>removed</span>, <span style='background:#dfd'>added</span>)<br>"
        f"{diff_html(other, s.tuned)}</p>"
    )


def eval_html(report) -> str:
    from ftwizard.evaluate.metrics import table_rows

    parts = [f"<b>Task metrics</b> ({html.escape(report.kind)}, {report.n} prompts; "
             f"{html.escape(report.kind_reason)})",
             _table(("", "Base model", "Tuned", "Change [95% interval]", "Verdict"), table_rows(report))]
    if report.win_rule:
        parts.append(f"<p><small>Win rule: {html.escape(report.win_rule)}. Tuned won {report.wins}, "
                     f"tied {report.ties}, lost {report.losses}.</small></p>")
    parts.append(f"<p><small>{html.escape(report.bootstrap)}.</small></p>")
    return "".join(parts)


class SamplesView(QWidget):
    """The run's samples.jsonl beside its eval.json; makes either in the training runtime."""

    reloaded = Signal()
    job_finished = Signal(int)

    def __init__(self, run_dir: Path, *, python: str | None = None, parent=None) -> None:
        super().__init__(parent)
        self.run_dir, self.python = Path(run_dir), python
        self.samples: list = []
        self.job: RuntimeProcess | None = None
        self.metrics = QLabel()
        self.metrics.setTextFormat(Qt.TextFormat.RichText)
        self.metrics.setWordWrap(True)
        self.metrics.setAccessibleName("Task metrics")
        self.metrics.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QListWidget()
        self.list.setAccessibleName("Holdout prompts")
        self.list.currentRowChanged.connect(self.show_sample)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName("Prompt, reference, base and tuned answers")
        self.diff_against = QComboBox()
        self.diff_against.addItems(["Diff: tuned against base", "Diff: tuned against reference"])
        self.diff_against.currentIndexChanged.connect(lambda _: self.show_sample(self.list.currentRow()))
        self.n = QSpinBox()
        self.n.setRange(1, 1000)
        self.n.setValue(20)
        self.n.setPrefix("N = ")
        self.kind = QComboBox()
        self.kind.addItems(["auto", *KINDS])
        self.kind.setToolTip("Which task's metrics: auto takes the plan's task, else guesses from the references")
        self.make_button = QPushButton("&Make samples")
        self.make_button.setToolTip("Answer N holdout prompts with the base and the tuned model (greedy)")
        self.eval_button = QPushButton("Compute &metrics")
        self.make_button.clicked.connect(self.make_samples)
        self.eval_button.clicked.connect(self.compute_metrics)
        self.export_button = QPushButton("E&xport model")
        self.export_button.setToolTip("The merged model, the adapter alone, or GGUF (llama.cpp), with the base "
                                      "model's licence files and a model card")
        menu = QMenu(self.export_button)
        for fmt, label in (("merged", "Merged model (safetensors)…"), ("adapter", "Adapter alone (vLLM / TGI)…"),
                           ("gguf", "GGUF (needs llama.cpp)…")):
            menu.addAction(label, lambda f=fmt: self.export_model(f))
        self.export_button.setMenu(menu)
        self._last_event: dict = {}
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Samples status")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(self.detail)
        split.setSizes([260, 640])
        buttons = QHBoxLayout()
        for w in (self.n, self.make_button, self.kind, self.eval_button, self.diff_against):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.metrics)
        lay.addWidget(split, 1)
        lay.addLayout(buttons)
        lay.addWidget(self.status)
        self.reload()

    def reload(self) -> None:
        try:
            got = read_samples(self.run_dir)
            self.samples = got.samples
            h = got.header
            self.status.setText(f"{len(self.samples)} of {h.holdout_rows} holdout prompts, greedy decoding, "
                                f"at most {h.max_new_tokens} tokens, made {h.created_at} on {h.device}"
                                + (f" ({h.weights})." if h.weights else "."))
        except FtwizardError as exc:
            self.samples = []
            self.status.setText("No samples yet: Make samples answers N holdout prompts with the base and the tuned "
                                "model." if not (self.run_dir / SAMPLES).exists() else str(exc).splitlines()[0])
        try:
            report = read_eval(self.run_dir)
            self.metrics.setText(eval_html(report) if report else
                                 "No task metrics yet: Compute metrics judges the samples.")
        except FtwizardError as exc:
            self.metrics.setText(html.escape(str(exc).splitlines()[0]))
        self.list.clear()
        for s in self.samples:
            mark = "=" if s.tuned == s.base else "≠"
            self.list.addItem(f"{s.index + 1}. {mark} {s.prompt_text()[:60]}")
        if self.samples:
            self.list.setCurrentRow(0)
        else:
            self.detail.clear()
        self._update()
        self.reloaded.emit()

    def show_sample(self, row: int) -> None:
        if 0 <= row < len(self.samples):
            against = "base" if self.diff_against.currentIndex() == 0 else "reference"
            self.detail.setHtml(sample_html(self.samples[row], against))

    def _update(self) -> None:
        busy = self.job is not None
        self.make_button.setEnabled(not busy)
        self.eval_button.setEnabled(not busy and bool(self.samples))
        self.export_button.setEnabled(not busy)

    def _run(self, module: str, args: list[str], what: str) -> None:
        try:
            self.job = RuntimeProcess(module, args, self.python, self)
        except FtwizardError as exc:  # no training runtime is ready: say so and how to fix it
            self.job = None
            self.status.setText(f"{what}: {exc}")
            return
        self._last_event = {}
        self.job.event.connect(lambda e: setattr(self, "_last_event", e))
        self.job.finished.connect(lambda code, err: self._job_done(code, err, what))
        self.status.setText(f"{what} in the training runtime…")
        self._update()
        self.job.start()

    def make_samples(self) -> None:
        self._run("ftwizard.train.samples", [str(self.run_dir), "--n", str(self.n.value()), "--json"],
                  "Answering the holdout prompts with both models")

    def compute_metrics(self) -> None:
        self._run("ftwizard", ["runs", "eval", str(self.run_dir), "--metrics", self.kind.currentText(), "--json"],
                  "Computing the task metrics")

    def export_model(self, fmt: str, out: Path | None = None) -> None:
        """Export into `out` (a new folder), or into '<run>-<format>' in a folder the user picks."""
        if out is None:
            parent = QFileDialog.getExistingDirectory(self, "Export the model into a new folder in…", str(Path.home()))
            if not parent:
                return
            out = Path(parent) / f"{self.run_dir.name}-{fmt}"
        self._run("ftwizard.train.export", [str(self.run_dir), "--format", fmt, "--out", str(out), "--json"],
                  f"Exporting the {fmt} model to {out}")

    def _job_done(self, code: int, error: str, what: str) -> None:
        self.job = None
        self.reload()
        if code != 0:
            self.status.setText(f"{what} failed (exit {code}). {error}".strip())
        elif "out_dir" in self._last_event:
            e = self._last_event
            self.status.setText(f"Exported {e['format']} to {e['out_dir']} ({e['size_mb']:,.1f} MB, with "
                                f"{', '.join(e['licence_files']) or 'no licence file from the base'} and README.md). "
                                f"{e.get('note', '')}".strip())
        self.job_finished.emit(code)

class RunResultsWindow(QWidget):
    """A finished run's answers (samples and metrics) and its Try it chat."""

    def __init__(self, run_dir: Path, *, python: str | None = None, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(f"ftwizard — what tuning changed: {Path(run_dir).name}")
        self.resize(1000, 720)
        self.samples = SamplesView(run_dir, python=python)
        self.chat = ChatPanel(run_dir, python=python)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.samples, "&Answers")
        self.tabs.addTab(self.chat, "&Try it")
        QVBoxLayout(self).addWidget(self.tabs)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.chat.shutdown()
        super().closeEvent(event)
