#!/usr/bin/env bash
# Makes the two data sets whose public home is a Python package rather than a download:
#   karate/  Zachary's karate club, from networkx (scripts/export-karate.py; SHA-256 checked
#            against data/manifest.tsv)
#   rl/      Gymnasium 1.4.0 classic-control reference trajectories (scripts/record-rl-trajectories.py)
# into $SLATE_DATA (default ./data). Anything already present is left alone, so this is a no-op on a
# complete data folder (CI's ../shared/data). The packages go into a private virtualenv
# (.venv-data/, git-ignored) from PyPI; offline, it says what to do and exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${SLATE_DATA:-./data}"
VENV="$ROOT/.venv-data"
say() { echo "generate-data: $*"; }

need_karate=0 need_rl=0
[[ -f $DATA/karate/edges.tsv && -f $DATA/karate/labels.tsv ]] || need_karate=1
for f in cartpole_v1 mountaincar_v0 acrobot_v1; do
  [[ -f $DATA/rl/${f}_trajectories.json ]] || need_rl=1
done
((need_karate || need_rl)) || { say "karate/ and rl/ present"; exit 0; }

if [[ ! -x $VENV/bin/python ]]; then
  command -v python3 >/dev/null || { say "python3 is needed to make karate/ and rl/ (sudo apt install python3 python3-venv)" >&2; exit 1; }
  python3 -m venv "$VENV" || { say "could not create a virtualenv (sudo apt install python3-venv)" >&2; exit 1; }
fi
if ! "$VENV/bin/pip" install -q "gymnasium==1.4.0" "networkx>=3.0" numpy; then
  cat >&2 <<MSG
generate-data: could not install gymnasium/networkx from PyPI (offline?).
  Copy karate/ and rl/ from a machine that has them into $DATA/, or run this again when online.
MSG
  exit 1
fi
if ((need_karate)); then
  "$VENV/bin/python" "$ROOT/scripts/export-karate.py" "$DATA/karate"
  for f in edges.tsv labels.tsv; do
    want=$(awk -F'\t' -v p="karate/$f" '$1 == p { print $2 }' "$ROOT/data/manifest.tsv")
    got=$(sha256sum "$DATA/karate/$f" | cut -d' ' -f1)
    [[ $got == "$want" ]] || { say "karate/$f: SHA-256 $got, expected $want (networkx changed its copy?)" >&2; exit 1; }
  done
  say "karate/: SHA-256 ok"
fi
if ((need_rl)); then
  "$VENV/bin/python" "$ROOT/scripts/record-rl-trajectories.py" "$DATA/rl"
fi
