#!/usr/bin/env bash
# How much one competing CPU-bound process slows the default GPT training step, Slate beside
# PyTorch: each round times both step benchmarks on a quiet machine and then beside a `nice -n 10`
# busy loop, and the script prints each library's loaded/quiet ratio (the median over rounds of the
# per-round ratios). Slate is steady under load when its ratio is no worse than PyTorch's.
#
#   Benchmarks/contention.sh [SLATE_BINARY] [PYTHON_WITH_TORCH] [ROUNDS] [THREADS]
#   e.g. python3 -m venv /tmp/torch-venv && /tmp/torch-venv/bin/pip install torch
#        Benchmarks/contention.sh .build/release/slate /tmp/torch-venv/bin/python 3 2
#
# Figures: `slate gpt bench --json` ms_per_iter and `torch_gpt.py bench` "ms/iter median", both the
# median of 100 steps of nanoGPT's CPU recipe (4 × 128, block 64, batch 12, AdamW) on THREADS
# threads (default 2). The busy loop runs in this script's session, so `nice` counts against the
# benchmarks (Linux's autogroups compare nice values only within a session). Run it on an
# otherwise idle machine: other load makes "quiet" loaded too and the ratios meaningless.
set -euo pipefail
cd "$(dirname "$0")/.."
SLATE=${1:-.build/release/slate}; PY=${2:-python3}; ROUNDS=${3:-3}; THREADS=${4:-2}
"$PY" -c 'import torch' 2>/dev/null || { echo "Error: $PY cannot import torch; pass a Python that has it (see the header of this script)." >&2; exit 66; }
[ -x "$SLATE" ] || { echo "Error: $SLATE is not an executable; build with swift build -c release or pass the slate binary." >&2; exit 66; }

busy=""
stop_busy() { if [ -n "$busy" ]; then kill "$busy" 2>/dev/null || true; wait "$busy" 2>/dev/null || true; busy=""; fi; }
trap stop_busy EXIT INT TERM

slate_ms() { "$SLATE" gpt bench --iters 100 --threads "$THREADS" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["ms_per_iter"])'; }
torch_ms() { "$PY" Benchmarks/gpt-pytorch/torch_gpt.py bench --threads "$THREADS" | sed -n 's/.*: \([0-9.]*\) ms\/iter median.*/\1/p'; }

rows=$(mktemp); trap 'stop_busy; rm -f "$rows"' EXIT
for ((r = 1; r <= ROUNDS; r++)); do
  sq=$(slate_ms); echo "round $r: Slate quiet $sq ms" >&2
  tq=$(torch_ms); echo "round $r: PyTorch quiet $tq ms" >&2
  nice -n 10 bash -c 'while :; do :; done' & busy=$!
  sleep 1                                   # let the scheduler settle the busy loop on a core
  sl=$(slate_ms); echo "round $r: Slate loaded $sl ms" >&2
  tl=$(torch_ms); echo "round $r: PyTorch loaded $tl ms" >&2
  stop_busy
  echo "round $r: Slate quiet $sq ms, loaded $sl ms; PyTorch quiet $tq ms, loaded $tl ms"
  echo "$sq $sl $tq $tl" >> "$rows"
done
"$PY" - "$rows" <<'PY'
import sys, statistics as st
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
slate = st.median(r[1] / r[0] for r in rows); torch = st.median(r[3] / r[2] for r in rows)
quiet = st.median(r[0] / r[2] for r in rows)
print(f"loaded/quiet (median of {len(rows)} rounds): Slate {slate:.2f}x, PyTorch {torch:.2f}x; "
      f"quiet Slate/PyTorch step time {quiet:.2f}")
print("Slate steadier than or as steady as PyTorch" if slate <= torch else "Slate slows more than PyTorch under load")
PY
