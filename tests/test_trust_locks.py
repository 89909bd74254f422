"""Two ftwizard processes never write the same autosave or run folder at once: the second one
is told who holds it, and a crashed holder never leaves a stale lock behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ftwizard.base.errors import FtwizardError
from ftwizard.base.locks import LockedError, exclusive_lock, holder, lock_path

HOLD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from ftwizard.base.locks import exclusive_lock
    with exclusive_lock(Path(sys.argv[1])):
        print("locked", flush=True)
        sys.stdin.readline()  # hold until the test closes stdin (or kills us)
""")

COUNT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from ftwizard.base.locks import exclusive_lock
    target = Path(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        with exclusive_lock(target, timeout_s=60):
            n = json.loads(target.read_text())["n"]  # read, then write: lost updates without the lock
            target.write_text(json.dumps({"n": n + 1}))
""")


def hold_in_other_process(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_process_is_refused_and_told_who_holds_the_run_folder(tmp_path):
    run_dir = tmp_path / "run-1"
    run_dir.mkdir()
    other = hold_in_other_process(run_dir)
    try:
        t0 = time.monotonic()
        with pytest.raises(LockedError) as caught, exclusive_lock(run_dir, timeout_s=0):
            pass
        assert time.monotonic() - t0 < 2
        message = str(caught.value)
        assert str(run_dir) in message and f"pid {other.pid}" in message
        assert isinstance(caught.value, FtwizardError)  # the CLI prints it in one line, exit 2
        assert holder(run_dir)["pid"] == other.pid
    finally:
        other.stdin.close()
        other.wait(10)
    with exclusive_lock(run_dir, timeout_s=0) as lock_file:  # released: free again
        assert lock_file == run_dir / "ftwizard.lock"
        assert holder(run_dir)["pid"] == os.getpid()


def test_a_waiting_process_gets_the_lock_when_the_holder_lets_go(tmp_path):
    autosave = tmp_path / "autosave.json"
    other = hold_in_other_process(autosave)
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.3)"]).wait()
    other.stdin.close()  # let go while we are waiting
    with exclusive_lock(autosave, timeout_s=20) as lock_file:
        assert lock_file == tmp_path / "autosave.json.lock"
    other.wait(10)


def test_a_crashed_holder_leaves_no_stale_lock(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    other = hold_in_other_process(run_dir)
    other.kill()  # SIGKILL: no finally block runs, the OS drops the lock
    other.wait(10)
    assert lock_path(run_dir).exists()  # the file stays: only a name, not a lock
    with exclusive_lock(run_dir, timeout_s=0):
        pass


def test_four_processes_counting_under_the_lock_lose_no_update(tmp_path):
    counter = tmp_path / "state.json"
    counter.write_text(json.dumps({"n": 0}))
    procs = [subprocess.Popen([sys.executable, "-c", COUNT, str(counter), "25"]) for _ in range(4)]
    assert [p.wait(60) for p in procs] == [0, 0, 0, 0]
    assert json.loads(counter.read_text())["n"] == 100


def test_nested_use_in_one_process_is_allowed(tmp_path):
    target = tmp_path / "autosave.json"
    with exclusive_lock(target), exclusive_lock(target, timeout_s=0):
        assert holder(target)["pid"] == os.getpid()
    assert holder(target) is None  # the note is cleared when the last holder leaves


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_lock_file_is_private(tmp_path):
    target = tmp_path / "autosave.json"
    with exclusive_lock(target) as lock_file:
        assert lock_file.stat().st_mode & 0o777 == 0o600


def test_an_unwritable_folder_gives_a_clear_error(tmp_path):
    missing = tmp_path / "no-such-folder" / "autosave.json"
    with pytest.raises(LockedError, match="cannot create the lock file"), exclusive_lock(missing):
        pass


TRY = textwrap.dedent("""
    import sys
    from pathlib import Path
    from ftwizard.base.locks import LockedError, exclusive_lock
    try:
        with exclusive_lock(Path(sys.argv[1])):
            print("got it")
    except LockedError:
        print("refused")
""")


def test_a_session_lock_is_held_until_released(tmp_path):
    from ftwizard.base.locks import acquire

    autosave = tmp_path / "autosave.json"

    def other_process_tries() -> str:
        out = subprocess.run([sys.executable, "-c", TRY, str(autosave)], capture_output=True, text=True, timeout=60)
        return out.stdout.strip()

    held = acquire(autosave)
    assert other_process_tries() == "refused"
    held.release()
    held.release()  # twice is harmless
    assert other_process_tries() == "got it"
