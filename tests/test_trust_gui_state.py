"""The GUI's own state files, fuzzed: whatever sits in the autosave or the settings file
(a crash, a full disk, another program, an editor), start-up never raises; a broken
autosave is moved aside whole, with a message naming where, and two windows never write
the autosave at the same moment."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given

from ftwizard.base.locks import LockedError, exclusive_lock
from ftwizard.gui import autosave
from ftwizard.gui.settings import load_settings, peek_geometry
from ftwizard.recommend.answers import default_answers
from trust_helpers import fuzz_settings, hostile_file

CASES = {"autosave": 200, "settings": 150}
VALID_AUTOSAVE = {
    "schema_version": 1, "saved_at": "2026-11-28T09:00:00", "page": "budget", "clean_exit": False,
    "answers": default_answers().model_dump(mode="json"),
}
VALID_SETTINGS = {"schema_version": 1, "electricity_usd_per_kwh": 0.3, "currency": "EUR",
                  "usd_to_currency_rate": 0.92, "runs_dir": None, "window_geometry_b64": "AdnQywADAAA="}


@fuzz_settings(CASES["autosave"])
@given(raw=hostile_file(VALID_AUTOSAVE))
def test_any_autosave_is_resumed_or_moved_aside_whole(tmp_path, raw):
    path = tmp_path / "autosave.json"
    for old in tmp_path.glob("autosave.corrupt-*"):
        old.unlink()
    path.write_bytes(raw)
    seen = autosave.peek(path)  # the welcome page asks first, before pydantic loads
    assert seen.exists
    saved, notice = autosave.load(path)
    if saved is not None:
        assert notice is None and path.read_bytes() == raw
        return
    aside = list(tmp_path.glob("autosave.corrupt-*.json"))
    assert len(aside) == 1 and aside[0].read_bytes() == raw  # nothing lost
    assert str(aside[0]) in notice and not path.exists()
    assert not autosave.peek(path).exists  # the next start-up is clean


@fuzz_settings(CASES["settings"])
@given(raw=hostile_file(VALID_SETTINGS))
def test_any_settings_file_gives_settings_or_defaults_with_a_notice(tmp_path, raw):
    path = tmp_path / "settings.json"
    path.write_bytes(raw)
    geometry = peek_geometry(path)
    assert geometry is None or isinstance(geometry, bytes)
    settings, notice = load_settings(path)
    assert settings.schema_version == 1
    assert notice is None or str(path) in notice


def test_a_window_starts_on_a_deeply_nested_autosave_and_settings(qtbot):
    from ftwizard.gui import workers
    from ftwizard.gui.settings import settings_path
    from ftwizard.gui.wizard import WizardWindow
    from gui_support import rtx4090_workstation

    autosave.autosave_path().write_text("[" * 100_000 + "]" * 100_000)
    settings_path().write_text('{"window_geometry_b64": ' + "[" * 100_000 + "]" * 100_000 + "}")
    w = WizardWindow(detector=rtx4090_workstation)
    qtbot.addWidget(w)
    w.show()
    w.finish_setup()
    assert "set aside" in w.welcome.notice.text()
    assert list(autosave.autosave_path().parent.glob("autosave.corrupt-*.json"))
    w.close()
    workers.wait_all(5000)


# --- two windows, one autosave ------------------------------------------------------------

HOLD_AUTOSAVE = textwrap.dedent("""
    import sys
    from ftwizard.base.locks import exclusive_lock
    from ftwizard.gui.autosave import autosave_path
    with exclusive_lock(autosave_path()):
        print("saving", flush=True)
        sys.stdin.readline()
""")


def test_a_save_waits_for_the_other_window_and_never_interleaves(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", HOLD_AUTOSAVE], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "saving"
        with pytest.raises(LockedError, match=rf"autosave\.json: in use by another ftwizard process \(pid {other.pid}"):
            autosave.save(default_answers(), "task", lock_timeout_s=0.2)
        assert not autosave.autosave_path().exists()  # refused, not half-written
    finally:
        other.stdin.close()
        other.wait(10)
    path = autosave.autosave_path()
    assert autosave.save(default_answers(), "task") == path
    assert json.loads(path.read_text())["page"] == "task"
    with exclusive_lock(path, timeout_s=0):  # let go after the save
        pass
