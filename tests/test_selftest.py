"""`ftwizard --self-test`: an administrator's one check after installing on a new site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ftwizard.selftest import STEP_NAMES

# Runs ftwizard with some modules made unimportable, as a build that forgot them would be.
BROKEN = """
import sys
for name in sys.argv[1:]:
    sys.modules[name] = None
from ftwizard.cli.main import main
sys.exit(main(["--self-test"]))
"""


def _run(*blocked: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = os.environ | {"QT_QPA_PLATFORM": "xcb"} | (env_extra or {})  # offscreen is forced by the test
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-c", BROKEN, *blocked], capture_output=True, text=True,
                          timeout=180, env=env)


def _lines(out: str) -> dict[str, str]:
    """step name -> its line, from the report."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in ("PASS", "FAIL"):
            rows[parts[1]] = line
    return rows


def test_a_working_installation_passes_every_step_without_a_display():
    out = _run()
    assert out.returncode == 0, out.stdout + out.stderr
    rows = _lines(out.stdout)
    assert list(rows) == list(STEP_NAMES)
    assert all(line.strip().startswith("PASS") for line in rows.values()), out.stdout
    assert "offscreen" in rows["wizard"]
    assert "KiB written to self-test-plan.pdf" in rows["pdf"]
    assert out.stdout.rstrip().endswith("self-test OK: all 5 steps passed")


def test_a_missing_module_fails_its_step_as_not_available():
    out = _run("ftwizard.report.pdf")
    assert out.returncode == 1
    rows = _lines(out.stdout)
    assert rows["pdf"].strip().startswith("FAIL")
    assert "not available: module ftwizard.report.pdf is missing from this installation" in rows["pdf"]
    assert all(rows[s].strip().startswith("PASS") for s in ("wizard", "catalog", "detection", "plan"))
    assert "self-test FAILED: 1 of 5 steps (pdf)" in out.stdout


def test_later_steps_say_which_earlier_step_they_needed():
    out = _run("ftwizard.catalog.entries")
    assert out.returncode == 1
    rows = _lines(out.stdout)
    assert "not available: module ftwizard.catalog.entries" in rows["catalog"]
    assert "skipped: needs the catalog step" in rows["detection"]
    assert "skipped: needs the catalog step" in rows["plan"]
    assert "skipped: needs the plan step" in rows["pdf"]


def test_the_users_own_folders_are_left_alone(tmp_path):
    home = tmp_path / "user-home"
    out = _run(env_extra={"FTWIZARD_HOME": str(home)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert not home.exists() or not any(Path(home).rglob("*")), list(Path(home).rglob("*"))
