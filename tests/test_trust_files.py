"""Every file the program writes appears whole or not at all, stays in the folder the user
chose, and, when it holds the user's data, is readable by the user only."""

from __future__ import annotations

import json
import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ftwizard.base.errors import DatasetError, ExportError, FtwizardError, PlanError
from ftwizard.base.jsonio import atomic_write_bytes
from ftwizard.base.paths import config_dir, data_dir, default_runs_dir, log_dir
from ftwizard.recommend.answers import default_answers

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def sample_plan():
    from report_sample_plan import sample_plan

    return sample_plan()


def write_rows(path: Path, n: int = 20) -> Path:
    rows = [{"messages": [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}"}]}
            for i in range(n)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# --- fault injection: the write fails at each step, the old file survives -------------------------

FAULT_POINTS = ["open", "write", "fsync", "replace"]


@pytest.mark.parametrize("point", FAULT_POINTS)
def test_a_plan_save_that_fails_half_way_leaves_the_old_plan_and_no_litter(tmp_path, monkeypatch, point):
    from ftwizard.recommend.plan import load_plan, save_plan

    path = tmp_path / "plan.json"
    plan = sample_plan()
    save_plan(plan, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    target = {"open": "open", "write": "fdopen", "fsync": "fsync", "replace": "replace"}[point]
    monkeypatch.setattr(os, target, boom)
    with pytest.raises(PlanError, match=str(path)):
        save_plan(plan.model_copy(update={"chosen_index": 1}), path)
    monkeypatch.undo()
    assert path.read_bytes() == before and load_plan(path).chosen_index == plan.chosen_index
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_split_that_fails_half_way_leaves_no_half_files(tmp_path, monkeypatch):
    from ftwizard.data.split import split

    data = write_rows(tmp_path / "ward.jsonl")
    out = tmp_path / "split"
    split(data, 0.25, seed=1, out_dir=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_replace = os.replace
    calls = []

    def second_rename_fails(src, dst):  # train.jsonl is renamed, holdout.jsonl is not
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_rename_fails)
    with pytest.raises(DatasetError, match="cannot write the split"):
        split(data, 0.5, seed=2, out_dir=out)
    monkeypatch.undo()
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no temp files left
    # the rename is two steps: what a crash between them leaves is a new train and an old holdout
    assert (out / "holdout.jsonl").read_bytes() == before["holdout.jsonl"]


KILL_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ftwizard.recommend.answers import default_answers
    from ftwizard.gui import autosave
    path = Path(sys.argv[1])
    answers = default_answers()
    i = 0
    print("ready", flush=True)
    while True:  # each save a different, large answers document
        i += 1
        answers.task.description = ("x" * 4000) + str(i)
        autosave.save(answers, "task", path=path)
""")


def test_killing_the_program_mid_save_never_leaves_a_broken_autosave(tmp_path):
    from ftwizard.gui import autosave

    path = tmp_path / "autosave.json"
    rng = random.Random(14)
    kills = 8
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", KILL_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        saved, notice = autosave.load(path)
        assert notice is None and saved is not None and saved.answers.task.description.startswith("x" * 4000)
    litter = [p.name for p in tmp_path.iterdir() if p.name not in ("autosave.json", "autosave.json.lock")]
    assert all(n.startswith(".autosave.json.") and n.endswith(".tmp") for n in litter)  # only temp files


# --- paths: outputs stay in the folder the user chose -----------------------------------------


def test_a_recipe_file_name_cannot_leave_the_export_folder(tmp_path):
    from ftwizard.recommend.recipes import write_recipe

    out = tmp_path / "recipe"
    for name in ("../evil.sh", "/tmp/evil.sh", "sub/../../evil.sh"):
        with pytest.raises(ExportError, match="refusing file name"):
            write_recipe({"README.md": "ok", name: "rm -rf ~"}, out)
        assert not out.exists() and not (tmp_path / "evil.sh").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the temp folder is gone too


@pytest.mark.parametrize("writer", ["plan", "autosave", "split", "atomic"])
def test_a_link_in_place_of_an_output_is_replaced_not_followed(tmp_path, writer):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "chosen"
    folder.mkdir()
    name = {"plan": "plan.json", "autosave": "autosave.json", "split": "train.jsonl", "atomic": "report.pdf"}[writer]
    link = folder / name
    link.symlink_to(outside)
    if writer == "plan":
        from ftwizard.recommend.plan import save_plan

        save_plan(sample_plan(), link)
    elif writer == "autosave":
        from ftwizard.gui import autosave

        autosave.save(default_answers(), "task", path=link)
    elif writer == "split":
        from ftwizard.data.split import split

        split(write_rows(tmp_path / "rows.jsonl"), 0.25, out_dir=folder)
    else:
        atomic_write_bytes(link, b"%PDF-1.4", private=True)
    assert outside.read_text() == "precious"
    assert not link.is_symlink() and link.is_file()


def test_split_refuses_to_overwrite_its_input_through_a_link(tmp_path):
    from ftwizard.data.split import split

    data = write_rows(tmp_path / "rows.jsonl")
    out = tmp_path / "out"
    out.mkdir()
    (out / "train.jsonl").symlink_to(data)
    with pytest.raises(DatasetError, match="would overwrite the input"):
        split(data, 0.25, out_dir=out)
    assert data.read_text().count("\n") == 20


# --- permissions ---------------------------------------------------------------------------


@posix_only
def test_files_with_user_data_are_readable_by_the_user_only(tmp_path, capsys):
    from ftwizard.base.settings import Settings
    from ftwizard.cli.main import main
    from ftwizard.estimate.calibration import CalibrationStore
    from ftwizard.gui import autosave
    from ftwizard.gui.settings import save_settings
    from ftwizard.recommend.plan import save_plan

    old_umask = os.umask(0o022)  # the usual default: without care, files come out world-readable
    written = {
        "autosave": autosave.save(default_answers(), "task"),
        "plan": tmp_path / "plan.json",
        "calibration db": data_dir() / "calibration.sqlite3",
        "calibration export": tmp_path / "calibration-export.json",
        "split train": tmp_path / "split" / "train.jsonl",
        "split holdout": tmp_path / "split" / "holdout.jsonl",
        "dataset report": tmp_path / "report.json",
        "log": log_dir() / "ftwizard.log",
        "settings": config_dir() / "settings.json",
    }
    save_plan(sample_plan(), written["plan"])
    store = CalibrationStore()
    store.export(written["calibration export"])
    data = write_rows(tmp_path / "ward.jsonl")
    assert main(["data", "split", str(data), "--out", str(tmp_path / "split")]) == 0
    assert main(["data", "inspect", str(data), "--report", str(written["dataset report"])]) == 0
    save_settings(Settings())
    capsys.readouterr()
    os.umask(old_umask)
    modes = {name: oct(mode(p)) for name, p in written.items()}
    assert modes == {name: "0o600" for name in written}, modes
    for folder in (data_dir(), config_dir(), log_dir(), default_runs_dir()):
        assert mode(folder) == 0o700, folder


@posix_only
def test_rotated_logs_stay_private_and_bounded(monkeypatch):
    from ftwizard.base import logs
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    handler = logs.setup_logging(logging.DEBUG)
    try:
        log = logging.getLogger("ftwizard.test")
        for i in range(400):
            log.info("step %d of a long session, nothing private in it", i)
    finally:
        logging.getLogger("ftwizard").removeHandler(handler)
        handler.close()
    files = sorted(log_dir().glob("ftwizard.log*"))
    assert [f.name for f in files] == ["ftwizard.log"] + [f"ftwizard.log.{i}" for i in range(1, logs.BACKUPS + 1)]
    assert all(mode(f) == 0o600 for f in files)
    assert all(f.stat().st_size <= 2_000 for f in files)


def test_an_unwritable_destination_is_one_clear_error(tmp_path):
    missing = tmp_path / "no-such-folder" / "plan.json"
    with pytest.raises(FtwizardError, match=r"no-such-folder.*does not exist"):
        atomic_write_bytes(missing, b"{}")
