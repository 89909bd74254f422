"""Issue 25, second red-team round: each case it reproduced, as a test.

Huge integers and non-finite numbers in any JSON input (one error path: exit 2 naming file and
line; a bad dataset row stays a bad row; a GUI state file is moved aside), nothing of the
user's trained over, a full disk named as such, broken model folders as bad input, and the
small ones (the run config's place and mode, UTF-16 datasets, devices and FIFOs, the umask)."""

from __future__ import annotations

import copy
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ftwizard.base.errors import FtwizardError, RunConfigError
from ftwizard.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
HUGE = "9" * 5000  # past Python's 4,300-digit limit on int(str)
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX files")


def answers_text(**replace: str) -> str:
    text = (ROOT / "examples" / "answers-support-bot.json").read_text(encoding="utf-8")
    text = json.dumps(json.loads(text), indent=2)
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def chat_rows(n: int) -> list[str]:
    return [json.dumps({"messages": [{"role": "user", "content": f"question {i}"},
                                     {"role": "assistant", "content": f"answer {i}"}]}) for i in range(n)]


# --- item 3: huge integers, one error path ------------------------------------------------------


def _huge_answers(tmp_path: Path) -> list[str]:
    p = tmp_path / "answers.json"
    p.write_text(answers_text(**{'"examples": 2000': f'"examples": {HUGE}'}), encoding="utf-8")
    return ["plan", "--answers", str(p)]


def _huge_catalog(tmp_path: Path) -> list[str]:
    p = tmp_path / "site.json"
    p.write_text('{"schema_version": 1,\n "version": "site-1",\n "models": [],\n "gpus": [' + HUGE + "]}\n")
    return ["catalog", "validate", str(p)]


def _huge_model_config(tmp_path: Path) -> list[str]:
    d = tmp_path / "model"
    d.mkdir()
    (d / "config.json").write_text('{"model_type": "llama",\n "hidden_size": ' + HUGE + "}\n")
    return ["estimate", "--model", str(d), "--method", "lora", "--seq-len", "512"]


def _huge_run_config(tmp_path: Path) -> list[str]:
    p = tmp_path / "run.json"
    p.write_text('{"model_dir": "m", "data_path": "d.jsonl", "output_dir": "o",\n "seed": ' + HUGE + "}\n")
    return ["train", "--config", str(p)]


@pytest.mark.parametrize("make", [_huge_answers, _huge_catalog, _huge_model_config, _huge_run_config],
                         ids=["plan --answers", "catalog validate", "estimate --model DIR", "train --config"])
def test_a_5000_digit_integer_is_exit_2_naming_file_and_line(tmp_path, capsys, make):
    argv = make(tmp_path)
    code, _, err = cli(capsys, *argv)
    assert code == 2, err
    first = err.splitlines()[0]
    assert "line 2" in first or "line " in first, first
    assert str(tmp_path) in first and "5000 digits" in first, first
    assert "Traceback" not in err


