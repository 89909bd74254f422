"""Install the training runtime on an offline machine from a wheelhouse folder.

The wheelhouse is built on a connected machine by packaging/offline-wheelhouse.sh: wheels,
a `requirements.txt`, `wheelhouse.json` (for which Python, platform and CUDA) and
`SHA256SUMS`. Here: verify it, create a venv, `pip install --no-index` from it. No network.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ftwizard.base.errors import FtwizardError
from ftwizard.base.offline import child_env


class RuntimeSetupError(FtwizardError):
    """The wheelhouse or the target folder cannot be used to install the training runtime."""


class WheelhouseManifest(BaseModel):
    """`wheelhouse.json`: what a wheelhouse was built for (written by offline-wheelhouse.sh)."""

    schema_version: Literal[1] = 1
    ftwizard_version: str = Field(description="Version of the ftwizard wheel inside.")
    python_version: str = Field(description="Major.minor the wheels are for, e.g. '3.11'.")
    platform: str = Field(description="pip platform tag, e.g. 'manylinux_2_28_x86_64', 'win_amd64'.")
    cuda: str | None = Field(default=None, description="CUDA version of the torch wheel; None: CPU/ROCm/Metal.")
    torch_version: str | None = None
    created: str = Field(description="ISO date the wheelhouse was built.")


def check_wheelhouse(wheelhouse: Path) -> WheelhouseManifest | None:
    """Refuse a folder that cannot work, naming the file and what is wrong."""
    if not wheelhouse.is_dir():
        raise RuntimeSetupError(f"{wheelhouse}: no such folder")
    if not any(wheelhouse.glob("*.whl")):
        raise RuntimeSetupError(
            f"{wheelhouse}: no wheels (*.whl) in this folder; build one with "
            "packaging/offline-wheelhouse.sh on a connected machine"
        )
    if not (wheelhouse / "requirements.txt").is_file():
        raise RuntimeSetupError(
            f"{wheelhouse / 'requirements.txt'}: missing; it lists what to install "
            "(offline-wheelhouse.sh writes it)"
        )
    _verify_sums(wheelhouse)
    manifest_path = wheelhouse / "wheelhouse.json"
    if not manifest_path.is_file():
        return None
    from ftwizard.base.jsonio import load_model

    return load_model(WheelhouseManifest, manifest_path, RuntimeSetupError)


def _verify_sums(wheelhouse: Path) -> None:
    """Files copied to an air-gapped machine on removable media do get corrupted."""
    sums = wheelhouse / "SHA256SUMS"
    if not sums.is_file():
        return
    for lineno, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, _, name = line.strip().partition("  ")
        name = name.lstrip("*")
        if not name or len(digest) != 64:
            raise RuntimeSetupError(f"{sums}: line {lineno}: expected '<sha256>  <file name>'")
        path = wheelhouse / name
        if not path.is_file():
            raise RuntimeSetupError(f"{sums}: line {lineno}: {name} is listed but missing")
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        if h.hexdigest() != digest.lower():
            raise RuntimeSetupError(f"{path}: checksum does not match SHA256SUMS line {lineno} (copy it again)")


def find_base_python(manifest: WheelhouseManifest | None, given: str | None = None) -> str:
    """An interpreter to create the venv from: `given`, this one, or one on PATH of the right version."""
    want = manifest.python_version if manifest else None
    if given:
        if shutil.which(given) is None and not Path(given).is_file():
            raise RuntimeSetupError(f"--python {given}: no such interpreter")
        return given
    if not getattr(sys, "frozen", False):
        here = f"{sys.version_info.major}.{sys.version_info.minor}"
        if want in (None, here):
            return sys.executable
    names = [f"python{want}", "python3", "python"] if want else ["python3", "python"]
    for name in names:
        exe = shutil.which(name)
        if exe and (want is None or _version_of(exe) == want):
            return exe
    raise RuntimeSetupError(
        f"no Python {want or '3.11+'} found to create the runtime; install it from an offline "
        "installer or pass --python PATH"
    )


def _version_of(python: str) -> str | None:
    try:
        out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30, env=child_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def install_runtime(
    wheelhouse: Path,
    target: Path,
    *,
    base_python: str | None = None,
    echo: Callable[[str], None] = print,
) -> Path:
    """Create (or update) a venv at `target` from `wheelhouse`; returns its interpreter.

    pip runs with --no-index: only the wheelhouse is used. pip's own output goes to the
    caller's stdout/stderr (it names packages and versions, never user data).
    """
    from ftwizard.runtime.candidates import venv_python

    wheelhouse = wheelhouse.expanduser().resolve()
    target = target.expanduser().absolute()
    manifest = check_wheelhouse(wheelhouse)
    python = venv_python(target)
    if target.exists() and any(target.iterdir()) and not (target / "pyvenv.cfg").is_file():
        raise RuntimeSetupError(f"{target}: folder is not empty and is not a venv; choose another --target")
    if not python.is_file():
        base = find_base_python(manifest, base_python)
        pip_wheels = sorted(wheelhouse.glob("pip-*.whl"))
        echo(f"Creating the runtime venv at {target} with {base}")
        # Without pip when the wheelhouse has one: distro Pythons may lack ensurepip.
        venv_args = ["--without-pip"] if pip_wheels else []
        _run([base, "-m", "venv", *venv_args, str(target)], "venv")
        if pip_wheels:
            # pip runs from its own wheel to install itself: the documented bootstrap.
            _run([str(python), f"{pip_wheels[-1]}/pip", "install", "-q", "--no-index",
                  "--find-links", str(wheelhouse), "pip"], "pip bootstrap")
    echo(f"Installing from {wheelhouse} (no network)")
    _run([str(python), "-m", "pip", "install", "--no-index", "--find-links", str(wheelhouse),
          "--disable-pip-version-check", "-r", str(wheelhouse / "requirements.txt")], "pip install",
         wheelhouse)
    return python


def _run(argv: list[str], what: str, wheelhouse: Path | None = None) -> None:
    env = child_env(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PIP_INDEX_URL", None)
    env.pop("PIP_EXTRA_INDEX_URL", None)
    try:
        proc = subprocess.run(argv, stdout=None, stderr=subprocess.PIPE, text=True, env=env)
    except OSError as exc:
        raise RuntimeSetupError(f"{argv[0]}: cannot start ({exc.strerror})") from None
    if proc.stderr:
        sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        lines = [x.strip() for x in proc.stderr.splitlines() if x.strip()]
        reason = next((x for x in lines if x.startswith("ERROR")), lines[-1] if lines else "no output")
        where = f" from {wheelhouse}" if wheelhouse else ""
        raise RuntimeSetupError(f"{what}{where} failed (exit {proc.returncode}): {reason[:300]}")
