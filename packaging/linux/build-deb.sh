#!/usr/bin/env bash
# Build dist/ftwizard_<version>_<arch>.deb: the PyInstaller one-folder build in /opt/ftwizard,
# `ftwizard` on PATH, a desktop entry and the icon. Nothing is downloaded.
# Run from anywhere: packaging/linux/build-deb.sh   (PYTHON=... picks the interpreter with
# PyInstaller and ftwizard installed; default .venv/bin/python). `make package` runs this.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
DIST=dist
WORK=build/pyinstaller
STAGE=build/deb-root

for tool in dpkg-deb dpkg; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is needed (Debian/Ubuntu)" >&2; exit 2; }
done
for icon in resources/icons/ftwizard.svg resources/icons/ftwizard-256.png; do
  [ -f "$icon" ] || { echo "build-deb: $icon is missing" >&2; exit 2; }
done
VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("ftwizard"))')
ARCH=$(dpkg --print-architecture)
DEB="$DIST/ftwizard_${VERSION}_${ARCH}.deb"

t0=$(date +%s.%N)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" packaging/ftwizard.spec
t1=$(date +%s.%N)

rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/icons/hicolor/256x256/apps" \
  "$STAGE/usr/share/doc/ftwizard"
cp -a "$DIST/ftwizard" "$STAGE/opt/ftwizard"
# Debug symbols of the CPython build (pyenv keeps them): 30 MB. Only CPython's own files are
# stripped; wheels' patchelf-ed libraries break under strip, and so would the executables.
if command -v strip >/dev/null; then
  find "$STAGE/opt/ftwizard/_internal" -maxdepth 1 -name 'libpython3*.so*' -exec strip --strip-debug {} +
  find "$STAGE/opt/ftwizard/_internal" -path '*/lib-dynload/*.so' -exec strip --strip-debug {} +
fi
install -m 0755 packaging/linux/ftwizard-wrapper.sh "$STAGE/usr/bin/ftwizard"
install -m 0644 packaging/linux/ftwizard.desktop "$STAGE/usr/share/applications/ftwizard.desktop"
install -m 0644 resources/icons/ftwizard.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/ftwizard.svg"
install -m 0644 resources/icons/ftwizard-256.png "$STAGE/usr/share/icons/hicolor/256x256/apps/ftwizard.png"
install -m 0644 packaging/linux/copyright "$STAGE/usr/share/doc/ftwizard/copyright"
# Installed files: readable by all, writable by root only, whatever the builder's umask.
chmod -R u+rwX,go+rX,go-w "$STAGE"

DEPENDS=$(python3 packaging/linux/deb_depends.py "$STAGE/opt/ftwizard")
SIZE_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: ftwizard
Version: $VERSION
Architecture: $ARCH
Maintainer: ftwizard developers <ftwizard@localhost>
Installed-Size: $SIZE_KB
Depends: $DEPENDS
Section: science
Priority: optional
Homepage: https://localhost/ftwizard
Description: plan and run the fine-tuning of an open LLM, offline
 A desktop wizard (and the ftwizard command) that helps a team decide how to
 fine-tune an open large language model (model, full/LoRA/QLoRA/DPO, GPU,
 memory, time and cost) and runs a local QLoRA fine-tune. It never uses the
 network. Training needs a separate Python runtime with the train extra:
 see "ftwizard runtime install --wheelhouse DIR".
CONTROL
chmod 0644 "$STAGE/DEBIAN/control"

# xz level 1: 64 MB instead of 57 MB at the default level, in a quarter of the time.
dpkg-deb --build --root-owner-group ${DEB_COMPRESSION:--Zxz -z1} "$STAGE" "$DEB" >/dev/null
t2=$(date +%s.%N)
python3 - "$DEB" "$SIZE_KB" "$t0" "$t1" "$t2" <<'REPORT'
import os, sys
deb, kb, t0, t1, t2 = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
print(f"built {deb}: {os.path.getsize(deb) / 1e6:.1f} MB (installed {kb / 1024:.0f} MiB); "
      f"PyInstaller {t1 - t0:.0f} s, .deb {t2 - t1:.0f} s, total {t2 - t0:.0f} s")
REPORT
