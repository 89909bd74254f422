#!/usr/bin/env bash
# Linux AppImage from the same PyInstaller output as the .deb. NOT built on the project's
# machines: appimagetool and the AppImage runtime it embeds are not in any package registry
# reachable there. On a machine that has appimagetool on PATH:
#   packaging/appimage/build-appimage.sh       (after `make package`, or it builds dist/ftwizard)
# APPDIR_ONLY=1 stops after making and self-testing build/ftwizard.AppDir (works here too).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
if [ "${APPDIR_ONLY:-0}" != 1 ] && ! command -v appimagetool >/dev/null; then
  echo "build-appimage: appimagetool is not on PATH (APPDIR_ONLY=1 builds the AppDir alone)" >&2
  exit 2
fi
VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("ftwizard"))')
[ -x dist/ftwizard/ftwizard ] || "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/ftwizard.spec

APPDIR=build/ftwizard.AppDir
rm -rf "$APPDIR"
mkdir -p "$APPDIR/opt" "$APPDIR/usr/share/applications" "$APPDIR/usr/share/icons/hicolor/256x256/apps"
cp -a dist/ftwizard "$APPDIR/opt/ftwizard"
install -m 0755 packaging/appimage/AppRun "$APPDIR/AppRun"
install -m 0644 packaging/linux/ftwizard.desktop "$APPDIR/ftwizard.desktop"
install -m 0644 packaging/linux/ftwizard.desktop "$APPDIR/usr/share/applications/ftwizard.desktop"
install -m 0644 resources/icons/ftwizard-256.png "$APPDIR/ftwizard.png"
install -m 0644 resources/icons/ftwizard-256.png "$APPDIR/usr/share/icons/hicolor/256x256/apps/ftwizard.png"
ln -sf ftwizard.png "$APPDIR/.DirIcon"
QT_QPA_PLATFORM=offscreen "$APPDIR/AppRun" --self-test
[ "${APPDIR_ONLY:-0}" = 1 ] && { echo "AppDir ready: $APPDIR"; exit 0; }
ARCH=$(uname -m) appimagetool --no-appstream "$APPDIR" "dist/ftwizard-$VERSION-$(uname -m).AppImage"
