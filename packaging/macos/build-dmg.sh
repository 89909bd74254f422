#!/usr/bin/env bash
# macOS: dist/ftwizard.app from the PyInstaller spec, then dist/ftwizard-<version>-<arch>.dmg.
# Run on a Mac from anywhere, after `pip install -e '.[package]'` in the venv:
#   packaging/macos/build-dmg.sh
# Optional: CODESIGN_IDENTITY="Developer ID Application: ..." signs the bundle (notarising is
# a separate `xcrun notarytool submit` step, see packaging/README.md).
# Optional: WHEELHOUSE=DIR (packaging/offline-wheelhouse.sh, made on a Mac) puts the wheelhouse
# on the disk image with "Install training runtime.command", which runs
# `ftwizard runtime install --wheelhouse` into the user's data folder: the "installed" runtime
# the program finds (ftwizard.runtime.rule.training_runtime). A venv cannot live inside the signed,
# read-only app bundle, so nothing is bundled in it.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("ftwizard"))')
APP=dist/ftwizard.app
DMG="dist/ftwizard-$VERSION-$(uname -m).dmg"

"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/ftwizard.spec
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --deep --force --options runtime --timestamp --sign "$CODESIGN_IDENTITY" "$APP"
fi
# The bundle must work before it is shipped: wizard offscreen, catalog, detection, PDF.
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/ftwizard" --self-test

STAGE=build/dmg
rm -rf "$STAGE" "$DMG"
mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"  # drag-and-drop install
if [ -n "${WHEELHOUSE:-}" ]; then
  [ -f "$WHEELHOUSE/requirements.txt" ] || { echo "build-dmg: $WHEELHOUSE is not a wheelhouse" >&2; exit 2; }
  cp -R "$WHEELHOUSE" "$STAGE/wheelhouse"
  cat > "$STAGE/Install training runtime.command" <<'COMMAND'
#!/bin/sh
# Double-click after copying ftwizard to Applications: installs the Python that trains.
exec /Applications/ftwizard.app/Contents/MacOS/ftwizard runtime install --wheelhouse "$(dirname "$0")/wheelhouse"
COMMAND
  chmod +x "$STAGE/Install training runtime.command"
fi
hdiutil create -volname "ftwizard $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
echo "built $DMG ($(du -h "$DMG" | cut -f1))"
