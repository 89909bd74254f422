"""The Data page's progress: the bar says how fast and how long; a cancel shows nothing half done."""

from __future__ import annotations

import threading

from data_helpers import chat, write_jsonl
from ftwizard.gui.pages_data import DataPage, progress_text, run_inspector


def test_progress_text_is_rate_and_time_left():
    # 50 MB in 2 s: 25 MB/s; 150 MB left at that rate: 6 s.
    assert progress_text(50_000_000, 200_000_000, 2.0) == "25 MB/s, about 0:06 left"
    assert progress_text(0, 200, 1.0) == "" and progress_text(10, 200, 0.0) == ""


def test_a_cancelled_inspection_gives_no_summary_not_an_error(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", ["{broken"] * 10 + [chat(f"q {i}", "a") for i in range(5000)])
    stop = threading.Event()
    stop.set()
    messages: list[str] = []
    assert run_inspector(f, lambda fraction, message: messages.append(message), stop) is None
    done = run_inspector(f, lambda fraction, message: messages.append(message), threading.Event())
    assert done is not None and done.examples == 5000


def test_the_bar_shows_the_rate_and_a_cancel_keeps_the_fields(qtbot):
    page = DataPage()
    qtbot.addWidget(page)
    page.examples.setText("777")
    page._on_progress(0.25, "25 MB/s, about 0:06 left")
    assert page.progress.value() == 250 and "25 MB/s" in page.progress.format()
    page._on_report(None)  # what a cancelled worker hands back
    assert page.examples.text() == "777"
