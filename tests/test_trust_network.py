"""Offline by construction: the tests fail any test that reaches the network, the runner
turns the Hugging Face libraries offline itself, and no code in src/ can phone home
without this file failing (no URLs in code, no network modules, no hub downloads)."""

from __future__ import annotations

import ast
import functools
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import ftwizard
from import_walk import imports_in

SRC = Path(ftwizard.__file__).parent
TEST_NET = ("192.0.2.1", 80)  # RFC 5737 TEST-NET-1: documentation only, never routed

# Modules that talk to the network. Importing one anywhere in src/ fails the build unless the
# file is listed in ALLOWED_IMPORTS with the reason.
NETWORK_MODULES = {
    "socket", "ssl", "urllib", "http", "requests", "httpx", "aiohttp", "urllib3", "ftplib",
    "smtplib", "poplib", "imaplib", "telnetlib", "xmlrpc", "websocket", "websockets",
    "huggingface_hub", "webbrowser",
}
QT_NETWORK = ("QtNetwork", "QtWebEngine", "QtWebSockets", "QtWebChannel")
ALLOWED_IMPORTS: dict[tuple[str, str], str] = {}
# Strings in code (not docstrings) that hold a URL: shown as text, never fetched.
ALLOWED_URL_FILES = {
    "gui/about.py": "the LGPL notice names where the Qt and PySide6 sources are (shown as text)",
}
HUB_CALLS = {"hf_hub_download", "snapshot_download", "cached_download", "load_dataset", "openUrl"}
HF_OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")


# --- the guard itself --------------------------------------------------------------------


def test_a_tcp_connection_to_the_internet_fails_the_test_before_any_packet_leaves():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(0.5)
    t0 = time.monotonic()
    with pytest.raises(AssertionError) as caught:
        sock.connect(TEST_NET)
    assert type(caught.value).__name__ == "NetworkBlocked"
    assert time.monotonic() - t0 < 0.2  # raised before connect(), not after a timeout
    with pytest.raises(OSError):
        sock.getpeername()  # never connected
    sock.close()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: socket.create_connection(TEST_NET, timeout=0.5),
        lambda: socket.socket().connect_ex(TEST_NET),
        lambda: socket.getaddrinfo("huggingface.co", 443),
        lambda: urllib.request.urlopen("http://192.0.2.1/", timeout=0.5),
        lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 53)),
    ],
    ids=["create_connection", "connect_ex", "dns", "urllib", "udp"],
)
def test_every_way_out_is_blocked(attempt):
    with pytest.raises(AssertionError, match="network|resolve|datagram"):
        attempt()


def test_loopback_stays_usable():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


# --- the runner goes offline itself ------------------------------------------------------


def test_the_runner_sets_the_hugging_face_offline_variables_itself():
    env = {k: v for k, v in os.environ.items() if k not in HF_OFFLINE}
    code = (
        "import os, json, ftwizard.train.__main__, sys\n"
        f"print(json.dumps({{k: os.environ.get(k) for k in {HF_OFFLINE!r}}}))\n"
        "print('transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    values, hf_loaded = out.stdout.strip().splitlines()
    assert values == '{"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}'
    assert hf_loaded == "False"  # set before any Hugging Face import


# --- static: nothing in src/ can phone home ----------------------------------------------


@functools.cache
def _sources() -> list[tuple[str, ast.Module]]:
    return [(p.relative_to(SRC).as_posix(), ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(SRC.rglob("*.py"))]


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                ids.add(id(first.value))
    return ids


def test_no_module_in_src_imports_a_network_library():
    found = []
    for rel, tree in _sources():
        for node, names in imports_in(tree):
            for name in names:
                bad = name.split(".")[0] in NETWORK_MODULES or any(q in name for q in QT_NETWORK)
                if bad and (rel, name) not in ALLOWED_IMPORTS:
                    found.append(f"{rel}:{node.lineno}: imports {name}")
    assert not found, "network code in src/:\n" + "\n".join(found)


def test_no_url_is_used_in_code():
    found = []
    for rel, tree in _sources():
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                and ("http://" in node.value or "https://" in node.value or "ftp://" in node.value)
                and rel not in ALLOWED_URL_FILES
            ):
                found.append(f"{rel}:{node.lineno}: {node.value[:80]!r}")
    assert not found, "URLs in code (a fetch, an update check, a web font?):\n" + "\n".join(found)


def _local_only(call: ast.Call, scope: ast.AST) -> bool:
    """from_pretrained(..., local_files_only=True), directly or through a **kwargs dict literal."""
    for kw in call.keywords:
        if kw.arg == "local_files_only":
            return isinstance(kw.value, ast.Constant) and kw.value.value is True
        if kw.arg is None and isinstance(kw.value, ast.Name):
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if any(isinstance(t, ast.Name) and t.id == kw.value.id for t in targets):
                        for k, v in zip(node.value.keys, node.value.values, strict=True):
                            if isinstance(k, ast.Constant) and k.value == "local_files_only":
                                return isinstance(v, ast.Constant) and v.value is True
    return False


def _local_file_url(call: ast.Call) -> bool:
    """openUrl(QUrl.fromLocalFile(...)): a folder shown in the file manager, not a web page."""
    arg = call.args[0] if call.args else None
    return (
        isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "fromLocalFile"
    )


def test_every_model_load_is_local_only_and_nothing_downloads():
    found, loads = [], 0
    for rel, tree in _sources():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                    if name == "from_pretrained":
                        loads += 1
                        if not _local_only(node, fn):
                            found.append(f"{rel}:{node.lineno}: from_pretrained without local_files_only=True")
                    elif name in HUB_CALLS and not _local_file_url(node):
                        found.append(f"{rel}:{node.lineno}: calls {name}")
    assert loads >= 3  # the check is really looking at the runner's loads
    assert not found, "\n".join(found)


def test_the_gui_fetches_no_font_or_icon():
    """Icons come from the package's resources; no stylesheet or HTML pulls a remote file."""
    found = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.lower()
                if "@import" in text or "url(" in text and "//" in text or "src=\"http" in text:
                    found.append(f"{rel}:{node.lineno}")
    assert not found
    icons = Path(ftwizard.__file__).parents[2] / "resources" / "icons"
    if icons.is_dir():
        assert all(p.suffix in (".svg", ".png", ".ico", ".icns") for p in icons.iterdir())


# --- every child process is offline (issue 25: a guard injected into subprocesses) --------------

NETGUARD = Path(__file__).parent / "netguard"
STACK_OFFLINE = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY",
                 "DO_NOT_TRACK", "USE_HUB_KERNELS")
