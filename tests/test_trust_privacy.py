"""Privacy, end to end: a canary planted in a dataset and in the task description never shows
up in a log, a report of the data, a manifest, metrics or the terminal, whatever the user
runs. The files a user asks for that are the content (the split dataset, the saved plan and
autosave with the answers, the PDF showing the answers as given) hold it, written 0600."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ftwizard.base.logs import setup_logging
from ftwizard.cli.main import main

CANARY = "CANARY-91f2-Whitcombe-ward-9"
ROOT = Path(__file__).resolve().parents[1]


def plant_dataset(path: Path) -> Path:
    c = CANARY
    rows = [
        {"messages": [{"role": "system", "content": f"you help {c}"}, {"role": "user", "content": f"{c} asks about dosage"},
                      {"role": "assistant", "content": f"{c}: take two"}]},
        {"messages": [{"role": "user", "content": f"mail {c}@example.org or call +44 20 7946 0958"},
                      {"role": "assistant", "content": f"noted for {c}"}]},
        {"messages": [{"role": "user", "content": c}]},  # no answer: a problem row
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], c: "unknown key"},
    ]
    lines = [json.dumps(r) for r in rows] + ['{"messages": [{"role": "user", "content": "' + c + '"']  # broken JSON
    lines += [json.dumps({"messages": [{"role": "user", "content": f"question {i} from {c}"},
                                       {"role": "assistant", "content": f"answer {i}"}]}) for i in range(30)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def plant_answers(path: Path, description: str | None = None) -> Path:
    answers = json.loads((ROOT / "examples" / "answers-support-bot.json").read_text(encoding="utf-8"))
    answers["task"]["description"] = description or f"Summarise the ward notes of {CANARY} for the GP"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


def files_under(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file())


def holds_canary(data: bytes) -> bool:
    lowered = data.lower()
    return any(form in lowered for form in (CANARY.lower().encode("utf-8"), CANARY.lower().encode("utf-16-le")))


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    return meta, "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture()
def debug_logging():
    handler = setup_logging(logging.DEBUG)  # the real rotating file, at its most talkative
    yield handler
    logging.getLogger("ftwizard").removeHandler(handler)
    handler.close()


@pytest.mark.slow
def test_the_canary_stays_in_the_users_own_files(tmp_path, capsys, caplog, debug_logging, qtbot):
    caplog.set_level(logging.DEBUG)
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    out.mkdir()
    data = plant_dataset(inputs / "ward.jsonl")
    answers = plant_answers(inputs / "answers.json")
    too_long = plant_answers(inputs / "too-long.json", description=CANARY * 300)

    codes = [
        main(["data", "inspect", str(data)]),
        main(["data", "inspect", str(data), "--json", "--report", str(out / "report.json")]),
        main(["data", "split", str(data), "--out", str(out / "split"), "--json"]),
        main(["plan", "--answers", str(answers), "--top", "3"]),
        main(["plan", "--answers", str(answers), "--top", "3", "--json", "--json-out", str(out / "plan.json"),
              "--pdf", str(out / "plan.pdf")]),
        main(["export", "recipe", "--plan", str(out / "plan.json"), "--engine", "slurm", "--out", str(out / "recipe")]),
        main(["export", "pdf", "--plan", str(out / "plan.json"), "--out", str(out / "again.pdf")]),
        main(["doctor", "--json", "--no-runtime"]),
        main(["detect", "--json"]),
        main(["plan", "--answers", str(too_long)]),  # refused: the message names the field, not the text
    ]
    assert codes == [0, 0, 0, 0, 0, 0, 0, 0, 0, 2]

    walk_the_wizard_with_the_canary(qtbot)
    captured = capsys.readouterr()
    home = Path(os.environ["FTWIZARD_HOME"])

    # The user's own content files: they hold it by design, and only the user can read them.
    content = {
        out / "split" / "train.jsonl", out / "split" / "holdout.jsonl",  # the dataset, split
        out / "plan.json",  # the whole plan, answers included (--json-out)
        home / "data" / "autosave.json",  # the answers the user typed
    }
    assert all(holds_canary(p.read_bytes()) for p in content - {out / "split" / "holdout.jsonl"})
    pdfs = {out / "plan.pdf", out / "again.pdf"}
    for pdf in pdfs:
        meta, text = pdf_text(pdf)
        assert CANARY in text.replace("\n", "")  # the answers as given: the user asked for this report
        assert CANARY not in meta  # but not in the title or subject a file indexer shows
    if os.name == "posix":
        assert all((p.stat().st_mode & 0o777) == 0o600 for p in content | pdfs)

    # Everything else the program wrote: logs, reports, recipes, lock files, the calibration db...
    scanned = [p for p in files_under(home, out) if p not in content | pdfs]
    assert any(p.name == "ftwizard.log" for p in scanned) and any(p.parent.name == "recipe" for p in scanned)
    leaks = [str(p) for p in scanned if holds_canary(p.read_bytes())]
    assert leaks == []
    log_text = (home / "logs" / "ftwizard.log").read_text(encoding="utf-8")
    assert "ward.jsonl" in log_text  # the log is real and was written to
    for text in (captured.out, captured.err, caplog.text, json.dumps([str(r.args) for r in caplog.records])):
        assert CANARY.lower() not in text.lower()


def walk_the_wizard_with_the_canary(qtbot) -> None:
    """The GUI offscreen: a crashed session with the canary resumed, ranked, closed."""
    from ftwizard.gui import autosave, workers
    from ftwizard.gui.wizard import PAGE_INDEX, WizardWindow
    from ftwizard.recommend.answers import load_answers
    from gui_support import click_next, rtx4090_workstation, wait_for_plan

    answers = load_answers(plant_answers(Path(os.environ["FTWIZARD_HOME"]) / "typed.json"))
    Path(os.environ["FTWIZARD_HOME"], "typed.json").unlink()
    autosave.save(answers, "hardware")  # the program died on the hardware page
    w = WizardWindow(detector=rtx4090_workstation)
    qtbot.addWidget(w)
    w.show()
    w.finish_setup()
    qtbot.waitUntil(lambda: not w.pages["hardware"].detecting(), timeout=20_000)
    click_next(qtbot, w)  # resume
    qtbot.waitUntil(lambda: w.currentId() == PAGE_INDEX["hardware"], timeout=20_000)
    click_next(qtbot, w)
    wait_for_plan(qtbot, w)
    w.close()
    workers.wait_all(20_000)


# --- the runner ------------------------------------------------------------------------------

from train_fixtures import tiny_model_dir  # noqa: E402, F401 (fixture)


@pytest.mark.slow
@pytest.mark.train
def test_the_runner_never_writes_the_canary_outside_the_model_it_trains(tiny_model_dir, tmp_path):  # noqa: F811
    data = plant_dataset(tmp_path / "ward.jsonl")
    run_dir = tmp_path / "run"
    cfg = {"schema_version": 1, "model_dir": str(tiny_model_dir), "data_path": str(data), "output_dir": str(run_dir),
           "seq_len": 64, "micro_batch": 2, "grad_accum": 1, "max_steps": 3, "save_every": 2, "lora_r": 4,
           "lora_alpha": 8, "holdout_fraction": 0.2}
    (tmp_path / "run.json").write_text(json.dumps(cfg))
    proc = subprocess.run([sys.executable, "-m", "ftwizard.train", str(tmp_path / "run.json")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    done = json.loads(proc.stdout.splitlines()[-1])
    assert done["event"] == "done"
    assert CANARY.lower() not in proc.stdout.lower() and CANARY.lower() not in proc.stderr.lower()
    written = files_under(run_dir)
    names = {p.name for p in written}
    assert {"manifest.json", "metrics.jsonl", "runner.log", "run_config.json"} <= names
    # samples.jsonl (issue 27) quotes holdout prompts beside base and tuned answers on purpose: the
    # one file allowed to hold the data's words, and then readable by the user only.
    quoting = [p for p in written if holds_canary(p.read_bytes())]
    assert [str(p) for p in quoting if p.name != "samples.jsonl"] == []
    if os.name == "posix":
        assert all(p.stat().st_mode & 0o777 == 0o600 for p in quoting), [oct(p.stat().st_mode) for p in quoting]
    if os.name == "posix":
        assert (run_dir / "manifest.json").stat().st_mode & 0o777 == 0o600
        assert run_dir.stat().st_mode & 0o777 == 0o700
