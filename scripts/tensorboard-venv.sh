#!/usr/bin/env bash
# Installs TensorBoard from PyPI into a private virtualenv (.venv-tensorboard/, git-ignored), so
# the tests that read Slate's event files back with TensorBoard's own reader
# (TensorBoardReadBackTests) run instead of skipping. Also gives a `tensorboard` to look at runs:
#   .venv-tensorboard/bin/tensorboard --logdir runs
# Idempotent: a no-op when the pinned version is already installed. Offline, it says so and exits
# non-zero. The tests look for $SLATE_TENSORBOARD_PYTHON, then this venv's python, then python3.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${SLATE_TENSORBOARD_VENV:-$ROOT/.venv-tensorboard}"
VERSION=2.21.0    # the version the fixture Tests/SlateTests/Fixtures/reference.tfevents was made with
say() { echo "tensorboard-venv: $*"; }

if [[ -x $VENV/bin/python ]] && "$VENV/bin/python" -c "import tensorboard, sys; sys.exit(tensorboard.__version__ != '$VERSION')" 2>/dev/null; then
  say "tensorboard $VERSION present in $VENV"; exit 0
fi
command -v python3 >/dev/null || { say "python3 is needed (sudo apt install python3 python3-venv)" >&2; exit 1; }
[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV" || { say "could not create a virtualenv (sudo apt install python3-venv)" >&2; exit 1; }
if ! "$VENV/bin/pip" install -q "tensorboard==$VERSION"; then
  say "could not install tensorboard==$VERSION from PyPI (offline?); the read-back tests will skip" >&2
  exit 1
fi
say "tensorboard $VERSION installed in $VENV"