LAUNCHERS = {"Popen", "run", "call", "check_call", "check_output", "startDetached", "start"}


def _guarded_env(log: Path, **extra: str) -> dict[str, str]:
    """This environment without any offline variable, with the socket guard on PYTHONPATH."""
    from ftwizard.base.offline import OFFLINE_ENV

    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENV}
    src = str(SRC.parent)
    env["PYTHONPATH"] = os.pathsep.join([str(NETGUARD), src] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["FTWIZARD_NETGUARD_LOG"] = str(log)
    env.update(extra)
    return env


def _records(log: Path) -> list[dict]:
    import json

    return [json.loads(x) for x in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def test_the_guard_sees_a_childs_attempt_and_the_offline_variables_stop_the_kernel_loader(tmp_path):
    """bitsandbytes' CPU backend asks the Hub for a kernel through `kernels.get_kernel` while it is
    imported: without the offline variables that resolves huggingface.co (the guard records it);
    with child_env() it gives up without a single attempt."""
    pytest.importorskip("kernels")
    from ftwizard.base.offline import child_env

    code = ("from kernels import get_kernel\n"
            "try:\n    get_kernel('kernels-community/quantization-bitsandbytes', version=1)\n"
            "except Exception as exc:\n    print(type(exc).__name__)\n")
    bare, offline = tmp_path / "bare.log", tmp_path / "offline.log"
    subprocess.run([sys.executable, "-c", code], env=_guarded_env(bare), capture_output=True, timeout=120)
    subprocess.run([sys.executable, "-c", code], env=child_env(_guarded_env(offline)), capture_output=True, timeout=120)
    assert any(r["kind"] == "resolve" and "huggingface.co" in r["detail"] for r in _records(bare)), _records(bare)
    assert [r["kind"] for r in _records(offline)] == ["start"], _records(offline)


@pytest.mark.slow
@pytest.mark.parametrize("argv", [["doctor"], ["doctor", "--json"], ["runtime", "list", "--json"],
                                  ["runtime", "check", "--json"]], ids=" ".join)
def test_no_process_the_program_starts_reaches_the_network(tmp_path, argv):
    """Run the command with HF_HUB_OFFLINE and friends unset: every child it starts (the runtime
    probe imports torch and bitsandbytes) has the offline variables, and nothing tries to leave."""
    log = tmp_path / "net.log"
    env = _guarded_env(log, FTWIZARD_PYTHON=sys.executable, FTWIZARD_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-m", "ftwizard", *argv], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode in (0, 2), proc.stderr[-2000:]
    records = _records(log)
    children = [r for r in records if r["kind"] == "start" and r["ppid"] != os.getpid()]  # not the CLI itself
    assert children, f"no child Python process was seen: {records}"  # the probe ran under the guard
    for r in children:
        assert all(r["env"][k] not in (None, "", "0") for k in STACK_OFFLINE), f"child without offline env: {r}"
    attempts = [r for r in records if r["kind"] != "start"]
    assert not attempts, f"network attempts: {attempts}"


def _env_is_child_env(call: ast.Call, fn: ast.AST) -> bool:
    """env=child_env(...), or env=NAME where NAME = child_env(...) in the same function."""
    for kw in call.keywords:
        if kw.arg != "env":
            continue
        value = kw.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "child_env":
            return True
        if isinstance(value, ast.Name):
            for node in ast.walk(fn):
                if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == value.id for t in node.targets)
                        and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                        and node.value.func.id == "child_env"):
                    return True
    return False


def test_every_subprocess_in_src_gets_the_offline_environment():
    """One helper (base.offline.child_env) for every child's environment: a launch site without
    it fails here, naming the line."""
    found, sites = [], 0
    for rel, tree in _sources():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id in ("subprocess", "QProcess")
                        and node.func.attr in LAUNCHERS):
                    sites += 1
                    if not _env_is_child_env(node, fn):
                        found.append(f"{rel}:{node.lineno}: subprocess.{node.func.attr} without env=child_env(...)")
    assert sites >= 4  # run_command, the runner launch, the CLI's runner, runtime install
    assert not found, "\n".join(found)
