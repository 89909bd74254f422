"""The probe (issue 15): a few real steps at the data's longest sequence, measured beside the
estimate; out of memory, the runner's own ladder down to the largest settings that fit.
On a CPU a memory cap stands in for the GPU (FTWIZARD_TEST_MEMORY_CAP_GB). Every probe and
every finished run with an estimate leaves a calibration record (forced on a CPU for tests)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ftwizard.estimate.calibration import CalibrationStore
from ftwizard.runs import events as ev
from ftwizard.runs.event_text import human
from ftwizard.train.faults import MEMORY_CAP_ENV, Faults
from train_fixtures import (  # noqa: F401 (fixture)
    one_torch_thread,
    run_in_process,
    tiny_model_dir,
    tiny_run_config,
    write_chat_jsonl,
)

pytestmark = [pytest.mark.slow, pytest.mark.train, pytest.mark.usefixtures("one_torch_thread")]
# The plan's peak (CUDA context included, maybe calibrated) and the uncalibrated allocator
# figure a calibration record must compare (estimate.calibration: like with like).
ESTIMATE = {"peak_vram_gb": 1.5, "allocator_peak_gb": 1.0, "tokens_per_s": 2000.0}


def of(events, cls):
    return [e for e in events if isinstance(e, cls)]


def probe_config(model_dir, tmp_path, **kw):
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=40)
    # Checkpointing off, so the ladder's first rungs are the micro-batch halvings.
    return tiny_run_config(model_dir, data, tmp_path / "run", probe=True, micro_batch=4, grad_ckpt=False,
                           estimate=ESTIMATE, **kw)


@pytest.fixture(scope="module")
def uncapped(tiny_model_dir, tmp_path_factory):  # noqa: F811
    cfg = probe_config(tiny_model_dir, tmp_path_factory.mktemp("probe"))
    code, events = run_in_process(cfg)
    return cfg, code, events


def test_a_probe_measures_the_runs_own_settings_and_writes_nothing(uncapped):
    cfg, code, events = uncapped
    assert code == ev.EXIT_OK
    start = of(events, ev.StartEvent)[0]
    assert start.probe and start.max_steps == 5
    probe = of(events, ev.ProbeEvent)[0]
    assert probe.fits and probe.config.micro_batch == 4 and len(probe.tried) == 1
    t = probe.tried[0]
    assert t.steps == 5 and 0 < t.sequence_tokens <= cfg.seq_len
    assert probe.measured_peak_gb == t.measured_peak_gb > 0 and probe.mem_kind == "process"
    assert probe.tokens_per_s == t.tokens_per_s > 0 and t.saved_activations_gb > 0
    assert (probe.estimate_peak_gb, probe.estimate_tokens_per_s) == (1.5, 2000.0)
    assert not of(events, ev.StepEvent) and not of(events, ev.CheckpointEvent)
    assert not cfg.output_dir.exists()  # no lock, no metrics, no adapter: nothing at all


def test_under_a_memory_cap_the_probe_finds_the_largest_micro_batch_that_fits(uncapped, tiny_model_dir, tmp_path):  # noqa: F811
    needs_at_4 = uncapped[2][-1].tried[0].saved_activations_gb
    cfg = probe_config(tiny_model_dir, tmp_path)
    code, events = run_in_process(cfg, Faults(memory_cap_gb=needs_at_4 * 0.99))
    probe = of(events, ev.ProbeEvent)[0]
    assert code == ev.EXIT_OK and not probe.fits
    assert [(t.config.micro_batch, t.config.grad_accum, t.fits) for t in probe.tried] == [(4, 2, False), (2, 4, True)]
    assert "out of memory" in probe.tried[0].message
    assert probe.config.micro_batch == 2 and probe.tokens_per_s > 0
    assert probe.tried[1].saved_activations_gb < needs_at_4 * 0.99
    said = human(probe)
    assert "the largest that fits is micro_batch 2 x grad_accum 4" in said and "estimate: peak 1.40 GB" in said  # 1.5e9 bytes in GB of 2^30


def test_when_nothing_fits_the_probe_walks_the_whole_ladder_and_says_so(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv(MEMORY_CAP_ENV, "0.00001")
    code, events = run_in_process(probe_config(tiny_model_dir, tmp_path), Faults.from_env(""))
    probe = of(events, ev.ProbeEvent)[0]
    assert code == ev.EXIT_OOM and probe.config is None and not any(t.fits for t in probe.tried)
    steps = [(t.config.micro_batch, t.config.grad_ckpt, t.config.optimizer) for t in probe.tried]
    assert steps[:4] == [(4, False, "paged_adamw_8bit"), (2, False, "paged_adamw_8bit"),
                         (1, False, "paged_adamw_8bit"), (1, True, "paged_adamw_8bit")]
    # Checkpointing keeps less for backward than the same batch without it.
    assert probe.tried[3].saved_activations_gb < probe.tried[2].saved_activations_gb
    assert "nothing fits" in human(probe)


def test_a_probe_and_a_finished_run_leave_calibration_records(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("FTWIZARD_TEST_CALIBRATE_CPU", "1")
    (tmp_path / "p").mkdir()
    code, _ = run_in_process(probe_config(tiny_model_dir, tmp_path / "p"))
    assert code == ev.EXIT_OK
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=40)
    code, events = run_in_process(tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=3,
                                                  estimate=ESTIMATE))
    assert code == ev.EXIT_OK
    probe, run = CalibrationStore().records()
    assert (probe.kind, probe.micro_batch, probe.grad_ckpt) == ("probe", 4, False)
    assert (run.kind, run.micro_batch, run.method, run.objective) == ("run", 2, "qlora", "sft")
    for r in (probe, run):
        assert (r.model_type, r.hidden_size, r.num_hidden_layers) == ("llama", 64, 2)
        assert r.estimated_peak_gb == 1.0 and r.measured_peak_gb > 0 and r.measured_tokens_per_s > 0
        assert r.measured_reserved_gb is None and r.torch_version
    assert run.measured_tokens_per_s == pytest.approx(of(events, ev.DoneEvent)[0].tokens_per_s)


def test_an_estimate_without_the_allocator_figure_is_not_recorded(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    """A peak that includes the CUDA context (or a calibration) is not what the allocator
    measures: recording it would teach the correction its own past."""
    monkeypatch.setenv("FTWIZARD_TEST_CALIBRATE_CPU", "1")
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=40)
    code, _ = run_in_process(tiny_run_config(tiny_model_dir, data, tmp_path / "run", max_steps=2,
                                             estimate={"peak_vram_gb": 1.5, "tokens_per_s": 2000.0}))
    assert code == ev.EXIT_OK and CalibrationStore().records() == []


def test_without_a_gpu_nothing_is_recorded(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("FTWIZARD_TEST_CALIBRATE_CPU", raising=False)
    code, _ = run_in_process(probe_config(tiny_model_dir, tmp_path))
    assert code == ev.EXIT_OK and CalibrationStore().records() == []


def test_ftwizard_train_probe_prints_the_verdict(tiny_model_dir, tmp_path):  # noqa: F811
    data = write_chat_jsonl(tmp_path / "train.jsonl", rows=40)
    out = subprocess.run(
        [sys.executable, "-m", "ftwizard", "train", "--probe", "--model-dir", str(tiny_model_dir), "--data", str(data),
         "--output", str(tmp_path / "run"), "--seq-len", "64", "--micro-batch", "2"],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "probing qlora" in out.stdout and "probe: the run's settings fit" in out.stdout
    assert "micro_batch 2 (grad_accum 8), seq_len 64, checkpointing on" in out.stdout
    assert not (tmp_path / "run").exists()