@pytest.mark.parametrize("container", ["jsonl", "json"])
def test_a_huge_integer_in_a_dataset_row_is_one_bad_row(tmp_path, capsys, container):
    rows = chat_rows(4)
    rows[1] = rows[1][:-1] + f', "n": {HUGE}}}'
    data = tmp_path / f"train.{container}"
    data.write_text("\n".join(rows) + "\n" if container == "jsonl" else "[\n" + ",\n".join(rows) + "\n]\n")
    code, out, err = cli(capsys, "data", "inspect", str(data), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["rows_read"] == 4 and report["rows_good"] == 3, report
    assert report["problems"][0]["line"] == (2 if container == "jsonl" else 3) and "5000 digits" in report["problems"][0]["reason"]
    code, out, err = cli(capsys, "data", "split", str(data), "--out", str(tmp_path / "split"), "--holdout", "0.25")
    assert code == 0, err
    written = [ln for f in ("train.jsonl", "holdout.jsonl") for ln in (tmp_path / "split" / f).read_text().splitlines()]
    assert len(written) == 3 and not any(HUGE in ln for ln in written)


def test_non_finite_numbers_are_invalid_json_at_their_line():
    from ftwizard.base.jsonio import loads

    for text, line, col in [('{"a": 1,\n "b": NaN}', 2, 7), ('[1,\n\n -Infinity]', 3, 2), ('{"x": "1e999",\n "y": 1e999}', 2, 7),
                            ('["9999", "NaN", 2]', None, None)]:
        if line is None:
            assert loads(text) == ["9999", "NaN", 2]  # digits and words inside strings are text
            continue
        with pytest.raises(json.JSONDecodeError) as caught:
            loads(text)
        assert (caught.value.lineno, caught.value.colno) == (line, col), caught.value


# --- items 3 and 6: the GUI's own files ------------------------------------------------------------


def test_a_huge_integer_in_the_autosave_is_moved_aside_with_a_notice(tmp_path):
    from ftwizard.gui import autosave

    path = tmp_path / "autosave.json"
    raw = ('{"schema_version": 1, "saved_at": "2026-11-28T09:00:00", "page": "budget", "clean_exit": ' + HUGE + "}").encode()
    path.write_bytes(raw)
    assert autosave.peek(path).exists
    saved, notice = autosave.load(path)
    aside = list(tmp_path.glob("autosave.corrupt-*.json"))
    assert saved is None and len(aside) == 1 and aside[0].read_bytes() == raw
    assert str(aside[0]) in notice and "5000 digits" in notice


@pytest.mark.parametrize("raw", [b'{"schema_version": 1, "electricity_usd_per_kwh": ' + HUGE.encode() + b"}",
                                 b'{"schema_version": 1, "electricity_usd_per_kwh": Infinity}',
                                 b'{"schema_version": 1, "currency": 5}', b"\xff\xfe{"],
                         ids=["huge", "infinity", "wrong type", "utf16"])
def test_bad_settings_are_kept_aside_before_the_defaults_are_saved(tmp_path, raw):
    from ftwizard.base.settings import Settings
    from ftwizard.gui.settings import load_settings, save_settings

    path = tmp_path / "settings.json"
    path.write_bytes(raw)
    settings, notice = load_settings(path)
    assert settings == Settings()
    aside = list(tmp_path.glob("settings.corrupt-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == raw, "the bad file was not kept"
    assert str(aside[0]) in notice
    save_settings(settings, path)  # what the window does at exit
    assert aside[0].read_bytes() == raw and load_settings(path) == (Settings(), None)


def test_the_settings_notice_shows_beside_the_crash_notice(qtbot):
    from ftwizard.gui.autosave import Peek
    from ftwizard.gui.page_welcome import WelcomePage

    page = WelcomePage(Peek(exists=False))
    qtbot.addWidget(page)
    page.set_autosave(Peek(exists=True, crashed=True, page="budget"), "Settings were reset to defaults: x. It was moved to y.")
    assert "did not close normally" in page.notice.text() and "Settings were reset" in page.notice.text()


def test_the_wizard_shows_both_notices(qtbot):
    """A broken autosave and broken settings on the same start: both notices reach the page."""
    from ftwizard.base.paths import config_dir, data_dir
    from ftwizard.catalog.store import load_catalog
    from ftwizard.gui.wizard import WizardWindow
    from gui_support import rtx4090_workstation

    data_dir().mkdir(parents=True, exist_ok=True)
    config_dir().mkdir(parents=True, exist_ok=True)
    (data_dir() / "autosave.json").write_text("{broken")
    (config_dir() / "settings.json").write_text('{"currency": ' + HUGE + "}")
    w = WizardWindow(detector=rtx4090_workstation, catalog=load_catalog())
    qtbot.addWidget(w)
    w.finish_setup()
    text = w.welcome.notice.text()
    assert "autosaved session could not be read" in text and "Settings were reset" in text, text
    assert list(config_dir().glob("settings.corrupt-*.json")) and list(data_dir().glob("autosave.corrupt-*.json"))


# --- item 7: finite ranges at the edge, and nothing written that cannot be read back --------------


def test_infinity_in_the_answers_is_refused_and_no_plan_is_written(tmp_path, capsys):
    p = tmp_path / "answers.json"
    p.write_text(answers_text(**{'"training_usd": 500': '"training_usd": Infinity'}), encoding="utf-8")
    code, _, err = cli(capsys, "plan", "--answers", str(p), "--json-out", str(tmp_path / "plan.json"))
    assert code == 2 and f"{p}: line " in err and "Infinity is not a number" in err
    assert not (tmp_path / "plan.json").exists()


@pytest.mark.parametrize("argv", [
    ["plan", "--answers", "ANSWERS", "--electricity", "inf"],
    ["estimate", "--model", "qwen2.5-7b", "--method", "lora", "--seq-len", "512", "--epochs", "inf"],
    ["estimate", "--model", "qwen2.5-7b", "--method", "lora", "--seq-len", "512", "--epochs", "nan"],
    ["train", "--model-dir", "m", "--data", "d.jsonl", "--output", "o", "--lr=-inf"],
], ids=["electricity inf", "epochs inf", "epochs nan", "lr -inf"])
def test_non_finite_flags_are_refused_by_the_parser(tmp_path, capsys, argv):
    (tmp_path / "a.json").write_text(answers_text())
    argv = [str(tmp_path / "a.json") if a == "ANSWERS" else a for a in argv]
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert "is not a finite number" in capsys.readouterr().err


@pytest.mark.parametrize("field, value", [("training_usd", "1e300"), ("examples", "1" + "0" * 200)])
def test_absurd_answers_are_refused_naming_the_field(tmp_path, capsys, field, value):
    old = '"training_usd": 500' if field == "training_usd" else '"examples": 2000'
    p = tmp_path / "answers.json"
    p.write_text(answers_text(**{old: f'"{field}": {value}'}))
    code, _, err = cli(capsys, "plan", "--answers", str(p))
    assert code == 2 and f"{p}: $." in err and field in err, err


def test_a_user_catalog_price_of_infinity_is_refused(tmp_path, capsys):
    price = json.loads((ROOT / "resources" / "catalog" / "prices.json").read_text())["prices"][0]
    doc = {"schema_version": 1, "version": "site-1", "as_of": "2027-01-15", "prices": [price | {"id": "site"}]}
    text = json.dumps(doc, indent=1).replace(json.dumps(price["usd_per_gpu_hour"]), "Infinity", 1)
    p = tmp_path / "site.json"
    p.write_text(text)
    code, _, err = cli(capsys, "catalog", "validate", str(p))
    assert code == 2 and f"{p}: line " in err and "Infinity" in err, err


def test_a_run_config_with_infinite_epochs_is_refused_and_never_written(tmp_path):
    from ftwizard.base.jsonio import write_model
    from ftwizard.runs.config import RunConfig, run_config_from_dict

    base = {"model_dir": "m", "data_path": "d.jsonl", "output_dir": "o"}
    for epochs in (float("inf"), 1e30):
        with pytest.raises(RunConfigError, match="epochs"):
            run_config_from_dict(base | {"epochs": epochs})
    # A model built around validation (model_construct) still cannot reach the disk as null.
    bad = RunConfig.model_construct(**(RunConfig.model_validate(base).model_dump() | {"epochs": float("inf")}))
    with pytest.raises(FtwizardError, match=r"not written: .*run\.json: \$\.epochs"):
        write_model(tmp_path / "run.json", bad)
    assert not (tmp_path / "run.json").exists()


# --- item 2: never train over someone else's files -----------------------------------------------


def _finished_run(d: Path) -> Path:
    (d / "adapter").mkdir(parents=True)
    (d / "adapter" / "README.md").write_text("someone's adapter card")
    (d / "manifest.json").write_text('{"someone": "else"}')
    (d / "metrics.jsonl").write_text('{"event": "done"}\n')
    (d / "run_config.json").write_text(json.dumps({"model_dir": str(d.parent / "m"), "data_path": str(d.parent / "d.jsonl"),
                                                   "output_dir": str(d)}))
    return d


def _snapshot(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("resume", [False, True], ids=["new run", "--resume"])
def test_train_refuses_a_folder_holding_a_finished_run_and_touches_nothing(tmp_path, capsys, monkeypatch, resume):
    """The red team's case: the only checkpoint of a finished run deleted, training again into it."""
    monkeypatch.setenv("FTWIZARD_PYTHON", sys.executable)
    run = _finished_run(tmp_path / "run")
    before = _snapshot(run)
    (tmp_path / "m").mkdir()
    (tmp_path / "d.jsonl").write_text(chat_rows(1)[0] + "\n")
    code, out, err = cli(capsys, "train", "--model-dir", str(tmp_path / "m"), "--data", str(tmp_path / "d.jsonl"),
                         "--output", str(run), *(["--resume"] if resume else []))
    assert code == 2, err
    assert str(run) in err and ("--resume" in err if not resume else "no complete checkpoint" in err)
    assert "new output folder" in err
    assert _snapshot(run) == before


def test_the_folder_rules(tmp_path):
    from ftwizard.runs.outdir import check_output_folder

    check_output_folder(tmp_path / "new", resume=False)  # absent
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty", resume=False)
    launched = tmp_path / "launched"  # what a launcher writes before the runner starts
    launched.mkdir()
    for name in ("run_config.json", "launch.json", "runner.stdout.jsonl", "runner.stderr.log", "plan.json"):
        (launched / name).write_text("")
    check_output_folder(launched, resume=False)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "thesis.tex").write_text("")
    for resume in (False, True):
        with pytest.raises(RunConfigError, match="thesis.tex"):
            check_output_folder(docs, resume=resume)
    run = _finished_run(tmp_path / "run")
    (run / "checkpoint-8").mkdir()
    (run / "checkpoint-8" / "COMPLETE.json").write_text("{}")
    check_output_folder(run, resume=True)  # a checkpoint to go on from
    with pytest.raises(RunConfigError, match="--resume"):
        check_output_folder(run, resume=False)
    (tmp_path / "file").write_text("")
    with pytest.raises(RunConfigError, match="not a folder"):
        check_output_folder(tmp_path / "file", resume=False)


def test_the_gui_launcher_refuses_too_before_writing(tmp_path):
    from ftwizard.runs.config import RunConfig
    from ftwizard.runs.launch import launch_runner

    run = _finished_run(tmp_path / "run")
    before = _snapshot(run)
    cfg = RunConfig(model_dir=tmp_path / "m", data_path=tmp_path / "d.jsonl", output_dir=run)
    with pytest.raises(RunConfigError, match="--resume"):
        launch_runner(cfg, python=sys.executable)
    assert _snapshot(run) == before


# --- item 5: a full disk, as the real libraries report it ----------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KiB tmpfs (root only): the libraries' own disk-full errors, not imitations."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.decode()[:100]}")
    try:
        yield mnt
    finally:  # lazy: a library may still hold a file open there through the exception's frames
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.parametrize("writer", ["safetensors", "torch.save", "open().write"])
def test_a_full_disk_is_named_whatever_library_hit_it(tiny_disk, writer):
    torch = pytest.importorskip("torch")
    from ftwizard.runs.outdir import disk_full_error

    tensors = {"w": torch.zeros(100_000)}
    with pytest.raises(BaseException) as caught:
        if writer == "safetensors":
            from safetensors.torch import save_file

            save_file(tensors, str(tiny_disk / "adapter_model.safetensors"))
        elif writer == "torch.save":
            torch.save(tensors, tiny_disk / "optimizer.pt")
        else:
            with open(tiny_disk / "x", "wb") as fh:
                fh.write(b"\0" * 200_000)
    err = disk_full_error(caught.value, tiny_disk)
    assert err is not None, f"not recognised: {type(caught.value).__name__}: {caught.value}"
    assert str(tiny_disk) in str(err) and "disk is full" in str(err) and "MiB free" in str(err)
    assert err.exit_code == 2


def test_other_errors_are_not_called_a_full_disk(tmp_path):
    from ftwizard.runs.outdir import check_free_space, disk_full_error

    for exc in (RuntimeError("CUDA out of memory"), OSError(13, "Permission denied"), ValueError("unexpected position")):
        assert disk_full_error(exc, tmp_path) is None
    check_free_space(tmp_path, 1)
    with pytest.raises(RunConfigError, match=r"not enough free space.*MiB free"):
        check_free_space(tmp_path, 2**62)


# --- item 8: model folders ---------------------------------------------------------------------------


def _folder(tmp_path: Path, config: dict) -> Path:
    d = tmp_path / "model"
    d.mkdir(exist_ok=True)
    (d / "config.json").write_text(json.dumps(config))
    (d / "tokenizer.json").write_text("{}")
    return d


@pytest.mark.parametrize("key, value", [("hidden_size", "sixty-four"), ("num_hidden_layers", 2.5),
                                        ("vocab_size", -1), ("hidden_size", 10**30), ("num_attention_heads", True)])
def test_a_garbled_model_config_is_bad_input_naming_file_and_key(tmp_path, key, value):
    from ftwizard.catalog.model_folder import check_model_folder

    d = _folder(tmp_path, {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2} | {key: value})
    (d / "model.safetensors").write_bytes(b"\0" * 16)
    with pytest.raises(RunConfigError) as caught:
        check_model_folder(d)
    assert str(caught.value).startswith(f"{d / 'config.json'}: $.{key}: expected a positive integer")


def test_a_truncated_safetensors_file_is_bad_input_naming_it(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    from ftwizard.catalog.model_folder import check_model_folder, check_weights

    d = _folder(tmp_path, {"model_type": "llama"})
    weights = d / "model.safetensors"
    save_file({"w": torch.ones(64, 64)}, str(weights))
    check_weights(check_model_folder(d))  # whole: fine
    whole = weights.read_bytes()
    for cut in (len(whole) // 2, 100, 5, 0):
        weights.write_bytes(whole[:cut])
        with pytest.raises(RunConfigError, match=rf"^{weights}: .*copy the weights again"):
            check_weights(check_model_folder(d))


# --- item 9: the small ones ---------------------------------------------------------------------------


@posix_only
def test_atomic_writes_follow_the_umask_without_setting_it(tmp_path, monkeypatch):
    from ftwizard.base import jsonio
    old = os.umask(0o027)
    try:
        def no_umask(*_):
            raise AssertionError("os.umask called: it changes the umask of every thread")

        monkeypatch.setattr(os, "umask", no_umask)
        jsonio.atomic_write_bytes(tmp_path / "public.json", b"{}")
        jsonio.atomic_write_bytes(tmp_path / "private.json", b"{}", private=True)
        monkeypatch.undo()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "public.json").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["private.json", "public.json"]


@posix_only
def test_concurrent_writes_from_threads_keep_their_modes(tmp_path):
    from ftwizard.base.jsonio import atomic_write_bytes

    old = os.umask(0o022)
    try:
        def write(i: int) -> None:
            for j in range(30):
                atomic_write_bytes(tmp_path / f"f{i}-{j}", b"x", private=bool(i % 2))

        threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert os.umask(0o022) == 0o022  # nobody left it at 0
    finally:
        os.umask(old)
    for p in tmp_path.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == (0o600 if int(p.name[1]) % 2 else 0o644), p


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_utf16_dataset_is_refused_not_copied(tmp_path, capsys, encoding):
    data = tmp_path / "train.jsonl"
    data.write_bytes("\n".join(chat_rows(3)).encode(encoding))
    for argv in (["data", "inspect", str(data)], ["data", "split", str(data), "--out", str(tmp_path / "s")]):
        code, _, err = cli(capsys, *argv)
        assert code == 2 and f"{data}: line 1: the file is UTF-" in err and "save it as UTF-8" in err, err
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_device_named_jsonl_is_refused_at_once(tmp_path, capsys, kind):
    if kind == "fifo":
        path = tmp_path / "train.jsonl"
        os.mkfifo(path)
    else:
        path = tmp_path / "zero.jsonl"
        path.symlink_to("/dev/zero")
    for argv in (["data", "inspect", str(path)], ["plan", "--answers", str(path)]):
        code, _, err = cli(capsys, *argv)  # a FIFO would block the open, /dev/zero never end
        assert code == 2 and "not a regular file" in err and str(path) in err, err


@posix_only
def test_a_probe_leaves_nothing_in_tmp_or_the_run_folder(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp_path / "d.jsonl").write_text("\n".join(chat_rows(2)) + "\n")
    env = dict(os.environ, TMPDIR=str(tmp), FTWIZARD_PYTHON=sys.executable)
    proc = subprocess.run([sys.executable, "-m", "ftwizard", "train", "--probe", "--model-dir", str(tmp_path / "nowhere"),
                           "--data", str(tmp_path / "d.jsonl"), "--output", str(tmp_path / "run")],
                          env=env, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 2, proc.stderr
    assert [p.name for p in tmp.iterdir() if p.name.startswith("ftwizard")] == [] and not (tmp_path / "run").exists()


@posix_only
def test_the_run_config_lives_in_the_run_folder_0600_and_nothing_stays_in_tmp(tmp_path):
    """`ftwizard train` used to write a 0644 temp file (left behind by a kill -9 of the CLI)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    (tmp_path / "d.jsonl").write_text("\n".join(chat_rows(2)) + "\n")
    env = dict(os.environ, TMPDIR=str(tmp), FTWIZARD_PYTHON=sys.executable)
    old = os.umask(0o022)
    try:
        proc = subprocess.run([sys.executable, "-m", "ftwizard", "train", "--model-dir", str(tmp_path / "nowhere"),
                               "--data", str(tmp_path / "d.jsonl"), "--output", str(tmp_path / "run")],
                              env=env, capture_output=True, text=True, timeout=180)
    finally:
        os.umask(old)
    assert proc.returncode == 2, proc.stderr
    assert "model folder not found" in proc.stderr and "error" not in proc.stdout  # errors on stderr
    cfg = tmp_path / "run" / "run_config.json"
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "run").stat().st_mode) == 0o700
    assert list(tmp.iterdir()) == []


def test_the_pdf_metadata_carries_no_project_name(tmp_path):
    pytest.importorskip("PySide6")
    pypdf = pytest.importorskip("pypdf")
    from ftwizard.catalog.store import load_catalog
    from ftwizard.report.pdf import write_plan_pdf
    from report_sample_plan import sample_plan

    plan = sample_plan()
    plan = plan.model_copy(update={"answers": plan.answers.model_copy(update={"project_name": "Project Nightingale"})})
    out = tmp_path / "plan.pdf"
    write_plan_pdf(plan, out, load_catalog(), charts=False)
    reader = pypdf.PdfReader(str(out))
    meta = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert meta.get("/Title") == "Fine-tuning plan", meta
    assert not any("Nightingale" in v for v in meta.values()), meta
    xmp = reader.trailer["/Root"].get("/Metadata")
    assert xmp is None or b"Nightingale" not in xmp.get_object().get_data()


def test_the_fuzz_corpus_has_huge_integers():
    """Keep the fuzzers honest: they now draw the number that crashed every reader."""
    from trust_helpers import EDGE_NUMBERS, dumps

    assert any(isinstance(n, str) and n.startswith("__HUGE") for n in EDGE_NUMBERS)
    assert len(dumps([copy.copy(EDGE_NUMBERS[-1])])) > 4300


@pytest.mark.parametrize("value", ['"sixty-four"', "1e30", "64.5", "-64", "true"])
def test_estimate_names_the_garbled_size_itself(tmp_path, capsys, value):
    d = tmp_path / "model"
    d.mkdir()
    cfg = {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
           "intermediate_size": 128, "vocab_size": 100}
    (d / "config.json").write_text(json.dumps(cfg).replace('"hidden_size": 64', f'"hidden_size": {value}'))
    code, _, err = cli(capsys, "estimate", "--model", str(d), "--method", "lora", "--seq-len", "128")
    assert code == 2 and "$.hidden_size: expected a positive integer" in err and str(d) in err, err


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_utf16_answers_file_says_so(tmp_path, capsys, encoding):
    p = tmp_path / "answers.json"
    p.write_bytes(answers_text().encode(encoding))
    code, _, err = cli(capsys, "plan", "--answers", str(p))
    assert code == 2 and f"{p}: line 1: the file is UTF-" in err and "save it as UTF-8" in err, err
