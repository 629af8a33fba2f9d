#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets in Fuzz/ (debug, libFuzzer + AddressSanitizer) and runs
# each for FUZZ_SECONDS (default 60), one after another, from its committed seed corpus. A crash,
# a trap, a leak, a hang (> 10 s for one input) or an allocation over 2 GB fails the run and leaves
# the input that caused it in fuzz-artifacts/ (git-ignored), next to each target's log.
# Replay one input:  Fuzz/.build/debug/FuzzSafeTensors fuzz-artifacts/FuzzSafeTensors-crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-FuzzSafeTensors FuzzTUDataset FuzzPlanetoid FuzzGPTConfig FuzzGPTVocabulary}
mkdir -p fuzz-artifacts

# ld.gold warns about every ASan-local symbol; the warnings are harmless and hide real errors.
(cd Fuzz && swift build -c debug -Xswiftc -sanitize=fuzzer,address 2>&1 | (grep -v "Cannot export local symbol" || true))

# Swift's own crash backtracer would catch a trap first and (here) never return; with it off,
# libFuzzer's handler sees the signal, saves the input and fails the run.
export SWIFT_BACKTRACE=enable=no

work=$(mktemp -d)                      # new corpus entries go here, not into the committed seeds
trap 'rm -rf "$work"' EXIT
status=0
for target in $targets; do
    mkdir -p "$work/$target"
    dict=Fuzz/Dictionaries/json.dict
    case $target in FuzzTUDataset|FuzzPlanetoid) dict=Fuzz/Dictionaries/tables.dict ;; esac
    log=fuzz-artifacts/$target.log
    # Inputs that once failed (Fuzz/Regressions/TARGET) run first, with the seeds.
    regressions=(); [ -d "Fuzz/Regressions/$target" ] && regressions=("Fuzz/Regressions/$target")
    # SLATE_MEMORY_LIMIT makes MemoryBudget refuse above 1 GB, so refusals stay cheap.
    if SLATE_MEMORY_LIMIT=$((1 << 30)) "Fuzz/.build/debug/$target" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -workers=1 -print_final_stats=1 -dict="$dict" \
        -artifact_prefix="fuzz-artifacts/$target-" "$work/$target" "Fuzz/Corpus/$target" "${regressions[@]}" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "$target: no crash in ${seconds} s (${runs:-?} inputs)"
    else
        echo "$target: FAILED; the input is in fuzz-artifacts/$target-*, the log in $log" >&2
        grep -E "ERROR|Fatal error|runtime failure|SUMMARY|artifact" "$log" | head -20 >&2 || true
        status=1
    fi
done
exit $status
