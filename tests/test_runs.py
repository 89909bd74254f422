"""Run folders read back without Qt or torch: the history's statuses, the monitor's progress
and its pre-flight sentence, from hand-written folders that look like the runner's."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from ftwizard.base.units import mem
from ftwizard.catalog.model_folder_report import inspect_model_folder
from ftwizard.catalog.store import load_catalog
from ftwizard.runs import events as ev
from ftwizard.runs.figures import before_after_rows, estimate_rows, status_line, user_log
from ftwizard.runs.history import (
    LaunchRecord,
    list_runs,
    live_runs,
    run_status,
    runner_pid,
    summarize,
    write_launch_record,
)
from ftwizard.runs.preflight import preflight
from ftwizard.runs.progress import MetricsTail, RunProgress, read_events
from gui_support import cpu_only_workstation, rtx4090_workstation
from run_folder_helpers import (
    T0,
    cancelled_run,
    config_for,
    done,
    evaluation,
    finished_run,
    hold_run_folder,
    killed_run,
    model_folder,
    start,
    step,
    stop,
    write_events,
)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


# -- the history ------------------------------------------------------------------------------------
def test_the_history_lists_each_run_newest_first_with_how_it_ended(tmp_path):
    finished, cancelled, killed = finished_run(tmp_path), cancelled_run(tmp_path), killed_run(tmp_path)
    (tmp_path / "not-a-run").mkdir()
    runs = list_runs(tmp_path)
    assert [r.name for r in runs] == [killed.name, cancelled.name, finished.name]
    by = {r.name: r for r in runs}

    f = by[finished.name]
    assert (f.status, f.step, f.max_steps, f.model, f.method) == ("finished", 8, 8, "tiny-llama", "qlora")
    assert f.adapter_dir == str(finished / "adapter") and not f.can_resume
    assert (f.eval_loss_before, f.eval_loss_after) == (6.5, 1.7)
    assert f.started_at.timestamp() == T0 and f.finished_at.timestamp() == T0 + 10
    assert (f.peak_mem_gb, f.tokens_per_s, f.predicted_peak_vram_gb) == (0.46, 2600.0, 0.5)

    c = by[cancelled.name]
    assert c.status == "cancelled" and c.detail == "cancelled at step 3 of 8" and c.can_resume
    k = by[killed.name]
    assert k.status == "failed" and "without a final word" in k.detail and k.step == 5 and k.can_resume


def test_a_broken_run_folder_is_named_and_hides_no_other_run(tmp_path):
    finished_run(tmp_path)
    bad = tmp_path / "20261117-130000-broken"
    bad.mkdir()
    (bad / "run_config.json").write_text("{ not json", encoding="utf-8")
    (bad / "metrics.jsonl").write_text("half a line wit", encoding="utf-8")
    runs = {r.name: r for r in list_runs(tmp_path)}
    assert runs["20261117-100000-tiny-qlora"].status == "finished"
    broken = runs[bad.name]
    assert broken.status == "unknown"
    assert str(bad / "run_config.json") in broken.detail and "line 1" in broken.detail


def test_a_run_whose_folder_lock_is_held_by_a_live_runner_is_running(tmp_path):
    d = killed_run(tmp_path)  # events without an ending: killed, unless someone still holds it
    holder = hold_run_folder(d)
    try:
        assert run_status(d) == "running"
        assert runner_pid(d) == holder.pid
        assert live_runs(tmp_path) == [d]
        s = summarize(d)
        assert s.detail == "step 5 of 8" and not s.can_resume
    finally:
        stop(holder)
    assert run_status(d) == "failed" and live_runs(tmp_path) == []


def test_a_lock_note_left_by_a_killed_runner_is_not_a_live_run(tmp_path):
    d = killed_run(tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (d / "ftwizard.lock").write_text(json.dumps({"pid": int(gone.stdout), "host": None}), encoding="utf-8")
    assert run_status(d) == "failed"


def test_a_launch_speaks_for_the_runner_until_it_writes_events(tmp_path):
    import platform

    d = tmp_path / "20261117-140000-tiny-qlora"
    d.mkdir()
    other = tmp_path / "elsewhere"
    other.mkdir()
    holder = hold_run_folder(other)  # any live runner process stands in for the launched one
    try:
        record = LaunchRecord(pid=holder.pid, host=platform.node(), started_at=time.time(), python=sys.executable)
        write_launch_record(d, record)
        assert run_status(d) == "running" and summarize(d).detail == "starting"
        write_events(d, [start(t=time.time() + 1)])  # it took the lock and wrote: the lock decides now
        assert run_status(d) == "failed"
        write_launch_record(d, record.model_copy(update={"started_at": time.time() - 3600}))
        (d / "metrics.jsonl").unlink()
        assert run_status(d) == "unknown"  # an old launch that never wrote anything
    finally:
        stop(holder)


def test_an_error_before_metrics_exist_is_read_from_the_runner_stdout(tmp_path):
    d = tmp_path / "20261117-150000-tiny-qlora"
    d.mkdir()
    err = ev.ErrorEvent(kind="config", message="/models/x: model folder not found")
    (d / "runner.stdout.jsonl").write_text(ev.event_line(err) + "\n", encoding="utf-8")
    (d / "run_config.json").write_text("{}", encoding="utf-8")
    s = summarize(d)
    assert (s.status, s.detail) == ("failed", "/models/x: model folder not found")


# -- progress -------------------------------------------------------------------------------------------
def test_the_tail_reads_only_whole_new_lines(tmp_path):
    path = tmp_path / "metrics.jsonl"
    tail = MetricsTail(path)
    assert tail.read() == []  # not there yet
    line = ev.event_line(step(1, 3.0))
    path.write_text(line[:20], encoding="utf-8")
    assert tail.read() == []
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line[20:] + "\n" + "library chatter, not an event\n" + ev.event_line(step(2, 2.5)) + "\n")
    got = tail.read()
    assert [e.step for e in got] == [1, 2] and tail.read() == []
    path.write_text(ev.event_line(step(1, 9.0)) + "\n", encoding="utf-8")  # replaced by a new run
    assert [e.loss for e in tail.read()] == [9.0]


def test_a_resumed_run_continues_its_chart_without_replayed_steps(tmp_path):
    d = tmp_path / "run"
    events = ([start(), evaluation(0, "before", 6.0)] + [step(i, 6.0 - i * 0.5) for i in range(1, 6)]
              + [start(step_from=4, t=T0 + 100)] + [step(i, 9.9 - i, t=T0 + 100 + i) for i in range(5, 9)]
              + [evaluation(8, "after", 2.0, t=T0 + 110), done(d, t=T0 + 111)])
    p = RunProgress().apply_all(events)
    assert [s for s, _ in p.series["train loss"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert p.series["train loss"][4] == (5, 4.9)  # step 5 as the resumed run measured it
    assert p.series["eval loss"] == [(0, 6.0), (8, 2.0)]
    assert p.outcome == "finished" and p.step == 8 and p.fraction == 1.0


def test_the_status_line_says_step_speed_memory_and_time_left():
    p = RunProgress().apply_all([start(), evaluation(0, "before", 6.0), step(3, 2.3456)])
    assert status_line(p) == ("Step 3 of 8 · loss 2.35 · 2,500 tokens/s · peak 0.419 GB (process, CPU run) · "
                              "0:00:05 left")
    assert status_line(RunProgress().apply_all([start()])).startswith("Evaluating the base model on 10 held-out")


def test_the_result_rows_compare_before_after_and_estimate_with_measured(tmp_path):
    s = summarize(finished_run(tmp_path))
    assert before_after_rows(s)[0] == ("Eval loss", "6.5", "1.7", "-74%")
    memory, speed = estimate_rows(s)
    # 0.5 and 0.46 decimal GB (bytes / 1e9) read in the vendors' GB (2^30 bytes), as every memory figure
    assert memory == ("Peak memory (GB)", "0.466", "0.428 (process, CPU run)", "0.92")
    assert speed == ("Speed (tokens/s)", "20,000", "2,600", "0.13")


def test_read_events_skips_what_is_not_an_event(tmp_path):
    path = write_events(tmp_path / "r", [start(), step(1, 2.0)])
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"event": "step", "step": "not a number"}\n{"event": "unknown-kind"}\n')
    assert [e.event for e in read_events(path)] == ["start", "step"]


# -- before the run: the model folder and the pre-flight ---------------------------------------------
def test_the_model_folder_checklist_shows_the_licence_file(tmp_path):
    report = inspect_model_folder(model_folder(tmp_path))
    assert report.ok
    lines = [line for _, line in report.checklist()]
    assert lines[0] == "config.json: llama model" and lines[1] == "tokenizer: tokenizer.json"
    assert lines[2].startswith("weights: model.safetensors (safetensors")
    assert lines[3] == "licence: LICENSE: “LLAMA 3.1 COMMUNITY LICENSE AGREEMENT”"


def test_a_folder_without_licence_is_flagged_and_one_with_custom_code_is_refused(tmp_path):
    plain = inspect_model_folder(model_folder(tmp_path, "plain", licence=None))
    assert plain.ok and plain.checklist()[-1][0] is None and "no LICENSE" in plain.checklist()[-1][1]
    custom = model_folder(tmp_path, "custom", config={"model_type": "x", "auto_map": {"AutoModel": "modeling_x.X"}})
    (custom / "modeling_x.py").write_text("print('hi')\n")
    report = inspect_model_folder(custom)
    assert not report.ok and "modeling_x.py" in report.problem and "trust_remote_code" in report.problem
    assert inspect_model_folder(custom, trust_remote_code=True).warnings == [
        "trust_remote_code: running the model folder's own Python code: modeling_x.py"]


def test_preflight_says_how_much_memory_is_left_on_the_detected_gpu(tmp_path, catalog):
    cfg = config_for(tmp_path / "run", model_folder(tmp_path), seq_len=2048, max_steps=None,
                     catalog_model_id="llama-3.1-8b")
    result = preflight(cfg, rtx4090_workstation(), catalog)
    assert result.fits is True and result.spare_gb > 1
    # Memory in the vendors' GB (2^30 bytes), as the hardware page: the card is "of 23.5 GB free".
    assert result.message.startswith(f"Fits with {mem(result.spare_gb)} to spare on NVIDIA GeForce RTX 4090")
    assert "of 23.5 GB free" in result.message
    assert result.run_estimate().peak_vram_gb == result.peak_vram_gb
    assert result.model_match is not None and result.model_match.ok  # the Llama 3.1 8B folder, as planned


def test_preflight_says_first_when_the_folder_is_not_the_plans_model(tmp_path, catalog):
    cfg = config_for(tmp_path / "run", model_folder(tmp_path), seq_len=2048, max_steps=None)
    cfg = cfg.model_copy(update={"catalog_model_id": "qwen3-4b"})
    result = preflight(cfg, rtx4090_workstation(), catalog)
    assert result.message.startswith("⚠ The folder is not the plan's model: the plan chose Qwen3 4B")
    assert "Fits with" in result.message  # the fit of what is really there still follows


def test_preflight_says_why_a_full_fine_tune_does_not_fit(tmp_path, catalog):
    cfg = config_for(tmp_path / "run", model_folder(tmp_path), method="full", optimizer="adamw", seq_len=2048)
    result = preflight(cfg, rtx4090_workstation(), catalog)
    assert result.fits is False and result.spare_gb < 0
    assert result.message.startswith("Does not fit on NVIDIA GeForce RTX 4090: estimated peak")
    assert f"{mem(-result.spare_gb)} short" in result.message


def test_preflight_on_a_cpu_only_machine_says_the_run_goes_to_the_cpu(tmp_path, catalog):
    cfg = config_for(tmp_path / "run", model_folder(tmp_path))
    result = preflight(cfg, cpu_only_workstation(), catalog)
    assert result.fits is None and result.message.startswith("No GPU found: the runner will train on the CPU")
    assert result.run_estimate() is None


def test_a_launch_record_round_trips(tmp_path):
    from ftwizard.runs.history import read_launch_record

    d = tmp_path / "run"
    d.mkdir()
    write_launch_record(d, LaunchRecord(pid=42, host="h", started_at=T0, python="/usr/bin/python3", resume=True))
    assert read_launch_record(d).resume and (d / "launch.json").stat().st_mode & 0o777 == 0o600


def test_a_long_run_is_read_a_slice_per_poll_and_nothing_is_lost(tmp_path):
    """A reattached 6,000-step run: each poll parses at most READ_CHUNK_BYTES, the UI stays live."""
    from ftwizard.runs.progress import READ_CHUNK_BYTES

    path = write_events(tmp_path / "r", [start(max_steps=6000)] + [step(i, 2.0, max_steps=6000) for i in range(1, 6001)])
    assert path.stat().st_size > READ_CHUNK_BYTES
    tail = MetricsTail(path)
    first = tail.read()
    assert 0 < len(first) < 6001
    rest = []
    while batch := tail.read():
        rest += batch
    assert [e.step for e in first[1:] + rest] == list(range(1, 6001))


def test_the_run_pages_log_keeps_ftwizards_lines_and_errors_and_counts_the_library_chatter():
    log = "\n".join([
        "2026-11-17 10:00:00,001 INFO ftwizard.train.recipe: loading the model",
        "2026-11-17 10:00:01,002 WARNING py.warnings: /x/peft/tuners.py:12: UserWarning: target modules differ",
        "  warnings.warn(",
        "2026-11-17 10:00:02,003 WARNING transformers.modeling_utils: Some weights were not initialized",
        "2026-11-17 10:00:03,004 ERROR torch.distributed: connection refused",
        "2026-11-17 10:00:04,005 INFO __main__: step 1",
    ])
    assert user_log(log).splitlines() == [
        "2026-11-17 10:00:00,001 INFO ftwizard.train.recipe: loading the model",
        "2026-11-17 10:00:03,004 ERROR torch.distributed: connection refused",
        "2026-11-17 10:00:04,005 INFO __main__: step 1",
        "(3 lines of library messages left out here; runner.log in the run folder has them)",
    ]
    assert user_log("2026-11-17 10:00:00,001 INFO ftwizard: ok") == "2026-11-17 10:00:00,001 INFO ftwizard: ok"
