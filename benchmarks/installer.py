"""Installer size and build time (issue 13: target under 100 MB for the GUI installer).

Builds the .deb from scratch with packaging/linux/build-deb.sh (PyInstaller --clean, then
dpkg-deb), and reports, against baselines measured in the same run:
- size: the .deb and the unpacked folder against the on-disk size of the same distributions
  in the development venv (what a pip install of the GUI would take);
- start-up: the installed `ftwizard --version` against `python -m ftwizard --version` in the venv.

    .venv/bin/python benchmarks/installer.py [--append]     (after `make package` once, for PyInstaller)
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata as md
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Installer"
SHIPPED = ("PySide6-Essentials", "shiboken6", "numpy", "pyqtgraph", "pydantic", "pydantic-core",
           "platformdirs", "annotated-types", "typing-extensions", "typing-inspection", "nvidia-ml-py")


def dist_size_bytes(name: str) -> int:
    try:
        dist = md.distribution(name)
    except md.PackageNotFoundError:
        return 0
    total = 0
    for f in dist.files or []:
        p = Path(dist.locate_file(f))
        if p.is_file():
            total += p.stat().st_size
    return total


def tree_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def median_run_s(argv: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--append", action="store_true", help=f"append the figures to {RESULTS.name}")
    ap.add_argument("--runs", type=int, default=5, help="start-up timings per program (median)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    build = subprocess.run(["bash", "packaging/linux/build-deb.sh"], cwd=ROOT, capture_output=True, text=True,
                           env=os.environ | {"PYTHON": sys.executable})
    total_s = time.perf_counter() - t0
    if build.returncode != 0:
        sys.stderr.write(build.stdout[-3000:] + build.stderr[-3000:])
        return 1
    m = re.search(r"built (\S+): .*PyInstaller (\d+) s, \.deb (\d+) s", build.stdout)
    if not m:
        sys.stderr.write(build.stdout)
        return 1
    deb, pyi_s, deb_s = ROOT / m.group(1), int(m.group(2)), int(m.group(3))

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        unpacked = tree_bytes(root)
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "FTWIZARD_HOME": str(Path(tmp) / "home"),
               "QT_QPA_PLATFORM": "offscreen"}
        frozen_s = median_run_s([str(root / "usr/bin/ftwizard"), "--version"], args.runs, env)
        venv_s = median_run_s([sys.executable, "-m", "ftwizard", "--version"], args.runs, os.environ | env)
        selftest = subprocess.run([str(root / "usr/bin/ftwizard"), "--self-test"], capture_output=True,
                                  text=True, env=env)
    baseline = sum(dist_size_bytes(n) for n in SHIPPED) + tree_bytes(ROOT / "src") + tree_bytes(ROOT / "resources")
    deb_mb, unpacked_mib, base_mib = deb.stat().st_size / 1e6, unpacked / 2**20, baseline / 2**20
    load = os.getloadavg()[0]
    cmd = "`.venv/bin/python benchmarks/installer.py" + (" --append`" if args.append else "`")
    lines = [
        f"- {dt.date.today().isoformat()}, {cmd}, {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores, load average {load:.1f} at the end, Python {platform.python_version()}, "
        f"PyInstaller {md.version('pyinstaller')}:",
        f"  - `{deb.name}`: **{deb_mb:.1f} MB** (target < 100 MB); unpacked {unpacked_mib:.0f} MiB "
        f"= {unpacked_mib / base_mib:.2f} x baseline",
        f"  - baseline: the same distributions installed in the venv (PySide6-Essentials, numpy, "
        f"pyqtgraph, pydantic, ...; src, resources): {base_mib:.0f} MiB; the .deb is "
        f"{deb.stat().st_size / baseline:.2f} x it",
        f"  - build from scratch: {total_s:.0f} s (PyInstaller --clean {pyi_s} s, strip + Depends + "
        f"dpkg-deb xz -1 {deb_s} s)",
        f"  - start-up, `ftwizard --version` median of {args.runs}: installed {frozen_s * 1000:.0f} ms "
        f"= {frozen_s / venv_s:.2f} x baseline `python -m ftwizard --version` in the venv "
        f"({venv_s * 1000:.0f} ms)",
        f"  - installed `--self-test`: exit {selftest.returncode}, "
        f"{selftest.stdout.strip().splitlines()[-1] if selftest.stdout.strip() else 'no output'}",
    ]
    print("\n".join(lines))
    if args.append:
        _append(lines)
    return 0


def _append(lines: list[str]) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    block = "\n".join(lines) + "\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        end = len(text) if nxt == -1 else nxt + 1
        section = text[start:end].rstrip("\n") + "\n" + block
        text = text[:start] + section + ("\n" + text[end:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\nCommand: `.venv/bin/python benchmarks/installer.py --append`\n\n" + block
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
