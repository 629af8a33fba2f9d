#!/usr/bin/env bash
# Side-by-side speed of two `slate` binaries (e.g. before and after a change), alternating A B A B
# so that the machine's drift hits both alike. Prints each figure's median for A and B and the
# median of the per-round ratios B/A (time ratios: > 1 means B is slower).
#
#   Benchmarks/compare-builds.sh OLD/.build/release/slate NEW/.build/release/slate [ROUNDS]
#
# Figures (each from the binary's own report, so process start-up is not timed):
#   gpt_ms        `slate gpt bench` ms per training step (nanoGPT's CPU recipe, 2 threads)
#   matmul64/1024 `slate bench matmul` GFLOP/s of Tensor.matmul at n = 64 and 1024 (2 threads)
#   ppo_sps       `slate rl train` PPO environment steps per second (CartPole, 20k steps, 1 thread)
#   mutag_ms      `slate gcn train` wall ms of the whole MUTAG run (10 folds x 20 epochs, 1 thread,
#                 outputs included)
set -euo pipefail
A=$1; B=$2; ROUNDS=${3:-5}
export SLATE_DATA=${SLATE_DATA:-./data}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

measure() {  # $1 binary -> "gpt_ms matmul64 matmul1024 ppo_sps mutag_ms"
  local S=$1 g m64 m1024 p e
  g=$($S gpt bench --iters 30 --threads 2 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_iter"])')
  read -r m64 m1024 < <($S bench matmul --sizes 64,1024 --threads 2 --json 2>/dev/null | python3 -c '
import json,sys
rows=json.load(sys.stdin)["results"]
g={r["n"]: r["gflops_slate"] for r in rows if r["m"]==r["n"]==r["k"] and r["threads"]==2}
print(g[64], g[1024])')
  p=$($S rl train --total-steps 20000 --eval-episodes 1 --threads 1 --out "$tmp/rl-$RANDOM" 2>&1 | sed -n 's/^trained.*(\([0-9.]*\) steps\/s.*/\1/p')
  e=$(python3 -c 'import subprocess, sys, time; t = time.perf_counter(); subprocess.run(sys.argv[1:], capture_output=True); print(1000 * (time.perf_counter() - t))' \
      $S gcn train --dataset MUTAG --epochs 20 --threads 1 --out "$tmp/gcn-$RANDOM")
  echo "$g $m64 $m1024 $p $e"
}

for ((r = 1; r <= ROUNDS; r++)); do
  echo "A $(measure "$A")" >> "$tmp/rows"
  echo "B $(measure "$B")" >> "$tmp/rows"
done
python3 - "$tmp/rows" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
A = [list(map(float, r[1:])) for r in rows if r[0] == "A"]
B = [list(map(float, r[1:])) for r in rows if r[0] == "B"]
names = ["gpt_ms/step", "matmul64 GFLOP/s", "matmul1024 GFLOP/s", "ppo steps/s", "mutag run ms"]
higher_is_better = [False, True, True, True, False]
print(f"{'figure':22} {'A median':>10} {'B median':>10} {'B time / A time (median of rounds)':>36}")
for i, n in enumerate(names):
    a = [x[i] for x in A]; b = [x[i] for x in B]
    ratios = [(ai / bi) if higher_is_better[i] else (bi / ai) for ai, bi in zip(a, b)]
    print(f"{n:22} {st.median(a):10.2f} {st.median(b):10.2f} {st.median(ratios):36.3f}")
PY
