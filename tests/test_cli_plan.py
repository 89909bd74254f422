"""`ftwizard plan`: the issue's answers load unchanged, bad answers exit 2 naming the field,
the JSON contract, the saved plan, and the task description never reaching stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ftwizard.cli.main import main
from ftwizard.recommend.plan import load_plan
from recommend_helpers import EXAMPLES, ISSUE_EXAMPLE, merged, write_answers

SUPPORT_BOT = str(EXAMPLES / "answers-support-bot.json")


def test_the_issue_example_file_is_the_issue_text_unchanged():
    assert json.loads((EXAMPLES / "answers-support-bot.json").read_text(encoding="utf-8")) == ISSUE_EXAMPLE


def test_plan_json_follows_the_contract(capsys):
    assert main(["plan", "--answers", SUPPORT_BOT, "--top", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema_version"] == 1
    assert set(out["advice"]) >= {"fine_tune", "summary", "alternatives", "notes"}
    assert isinstance(out["advice"]["fine_tune"], bool)
    assert 1 <= len(out["recommendations"]) <= 3
    rec = out["recommendations"][0]
    for key in ("model_id", "hf_repo_id", "technique", "hyperparameters", "hardware", "peak_vram_gb",
                "train_hours", "train_cost_usd", "monthly_inference_usd", "score", "score_parts",
                "reasons", "warnings", "needs_multi_gpu"):
        assert key in rec
    for key in ("lora_r", "lora_alpha", "learning_rate", "epochs", "seq_len", "micro_batch",
                "grad_accum", "grad_ckpt"):
        assert key in rec["hyperparameters"]
    assert set(rec["hardware"]) >= {"where", "gpu_name", "count", "provider"}
    assert all(set(e) >= {"model_id", "reason"} for e in out["excluded"])


def test_the_task_description_never_reaches_stdout(tmp_path, capsys):
    secret = "patient 4411 consent dispute in ward B"
    path = write_answers(tmp_path, merged(ISSUE_EXAMPLE, task={"description": secret}))
    for flags in ([], ["--json"]):
        assert main(["plan", "--answers", str(path), *flags]) == 0
        captured = capsys.readouterr()
        assert secret not in captured.out and secret not in captured.err


def test_human_output_gives_advice_table_and_exclusions(capsys):
    assert main(["plan", "--answers", SUPPORT_BOT]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Fine-tune: yes.")
    assert "Ranked plans (top 5)" in out and "GeForce RTX 4090" in out and "GPU GB" in out  # names, nameplate GB
    assert "Why #1" in out and "Excluded" in out and "by language" in out


def test_json_out_saves_a_plan_that_loads_back(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["plan", "--answers", SUPPORT_BOT, "--json-out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    plan = load_plan(out)
    assert plan.summary_dict() == printed
    assert plan.answers.task.description == ISSUE_EXAMPLE["task"]["description"]


def test_weights_flag_reaches_the_plan(tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(["plan", "--answers", SUPPORT_BOT, "--weights", "quality=1,cost=1", "--json-out", str(out)]) == 0
    w = load_plan(out).weights
    assert w.quality == pytest.approx(w.cost) and w.quality > w.time


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"task": {"kind": "poetry"}}, "$.task.kind"),
        ({"languages": ["english"]}, "$.languages[0]"),
        ({"budget": {"training_usd": -5}}, "$.budget.training_usd"),
        ({"hardware": {"mode": "local", "gpus": [{"name": "x", "memory_gb": -1}]}}, "$.hardware.gpus[0].memory_gb"),
        ({"hardware": {"mode": "local", "gpus": [{"name": "Voodoo 5 6000"}]}}, "$.hardware.gpus[0].name"),
    ],
)
def test_bad_answers_exit_2_naming_the_field(tmp_path, capsys, change, field):
    path = write_answers(tmp_path, merged(ISSUE_EXAMPLE, **change))
    assert main(["plan", "--answers", str(path)]) == 2
    err = capsys.readouterr().err
    assert field in err and str(path) in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--weights", "speed=1"], "--weights"),
        (["--answers-missing"], None),
    ],
)
def test_bad_flags_are_refused(capsys, argv, needle):
    if needle is None:
        with pytest.raises(SystemExit) as exc:
            main(["plan", *argv])
        assert exc.value.code == 2
        return
    assert main(["plan", "--answers", SUPPORT_BOT, *argv]) == 2
    assert needle in capsys.readouterr().err


def test_missing_answers_file_exits_2(tmp_path, capsys):
    assert main(["plan", "--answers", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: file not found" in capsys.readouterr().err


def test_pdf_without_the_report_module_exits_2(tmp_path, capsys, monkeypatch):
    # A build without the report package (or a broken Qt) must fail cleanly, not crash.
    monkeypatch.setitem(sys.modules, "ftwizard.report.pdf", None)
    out = tmp_path / "plan.json"
    assert main(["plan", "--answers", SUPPORT_BOT, "--pdf", str(tmp_path / "p.pdf"), "--json-out", str(out)]) == 2
    assert "PDF export not available yet" in capsys.readouterr().err
    assert not (tmp_path / "p.pdf").exists()
    assert load_plan(out).recommendations, "the JSON plan asked for is still saved"


def test_the_electricity_tariff_prices_local_runs_and_is_kept_in_the_plan(tmp_path, capsys):
    cheap, dear = tmp_path / "cheap.json", tmp_path / "dear.json"
    assert main(["plan", "--answers", SUPPORT_BOT, "--json-out", str(cheap)]) == 0
    assert main(["plan", "--answers", SUPPORT_BOT, "--electricity", "0.6", "--json-out", str(dear)]) == 0
    a, b = load_plan(cheap), load_plan(dear)
    assert a.electricity_usd_per_kwh == pytest.approx(0.30) and b.electricity_usd_per_kwh == pytest.approx(0.6)
    costs = {(r.model_id, r.technique): r.train_cost_usd for r in a.recommendations}
    shared = [r for r in b.recommendations if (r.model_id, r.technique) in costs]
    assert shared
    for r in shared:
        assert r.train_cost_usd == pytest.approx(2 * costs[(r.model_id, r.technique)], abs=0.011)
    assert main(["plan", "--answers", SUPPORT_BOT, "--electricity", "-1"]) == 2
    assert "--electricity" in capsys.readouterr().err


def test_detect_mode_can_use_a_saved_hardware_profile(tmp_path, capsys):
    import datetime as dt

    from ftwizard.hardware.profile import CpuInfo, GpuInfo, HardwareProfile

    profile = HardwareProfile(
        detected_at=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC),
        os="Linux 6.8 x86_64",
        os_system="Linux",
        cpu=CpuInfo(logical_cores=16),
        gpus=[GpuInfo(index=0, vendor="nvidia", name="NVIDIA RTX A6000", backend="nvml",
                      memory_total_gib=47.99, memory_free_gib=47.5, catalog_gpu_id="rtx-a6000")],
    )
    hw = tmp_path / "hardware.json"
    hw.write_text(profile.model_dump_json(), encoding="utf-8")
    answers = write_answers(tmp_path, merged(ISSUE_EXAMPLE, hardware={"mode": "detect", "gpus": []}))
    out = tmp_path / "plan.json"
    assert main(["plan", "--answers", str(answers), "--hardware-profile", str(hw), "--json-out", str(out)]) == 0
    plan = load_plan(out)
    assert plan.hardware == profile
    assert {r.hardware.gpu_id for r in plan.recommendations} == {"rtx-a6000"}
    hw.write_text("{}", encoding="utf-8")
    assert main(["plan", "--answers", str(answers), "--hardware-profile", str(hw)]) == 2
    assert "hardware.json: $.detected_at" in capsys.readouterr().err


def test_a_bad_pdf_path_leaves_no_json_behind(tmp_path, capsys):
    """Both destinations are checked before either is written."""
    from ftwizard.cli.main import main

    answers = Path(__file__).resolve().parents[1] / "examples" / "answers-support-bot.json"
    out_json = tmp_path / "plan.json"
    code = main(["plan", "--answers", str(answers), "--json-out", str(out_json),
                 "--pdf", str(tmp_path / "missing" / "plan.pdf")])
    assert code == 2 and "does not exist" in capsys.readouterr().err
    assert not out_json.exists()
