"""The runner's event stream (issue 9) as the run monitor reads it: tolerant of chatter."""

from __future__ import annotations

import json

from ftwizard.runs.events import (
    CheckpointEvent,
    DoneEvent,
    ErrorEvent,
    StepEvent,
    WarningEvent,
    event_line,
    parse_event,
)


def test_each_event_survives_the_line_round_trip():
    events = [
        StepEvent(step=3, max_steps=40, epoch=0.2, loss=2.5, lr=1e-4, tokens_per_s=812.0,
                  peak_mem_gb=0.7, eta_s=55.0),
        CheckpointEvent(step=10, path="/runs/a/checkpoint-10", size_mb=1.2),
        WarningEvent(kind="data", message="2 rows skipped", count=2, line_numbers=[4, 9]),
        ErrorEvent(kind="oom", message="out of memory at step 3", suggestion="micro_batch 2 -> 1"),
        DoneEvent(step=40, eval_loss_before=3.1, perplexity_before=22.2, eval_loss_after=1.2,
                  perplexity_after=3.3, adapter_dir="/runs/a/adapter", manifest_path="/runs/a/manifest.json",
                  train_time_s=60.0, tokens_per_s=800.0, peak_mem_gb=0.8),
    ]
    for ev in events:
        line = event_line(ev)
        assert "\n" not in line
        assert parse_event(line) == ev
        assert parse_event(line.encode() + b"\n") == ev


def test_library_chatter_and_broken_lines_are_ignored_not_fatal():
    assert parse_event("Loading checkpoint shards: 100%|##########| 1/1") is None
    assert parse_event("") is None
    assert parse_event('{"event": "step", "step": ') is None  # a line cut by a kill
    assert parse_event('{"loss": 1.0}') is None  # a library's own JSON
    assert parse_event('{"event": "teleport"}') is None  # an event from a newer runner
    assert parse_event('{"event": "step", "step": "three"}') is None
    assert parse_event(b"\xff\xfe{") is None


def test_a_newer_runner_may_add_fields():
    line = json.dumps({"event": "error", "kind": "disk", "message": "disk full", "gpu_temp_c": 71})
    ev = parse_event(line)
    assert isinstance(ev, ErrorEvent) and ev.kind == "disk"
