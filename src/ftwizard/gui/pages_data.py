"""The Data page: how much data, typed in or measured by the dataset inspector."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from ftwizard.base.errors import DatasetError
from ftwizard.base.units import parse_count
from ftwizard.gui import workers
from ftwizard.gui.forms import QuestionPage, hint_label
from ftwizard.recommend.answers import DataAnswers
from ftwizard.recommend.wizard_state import section_errors

DATASET_FILTER = "Datasets (*.jsonl *.json *.csv *.parquet *.txt);;All files (*)"


@dataclass(frozen=True)
class InspectorSummary:
    """What the Data page takes from a DatasetReport: counts, never contents."""

    examples: int
    avg_tokens: float
    p95_tokens: int | None
    preference_pairs: bool
    text: str
    edges: list[float]
    counts: list[int]
    report: object = None  # the DatasetReport itself: file, SHA-256 and PII scan for the plan PDF


def progress_text(done: int, total: int, elapsed_s: float) -> str:
    """'120 MB/s, about 0:07 left': rate = bytes read / seconds so far (1 MB = 10^6 bytes),
    time left = bytes left / that rate. Empty until there is a rate to speak of."""
    if elapsed_s <= 0 or done <= 0:
        return ""
    rate = done / elapsed_s
    left = int(max(0, total - done) / rate + 0.5)
    return f"{rate / 1e6:,.0f} MB/s, about {left // 60}:{left % 60:02d} left"


def run_inspector(path: Path, progress, cancel) -> InspectorSummary | None:
    """The dataset inspector (data) in a worker; progress as a fraction of bytes read,
    with the rate and time left as its message. None when cancelled (nothing to show)."""
    import time

    from ftwizard.data.inspection import inspect

    started = time.monotonic()

    def on_bytes(done: int, total: int) -> None:
        progress(done / total if total else 0.0, progress_text(done, total, time.monotonic() - started))

    report = inspect(path, progress=on_bytes, cancel=cancel)
    if report.cancelled:
        return None
    tokens = report.tokens
    if tokens is None or report.rows_good == 0:
        raise DatasetError(f"{path.name}: no usable row among {report.rows_read:,} "
                           f"({report.rows_bad:,} with problems; `ftwizard data inspect` lists them)")
    how = "counted with the model's tokenizer" if tokens.method == "tokenizer" else "estimated from characters"
    lines = [
        f"{path.name}: {report.rows_good:,} usable examples of {report.rows_read:,} rows "
        f"({report.format} format); {report.rows_bad:,} rows have problems.",
        f"Tokens {how}: mean {tokens.mean_tokens:,.0f}, median {tokens.p50_tokens:,}, "
        f"95th percentile {tokens.p95_tokens:,}, longest {tokens.max_tokens:,}.",
    ]
    if report.pii is not None and report.pii.rows_with_any:
        lines.append(f"⚠ {report.pii.rows_with_any:,} rows look like they hold personal data "
                     "(names, e-mails, numbers): check before training.")
    hist = report.histogram
    return InspectorSummary(
        examples=report.rows_good,
        avg_tokens=tokens.mean_tokens,
        p95_tokens=tokens.p95_tokens or None,
        preference_pairs=report.format == "preference",
        text="\n".join(lines),
        edges=[float(e) for e in hist.edges_tokens] if hist else [],
        counts=list(hist.counts) if hist else [],
        report=report,
    )


class HistogramView(QWidget):
    """Token lengths as bars; small and dependency-free (pyqtgraph is kept for Results)."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Token length histogram")
        self._edges: list[float] = []
        self._counts: list[int] = []
        self.hide()

    def set_data(self, edges: list[float], counts: list[int]) -> None:
        self._edges, self._counts = list(edges), list(counts)
        self.setVisible(bool(counts))
        if counts:
            self.setAccessibleDescription(
                f"{sum(counts):,} examples from {edges[0]:,.0f} to {edges[-1]:,.0f} tokens"
            )
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self._counts:
            return
        p = QPainter(self)
        pal = self.palette()
        text_h = self.fontMetrics().height() + 2
        area = QRectF(self.rect()).adjusted(2, 2, -2, -text_h)
        top = max(self._counts) or 1
        width = area.width() / len(self._counts)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pal.color(QPalette.ColorRole.Highlight))
        for i, n in enumerate(self._counts):
            h = area.height() * n / top
            p.drawRect(QRectF(area.left() + i * width + 1, area.bottom() - h, max(1.0, width - 2), h))
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        y = self.rect().bottom() - 2
        p.drawText(int(area.left()), y, f"{self._edges[0]:,.0f} tokens")
        right = f"{self._edges[-1]:,.0f} tokens"
        p.drawText(int(area.right() - self.fontMetrics().horizontalAdvance(right)), y, right)
        p.end()


