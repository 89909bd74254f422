"""Make an offline wheelhouse from what is already installed in this Python (no network).

    python packaging/wheelhouse_from_env.py OUT_DIR

OUT_DIR gets the same layout packaging/offline-wheelhouse.sh makes (wheels, requirements.txt,
wheelhouse.json, SHA256SUMS), so `ftwizard runtime install --wheelhouse OUT_DIR` takes it:
the ftwizard wheel built from this checkout (pip wheel --no-index --no-build-isolation), and
every distribution `ftwizard[train]` needs, repacked from its installed files (its RECORD) into
a wheel named by the tags in its own WHEEL file. Console scripts are left out (pip writes them
again from entry_points.txt); compiled *.pyc too. Used by packaging/linux/e2e-train.sh; also a
way to copy a working training environment to an offline machine with the same OS and Python.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
SKIP_META = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def closure(root: str, requires: dict[str, list[str]] | None = None) -> dict[str, metadata.Distribution]:
    """Installed distributions `root` (a requirement with extras) needs, by canonical name.
    `requires` replaces a distribution's installed Requires-Dist (the freshly built ftwizard's:
    an editable install keeps the metadata of the day it was made)."""
    requires = requires or {}
    todo = [Requirement(root)]
    found: dict[str, metadata.Distribution] = {}
    extras_seen: dict[str, set[str]] = {}
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        extras = set(req.extras)
        if name in found and extras <= extras_seen[name]:
            continue
        try:
            dist = found.get(name) or metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            sys.exit(f"wheelhouse_from_env: {req.name} is needed but not installed in {sys.executable}")
        found[name] = dist
        extras_seen[name] = extras_seen.get(name, set()) | extras
        for spec in requires.get(name, dist.requires or []):
            sub = Requirement(spec)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras_seen[name] | {""}):
                todo.append(sub)
    return found


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def repack(dist: metadata.Distribution, out: Path) -> Path:
    """One installed distribution -> one wheel in `out`."""
    name, version = dist.metadata["Name"], dist.version
    files = [f for f in dist.files or [] if not str(f).startswith("..") and "__pycache__" not in f.parts
             and f.suffix != ".pyc"]
    info = next((f for f in dist.files or [] if f.name == "WHEEL" and f.parent.name.endswith(".dist-info")), None)
    if not files or info is None:
        sys.exit(f"wheelhouse_from_env: {name} {version} has no RECORD or WHEEL file; reinstall it with pip")
    tags = [line.split(":", 1)[1].strip().split("-") for line in dist.locate_file(info).read_text().splitlines()
            if line.startswith("Tag:")]
    # The compressed tag set of the file name: py2-none-any + py3-none-any -> py2.py3-none-any.
    tag = "-".join(".".join(dict.fromkeys(t[i] for t in tags)) for i in range(3))
    wheel = out / f"{re.sub(r'[-_.]+', '_', name)}-{version}-{tag}.whl"
    record_name = f"{info.parent}/RECORD"
    rows = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_STORED) as zf:
        for f in files:
            if f.parent.name.endswith(".dist-info") and f.name in SKIP_META:
                continue
            path = Path(dist.locate_file(f))
            if not path.is_file():
                continue
            data = path.read_bytes()
            zf.writestr(str(f.as_posix()), data)
            rows.append((f.as_posix(), _digest(data), str(len(data))))
        record = io.StringIO()  # csv: a file name may hold a comma
        csv.writer(record, lineterminator="\n").writerows([*rows, (record_name, "", "")])
        zf.writestr(record_name, record.getvalue())
    return wheel


def main() -> int:
    out = Path(sys.argv[1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    version = metadata.version("ftwizard")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--wheel-dir", str(out), str(ROOT)], check=True)
    built = next(out.glob(f"ftwizard-{version}-*.whl"))
    with zipfile.ZipFile(built) as zf:
        meta = zf.read(f"ftwizard-{version}.dist-info/METADATA").decode()
    fresh = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    dists = closure("ftwizard[train]", {"ftwizard": fresh})
    for name, dist in sorted(dists.items()):
        if name != "ftwizard":
            print(f"  {dist.metadata['Name']} {dist.version} -> {repack(dist, out).name}", flush=True)
    torch = dists["torch"].version
    torch_wheel = next(out.glob("torch-*.whl")).name[:-4].split("-")
    (out / "requirements.txt").write_text(f"ftwizard[train]=={version}\ntorch=={torch}\n", encoding="utf-8")
    manifest = {"schema_version": 1, "ftwizard_version": version,
                "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
                "platform": torch_wheel[-1], "cuda": None if "+cpu" in torch else metadata_cuda(torch),
                "torch_version": torch, "created": dt.date.today().isoformat()}
    (out / "wheelhouse.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    sums = []
    for p in sorted([*out.glob("*.whl"), out / "requirements.txt", out / "wheelhouse.json"]):
        h = hashlib.sha256()
        with p.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        sums.append(f"{h.hexdigest()}  {p.name}")
    (out / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    print(f"wheelhouse: {out} ({len(sums) - 2} wheels, ftwizard {version}, torch {torch})")
    return 0


def metadata_cuda(torch_version: str) -> str | None:
    """'2.6.0+cu124' -> '12.4'; None when the version says nothing."""
    m = re.search(r"\+cu(\d+)(\d)$", torch_version)
    return f"{m.group(1)}.{m.group(2)}" if m else None


if __name__ == "__main__":
    sys.exit(main())
