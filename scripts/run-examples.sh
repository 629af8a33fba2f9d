#!/usr/bin/env bash
# Builds the Examples package (release) and runs each example, checking the outcome it prints.
# Exits non-zero, naming the example, when one fails to build, to run, or to reach its outcome.
set -euo pipefail
cd "$(dirname "$0")/../Examples"
swift build -c release
bin=$(swift build -c release --show-bin-path)
failed=0

# check NAME DESCRIPTION AWK-PROGRAM: runs the example; the awk program exits 0 on a right outcome.
check() {
  local name=$1 what=$2 program=$3 out
  if ! out=$("$bin/$name" 2>&1); then
    echo "FAIL $name: exited non-zero"; echo "$out" | sed 's/^/    /'; failed=1; return
  fi
  if echo "$out" | awk "$program"; then
    echo "ok   $name: $what"
  else
    echo "FAIL $name: expected $what"; echo "$out" | sed 's/^/    /'; failed=1
  fi
}

check mlp-xor "all four XOR rows right" \
  '/^xor accuracy 4\/4$/ { ok = 1 } END { exit !ok }'
check custom-op "gradcheck passed and the fit reached the median 3" \
  '/^gradcheck: passed/ { g = 1 } /^median fit: w = / { w = $5 } END { exit !(g && w > 2.95 && w < 3.05) }'
check gpt-from-code "validation loss down by more than 1 nat, below 2" \
  '/^val loss / { first = $3; last = $5 } END { exit !(last != "" && last < 2 && first - last > 1) }'
check gcn-from-code "mean test accuracy at least 0.9" \
  '/^mean test accuracy / { a = $4 } END { exit !(a != "" && a >= 0.9) }'
check custom-env-ppo "the greedy policy walks the corridor in the fewest steps" \
  '/^greedy return / { r = $3; n = $5; b = $8; m = $10 } END { exit !(r != "" && r + 0 >= b - 1e-6 && n + 0 == m + 0) }'

exit $failed
