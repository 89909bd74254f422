#!/usr/bin/env bash
# Build a wheelhouse for the training runtime on a CONNECTED machine, to carry to an offline one.
#
#   packaging/offline-wheelhouse.sh --cuda 12.4 [--python 3.11] [--torch 2.6.0] [--out DIR]
#   packaging/offline-wheelhouse.sh --cuda cpu ...     (no NVIDIA GPU: CPU torch)
#   packaging/offline-wheelhouse.sh --cuda default ... (torch as PyPI ships it; macOS, ROCm users
#                                                       pass --torch-index URL instead)
#
# Run it on the same OS and CPU architecture as the offline machine (markers such as
# bitsandbytes' are decided by the machine running pip). The Python version may differ:
# --python picks the wheels' version. Then, on the offline machine:
#   ftwizard runtime install --wheelhouse DIR
# The folder holds the wheels, requirements.txt, wheelhouse.json (`ftwizard schema wheelhouse`)
# and SHA256SUMS, which `runtime install` verifies before installing anything.
set -euo pipefail

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

CUDA="" PYVER="" TORCH="" OUT="" TORCH_INDEX="" DRY=0 PLATFORM=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cuda) CUDA=${2:?}; shift 2 ;;
    --python) PYVER=${2:?}; shift 2 ;;
    --torch) TORCH=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    --torch-index) TORCH_INDEX=${2:?}; shift 2 ;;
    --platform) PLATFORM+=(--platform "${2:?}"); shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) usage ;;
    *) echo "offline-wheelhouse: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$CUDA" ] || { echo "offline-wheelhouse: --cuda VERSION|cpu|default is required" >&2; usage; }
case "$CUDA" in
  default|cpu) CUDA_TAG=$CUDA ;;
  [0-9]*.[0-9]*) CUDA_TAG="cu${CUDA//./}" ;;
  *) echo "offline-wheelhouse: --cuda $CUDA: expected a version like 12.4, 'cpu' or 'default'" >&2; exit 2 ;;
esac

REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
PYVER=${PYVER:-$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')}
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$REPO/src/ftwizard/__init__.py")
OUT=${OUT:-wheelhouse-ftwizard-$VERSION-py$PYVER-$CUDA_TAG}
if [ -z "$TORCH_INDEX" ] && [ "$CUDA_TAG" != default ]; then
  TORCH_INDEX="https://download.pytorch.org/whl/$CUDA_TAG"  # PyTorch's per-CUDA wheel index
fi

run() { echo "+ $*"; [ "$DRY" = 1 ] || "$@"; }

run mkdir -p "$OUT"
# 1. ftwizard itself: the runtime runs `python -m ftwizard.train`.
run "$PY" -m pip wheel --no-deps --wheel-dir "$OUT" "$REPO"
# 2. Everything the train extra needs, as wheels only, for the chosen Python; pip too, so the
#    offline machine needs no ensurepip.
DL=("$PY" -m pip download --dest "$OUT" --only-binary=:all: --python-version "$PYVER"
    --find-links "$OUT" ${PLATFORM[@]+"${PLATFORM[@]}"})
[ -n "$TORCH_INDEX" ] && DL+=(--extra-index-url "$TORCH_INDEX")
run "${DL[@]}" "ftwizard[train]==$VERSION" ${TORCH:+"torch==$TORCH"} pip
[ "$DRY" = 1 ] && exit 0

# 3. What to install, pinned to what was downloaded (torch keeps its +cuXXX local version).
TORCH_WHEEL=$(ls "$OUT"/torch-*.whl 2>/dev/null | head -1)
[ -n "$TORCH_WHEEL" ] || { echo "offline-wheelhouse: no torch wheel was downloaded" >&2; exit 1; }
"$PY" - "$OUT" "$VERSION" "$PYVER" "$CUDA" "$TORCH_WHEEL" <<'PY'
import datetime, json, pathlib, sys
out, version, pyver, cuda, torch_wheel = sys.argv[1:]
name = pathlib.Path(torch_wheel).name[:-4].split("-")  # torch-VERSION-PY-ABI-PLATFORM
torch_version, platform = name[1], name[-1]
(pathlib.Path(out) / "requirements.txt").write_text(
    f"ftwizard[train]=={version}\ntorch=={torch_version}\n", encoding="utf-8")
manifest = {"schema_version": 1, "ftwizard_version": version, "python_version": pyver,
            "platform": platform, "cuda": None if cuda in ("cpu", "default") else cuda,
            "torch_version": torch_version, "created": datetime.date.today().isoformat()}
(pathlib.Path(out) / "wheelhouse.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
PY
# 4. Checksums, checked on the offline machine before anything is installed.
(cd "$OUT" && if command -v sha256sum >/dev/null; then sha256sum -- *.whl requirements.txt wheelhouse.json
              else shasum -a 256 -- *.whl requirements.txt wheelhouse.json; fi > SHA256SUMS)
echo "Wheelhouse ready: $OUT ($(du -sh "$OUT" | cut -f1)). Copy it to the offline machine and run:"
echo "  ftwizard runtime install --wheelhouse $(basename "$OUT")"
