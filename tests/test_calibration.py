"""Calibration: every run teaches the estimator something about this workstation."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest

from ftwizard.estimate.calibration import (
    MAX_FACTOR,
    SCHEMA_VERSION,
    CalibrationError,
    CalibrationRecord,
    CalibrationStore,
    correction_from,
)


def record(measured: float = 12.0, estimated: float = 10.0, gpu: str = "rtx-4090", **kw) -> CalibrationRecord:
    base = dict(
        gpu_name="NVIDIA GeForce RTX 4090", gpu_id=gpu, model_type="llama", params_b=8.03,
        hidden_size=4096, num_hidden_layers=32, method="qlora", seq_len=1024, micro_batch=1,
        grad_ckpt=True, optimizer="paged_adamw_8bit", estimated_peak_gb=estimated,
        measured_peak_gb=measured, estimated_tokens_per_s=2000.0, measured_tokens_per_s=1500.0,
    )
    return CalibrationRecord(**(base | kw))


def corr(store_or_records, **kw):
    args = dict(gpu_id="rtx-4090", gpu_name=None, model_type="llama", hidden_size=4096,
                num_hidden_layers=32, method="qlora") | kw
    if isinstance(store_or_records, CalibrationStore):
        return store_or_records.correction(**args)
    return correction_from(store_or_records, **args)


def test_a_fresh_store_is_uncalibrated():
    c = corr(CalibrationStore())
    assert not c.calibrated and c.memory_factor == 1.0 and "not calibrated" in c.describe()


def test_runs_that_used_more_memory_raise_later_estimates_by_a_bounded_amount():
    store = CalibrationStore()
    store.add(record(measured=12.0, estimated=10.0))
    one = corr(store)
    assert 1.0 < one.memory_factor < 1.2  # shrunk toward the estimator with one run
    assert one.speed_factor < 1.0  # measured 1500 tok/s against 2000 predicted
    for _ in range(7):
        store.add(record(measured=12.0, estimated=10.0))
    many = corr(store)
    assert one.memory_factor < many.memory_factor <= 1.2 + 1e-9  # converges toward the true 1.2
    assert many.runs == 8 and many.range_widen_fraction < one.range_widen_fraction
    assert "calibrated from 8 runs" in many.describe()


def test_an_absurd_record_cannot_move_estimates_beyond_the_clamp():
    c = corr([record(measured=500.0, estimated=10.0)] * 50)
    assert c.memory_factor == MAX_FACTOR


def test_records_of_another_gpu_or_method_do_not_apply():
    recs = [record(gpu="a100-80gb-sxm"), record(method="full")]
    assert not corr(recs).calibrated


def test_the_closest_match_wins():
    same_model = record(measured=11.0, estimated=10.0)
    other_llama = record(measured=20.0, estimated=10.0, hidden_size=2048, num_hidden_layers=16)
    c = corr([same_model, other_llama])
    assert c.runs == 1 and c.matched_on == "same model"
    c2 = corr([other_llama])
    assert c2.matched_on.startswith("same family")


def test_export_import_round_trip_for_a_team(tmp_path):
    a = CalibrationStore(tmp_path / "a.sqlite3")
    a.add(record())
    a.add(record(kind="probe", measured_reserved_gb=13.5))
    f = tmp_path / "team.json"
    assert a.export(f) == 2
    if os.name == "posix":
        assert (f.stat().st_mode & 0o777) == 0o600
    b = CalibrationStore(tmp_path / "b.sqlite3")
    assert b.import_file(f) == 2
    assert b.import_file(f) == 0  # importing twice adds nothing
    assert [r.kind for r in b.records()] == ["run", "probe"]
    assert b.clear() == 2 and b.records() == []


def test_a_bad_export_file_names_the_field(tmp_path):
    f = tmp_path / "team.json"
    f.write_text('{"schema_version": 1, "records": [{"gpu_name": 3}]}')
    with pytest.raises(CalibrationError, match=r"team\.json: \$\.records\[0\]"):
        CalibrationStore(tmp_path / "c.sqlite3").import_file(f)


def test_a_version_1_database_migrates_and_keeps_its_records(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    from ftwizard.estimate.calibration import _migrate_0_to_1

    _migrate_0_to_1(con)
    con.execute("PRAGMA user_version = 1")
    con.execute(
        "INSERT INTO records (created_at, gpu_name, gpu_id, model_type, params_b, hidden_size,"
        " num_hidden_layers, method, seq_len, micro_batch, grad_ckpt, optimizer,"
        " estimated_peak_gb, measured_peak_gb) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (dt.datetime(2026, 1, 1).isoformat(), "NVIDIA GeForce RTX 4090", "rtx-4090", "llama", 8.03,
         4096, 32, "qlora", 1024, 1, 1, "paged_adamw_8bit", 10.0, 11.0),
    )
    con.commit()
    con.close()
    store = CalibrationStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    (rec,) = store.records()
    assert rec.kind == "run" and rec.objective == "sft" and rec.measured_reserved_gb is None
    assert rec.gpus == 1 and rec.strategy == "single"
    assert corr(store).runs == 1


def test_a_corrupt_database_is_moved_aside_and_never_blocks(tmp_path):
    path = tmp_path / "calibration.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = CalibrationStore(path)
    assert store.notice and "moved" in store.notice
    assert list(tmp_path.glob("calibration.sqlite3.corrupt-*"))
    store.add(record())
    assert len(store.records()) == 1


def test_the_database_is_private(tmp_path):
    store = CalibrationStore(tmp_path / "p.sqlite3")
    store.add(record())
    if os.name == "posix":
        assert (store.path.stat().st_mode & 0o777) == 0o600


def test_cli_share_and_clear(tmp_path, capsys):
    from ftwizard.cli.main import main

    CalibrationStore().add(record())
    f = tmp_path / "share.json"
    assert main(["calibration", "export", str(f)]) == 0
    assert main(["calibration", "clear"]) == 0
    assert main(["calibration", "import", str(f)]) == 0
    capsys.readouterr()
    assert main(["calibration", "list", "--json"]) == 0
    import json

    assert len(json.loads(capsys.readouterr().out)["records"]) == 1


def test_single_and_multi_gpu_runs_never_share_a_correction():
    sharded = [record(measured=20.0, estimated=10.0, gpus=4, strategy="fsdp")] * 5
    assert not corr(sharded).calibrated  # a single-GPU estimate ignores 4-GPU records
    assert corr(sharded, gpus=4).memory_factor > 1.5


def test_the_reserved_peak_is_compared_when_recorded():
    c = corr([record(measured=8.0, estimated=10.0, measured_reserved_gb=12.0)] * 8)
    assert c.memory_factor > 1.0  # reserved 12 vs 10 estimated, not allocated 8
