#!/usr/bin/env bash
# macOS: dist/ftwizard.app from the PyInstaller spec, then dist/ftwizard-<version>-<arch>.dmg.
# Run on a Mac from anywhere, after `pip install -e '.[package]'` in the venv:
#   packaging/macos/build-dmg.sh
# Optional: CODESIGN_IDENTITY="Developer ID Application: ..." signs the bundle (notarising is
# a separate `xcrun notarytool submit` step, see packaging/README.md).
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
hdiutil create -volname "ftwizard $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$DMG"
echo "built $DMG ($(du -h "$DMG" | cut -f1))"
