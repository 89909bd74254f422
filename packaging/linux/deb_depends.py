"""Print the Debian packages that the bundle's binaries load from the system (a Depends line).

PyInstaller copies most libraries into the bundle but leaves the C library, the GL/EGL
drivers and libxcb to the system (they must match the machine's drivers). This is what
dpkg-shlibdeps does for a source package, done here on a finished folder:
    python3 deb_depends.py build/deb-root/opt/ftwizard
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def elf_files(root: Path) -> list[Path]:
    out = []
    for p in root.rglob("*"):
        if p.is_file() and not p.is_symlink():
            with p.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    out.append(p)
    return out


def system_libraries(root: Path) -> set[str]:
    """Absolute paths of libraries outside `root` that its ELF files resolve to."""
    bundle = str(root.resolve())
    libdirs = sorted({str(p.parent) for p in elf_files(root) if ".so" in p.name})
    env = {"LD_LIBRARY_PATH": ":".join(libdirs), "PATH": "/usr/bin:/bin"}
    found: set[str] = set()
    for f in elf_files(root):
        res = subprocess.run(["ldd", str(f)], capture_output=True, text=True, env=env)
        for line in res.stdout.splitlines():
            parts = line.split("=>")
            if len(parts) != 2:
                continue
            target = parts[1].strip().split(" (")[0].strip()
            if target.startswith("/") and not target.startswith(bundle):
                found.add(target)
    return found


def owning_packages(paths: set[str]) -> set[str]:
    pkgs: set[str] = set()
    for path in sorted(paths):
        for candidate in (path, str(Path(path).resolve())):
            res = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if res.returncode == 0:
                pkgs.add(res.stdout.split(":", 1)[0].strip())
                break
            # /lib is a symlink to /usr/lib on merged-/usr systems; dpkg knows one of the two.
            alt = candidate.replace("/usr/lib/", "/lib/", 1) if candidate.startswith("/usr/lib/") \
                else candidate.replace("/lib/", "/usr/lib/", 1)
            res = subprocess.run(["dpkg", "-S", alt], capture_output=True, text=True)
            if res.returncode == 0:
                pkgs.add(res.stdout.split(":", 1)[0].strip())
                break
        else:
            print(f"deb_depends: no package owns {path}; left out of Depends", file=sys.stderr)
    return pkgs


def _with_glibc_floor(pkg: str) -> str:
    """The bundled libraries were linked against this machine's glibc: no older one will do."""
    if pkg != "libc6":
        return pkg
    res = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6"], capture_output=True, text=True)
    upstream = res.stdout.strip().split("-")[0]
    return f"libc6 (>= {upstream})" if res.returncode == 0 and upstream else pkg


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    pkgs = owning_packages(system_libraries(Path(argv[0])))
    print(", ".join(_with_glibc_floor(p) for p in sorted(pkgs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