class DataPage(QuestionPage):
    page_id = "data"

    def __init__(self) -> None:
        super().__init__("How much data do you have?", "Type the numbers, or pick a dataset file "
                         "and let the inspector count (the file is read here; nothing leaves "
                         "this computer).")
        self.examples = self.add_row(
            "&Examples:", QLineEdit(),
            "How many training examples you have or will have. Under ~2,000, adapters (LoRA, "
            "QLoRA) beat full fine-tuning; training time grows with examples × length.",
            "examples", "Number of training examples")
        self.avg_tokens = self.add_row(
            "&Average length (tokens):", QLineEdit(),
            "Mean tokens per example (about ¾ of a word each in English). It sets the "
            "sequence length, which drives activation memory and time.",
            "avg_tokens", "Average example length in tokens")
        self.p95_tokens = self.add_row(
            "95th &percentile (tokens):", QLineEdit(),
            "Optional. The length 95% of examples fit in; used to pick the sequence length "
            "so long examples are not cut.", "p95_tokens", "95th percentile length in tokens")
        self.p95_tokens.setPlaceholderText("optional")
        self.pairs = self.add_row(
            "", QCheckBox("The data is preference pairs (a better and a &worse answer)"),
            "Preference pairs allow DPO, which teaches the model which answer to prefer.",
            "preference_pairs", "Preference pairs")

        self.pick = QPushButton("&Inspect a dataset file…")
        self.pick.setAccessibleName("Inspect a dataset file")
        self.pick.clicked.connect(self._choose_file)
        self.cancel = QPushButton("Cance&l")
        self.cancel.setAccessibleName("Cancel dataset inspection")
        self.cancel.clicked.connect(self._cancel)
        self.cancel.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Dataset inspection progress")
        self.progress.hide()
        row = QHBoxLayout()
        row.addWidget(self.pick)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel)
        row.addStretch(0)
        self.form.addRow("Dataset:", row)
        self.report = QLabel()
        self.report.setWordWrap(True)
        self.report.setAccessibleName("Dataset inspection result")
        self.form.addRow("", self.report)
        self.histogram = HistogramView()
        self.form.addRow("", self.histogram)
        self.form.addRow("", hint_label("Supported: JSONL/JSON with messages, ShareGPT, Alpaca, "
                                        "prompt/completion, text or preference rows."))
        self._worker: workers.Worker | None = None
        for edit in (self.examples, self.avg_tokens, self.p95_tokens):
            edit.textChanged.connect(self.refresh)

    # -- answers <-> widgets -----------------------------------------------------
    def load(self, answers) -> None:
        d = answers.data
        self.examples.setText(str(d.examples))
        self.avg_tokens.setText(str(d.avg_tokens))
        self.p95_tokens.setText("" if d.p95_tokens is None else str(d.p95_tokens))
        self.pairs.setChecked(d.preference_pairs)

    def _values(self) -> tuple[dict, dict[str, str]]:
        values: dict = {"preference_pairs": self.pairs.isChecked()}
        errors: dict[str, str] = {}
        fields = (
            ("examples", self.examples, 1, "the number of examples"),  # 0 examples teach nothing
            ("avg_tokens", self.avg_tokens, 1, "the average length in tokens"),
            ("p95_tokens", self.p95_tokens, 1, "the 95th percentile length"),
        )
        for key, edit, minimum, what in fields:
            if key == "p95_tokens" and not edit.text().strip():
                values[key] = None
                continue
            try:
                values[key] = parse_count(edit.text(), minimum=minimum, maximum=1_000_000_000, what=what)
            except ValueError as exc:
                errors[key] = str(exc)
        return values, errors

    def problems(self) -> dict[str, str]:
        values, errors = self._values()
        if errors:
            return errors
        errors = section_errors(DataAnswers, values)
        if not errors and values["p95_tokens"] is not None and values["p95_tokens"] < values["avg_tokens"]:
            errors["p95_tokens"] = "the 95th percentile cannot be below the average"
        return errors

    def apply(self, answers):
        values, _ = self._values()
        return answers.model_copy(update={"data": DataAnswers(**values)})

    # -- the inspector, in a worker ----------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Pick a dataset file", str(Path.home()), DATASET_FILTER)
        if path:
            self.inspect_file(Path(path))

    def inspect_file(self, path: Path) -> workers.Worker:
        """Run the inspector on `path` in the background; fills the fields when done."""
        self._cancel()
        worker = workers.Worker(run_inspector, path)
        worker.signals.progress.connect(self._on_progress)
        worker.signals.done.connect(self._on_report)
        worker.signals.failed.connect(self._on_failed)
        worker.signals.finished.connect(self._on_finished)
        self._worker = worker
        self.report.setText(f"Reading {path.name}…")
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.show()
        self.cancel.show()
        self.pick.setEnabled(False)
        return workers.start(worker)

    def _cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.report.setText("Inspection cancelled; the numbers above were kept.")

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(f"%p% · {message}" if message else "%p%")
        self.progress.setAccessibleDescription(message)

    def _on_report(self, summary: InspectorSummary | None) -> None:
        if summary is None:  # cancelled: keep what the page holds
            return
        self.examples.setText(str(summary.examples))
        self.avg_tokens.setText(str(max(1, round(summary.avg_tokens))))
        self.p95_tokens.setText(str(summary.p95_tokens) if summary.p95_tokens else "")
        self.pairs.setChecked(summary.preference_pairs)
        self.report.setText(summary.text)
        self.histogram.set_data(summary.edges, summary.counts)
        self.dataset_report = summary.report

    def _on_failed(self, message: str) -> None:
        self.report.setText(f"⚠ The file could not be inspected: {message}")

    def _on_finished(self) -> None:
        self._worker = None
        self.progress.hide()
        self.cancel.hide()
        self.pick.setEnabled(True)
