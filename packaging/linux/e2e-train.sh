#!/usr/bin/env bash
# End to end, the way a user gets there: the installed program trains.
#   1. build the .deb (packaging/linux/build-deb.sh, as `make package`), unless E2E_DEB names one
#   2. unpack it (dpkg-deb -x) into a temporary root: no root rights, nothing installed system-wide
#   3. make an offline wheelhouse from what is installed in .venv (packaging/wheelhouse_from_env.py:
#      no network) and `ftwizard runtime install --wheelhouse` it into a temporary user data folder
#   4. with the *installed* binary: `ftwizard runtime list`, `ftwizard train` on a tiny local model for
#      a few steps (adapter written, `done` event), and the same launch through the GUI's run monitor
#      offscreen (`ftwizard runtime gui-launch`)
# Prints `e2e installed train: ok` last; exits non-zero on any failure. Minutes: not part of
# `make test`; `make e2e` runs it. E2E_KEEP=1 keeps the temporary folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
fail() { echo "e2e installed train: FAILED: $*" >&2; exit 1; }
step() { echo; echo "== [${SECONDS}s] $*"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ftwizard-e2e.XXXXXX")
if [ "${E2E_KEEP:-0}" = 1 ]; then echo "e2e: keeping $TMP"; else trap 'rm -rf "$TMP"' EXIT; fi

# 1. The installer.
if [ -n "${E2E_DEB:-}" ]; then
  DEB=$E2E_DEB
else
  step "building the .deb (packaging/linux/build-deb.sh)"
  PYTHON=$PY bash packaging/linux/build-deb.sh
  VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("ftwizard"))')
  DEB=dist/ftwizard_${VERSION}_$(dpkg --print-architecture).deb
fi
[ -f "$DEB" ] || fail "$DEB: no such package"

# 2. Installed into a temporary root.
step "unpacking $DEB into $TMP/root"
dpkg-deb -x "$DEB" "$TMP/root"
BIN=$TMP/root/usr/bin/ftwizard
[ -x "$BIN" ] || fail "$BIN: not in the package"

# The user's world: a fresh data folder and home; no runtime named, none active; and no
# development venv on PATH, so only what the installed program finds can train.
export FTWIZARD_HOME=$TMP/user
export HOME=$TMP/home
mkdir -p "$HOME"
unset FTWIZARD_PYTHON CONDA_PREFIX VIRTUAL_ENV PYTHONPATH PYTHONHOME
export PATH=/usr/local/bin:/usr/bin:/bin
export QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# pip sees the wheelhouse and nothing else: no site pip.conf find-links or index.
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL

step "the installed program without a runtime: train refuses and names the fix"
set +e
"$BIN" train --model-dir "$TMP" --data "$TMP/none.jsonl" --output "$TMP/refused" >"$TMP/refused.log" 2>&1
code=$?
set -e
cat "$TMP/refused.log"
[ "$code" = 2 ] || fail "train without a runtime exited $code, expected 2"
grep -q "ftwizard runtime install --wheelhouse DIR" "$TMP/refused.log" || fail "the refusal does not name the fix"

# 3. The training runtime, offline.
step "wheelhouse from the installed .venv (no network)"
"$PY" packaging/wheelhouse_from_env.py "$TMP/wheelhouse"
BASE=$("$PY" -c 'import sys; print(sys._base_executable)')
step "ftwizard runtime install --wheelhouse (into $FTWIZARD_HOME)"
"$BIN" runtime install --wheelhouse "$TMP/wheelhouse" --python "$BASE"

step "ftwizard runtime list"
"$BIN" runtime list | tee "$TMP/list.log"
grep -q "installed by \`ftwizard runtime install\`: ready" "$TMP/list.log" || fail "the installed runtime is not listed as ready"

# 4. Training with the installed binary.
step "a tiny local model and data (built here, nothing downloaded)"
"$PY" - "$TMP" <<'PY'
import sys
from pathlib import Path
sys.path.insert(0, "tests")
from train_fixtures import build_tiny_model, write_chat_jsonl
out = Path(sys.argv[1])
build_tiny_model(out / "model")
write_chat_jsonl(out / "train.jsonl", rows=120)
PY

step "ftwizard train (installed binary, CLI)"
"$BIN" train --model-dir "$TMP/model" --data "$TMP/train.jsonl" --output "$TMP/run-cli" \
  --max-steps 3 --seq-len 64 --micro-batch 2 --grad-accum 1 --save-every 0 --json | tee "$TMP/train.jsonl.log"
grep -q '"event": *"done"' "$TMP/train.jsonl.log" || fail "no done event from ftwizard train"
[ -f "$TMP/run-cli/adapter/adapter_model.safetensors" ] || fail "ftwizard train wrote no adapter"

step "the same launch through the GUI's run monitor, offscreen (installed binary)"
"$BIN" runtime gui-launch --model-dir "$TMP/model" --data "$TMP/train.jsonl" --runs-dir "$TMP/runs-gui" \
  --max-steps 3 || fail "the GUI launch did not finish with an adapter"

echo
echo "e2e: ${SECONDS}s in all"
echo "e2e installed train: ok"
