#!/usr/bin/env bash
# Runs one benchmark command with every other session's processes frozen, for side-by-side speed
# figures on a shared machine (other builds and trainings make "quiet" loaded and ratios noise;
# `nice` does not help: with autogroups the kernel weighs sessions against each other, not nice
# values across sessions).
#
#   setsid Benchmarks/quiet.sh KEEP_SID COMMAND [ARG ...]
#   e.g. setsid Benchmarks/quiet.sh "$(ps -o sid= -p $$)" Benchmarks/contention.sh .build/release/slate /tmp/torch-venv/bin/python 4 2
#
# Every process of a session other than KEEP_SID (the shell you run it from), this script's own
# session (hence setsid) and the kernel's gets SIGSTOP, re-applied every second to newcomers, for
# the length of COMMAND; all get SIGCONT on exit (also on Ctrl-C). Frozen programs lose only
# time. Needs the right to signal them (root on a shared CI machine). Linux only.
set -uo pipefail
[ $# -ge 2 ] || { echo "Error: usage: setsid Benchmarks/quiet.sh KEEP_SID COMMAND [ARG ...]" >&2; exit 64; }
keep=$1; shift
mine=$(ps -o sid= -p $$ | tr -d ' ')
others() { ps -eo pid=,sid= | awk -v k="$keep" -v m="$mine" '$2 != 0 && $2 != k && $2 != m {print $1}'; }
freeze() { while :; do for p in $(others); do kill -STOP "$p" 2>/dev/null; done; sleep 1; done; }
freeze & freezer=$!
thaw() { kill "$freezer" 2>/dev/null; wait "$freezer" 2>/dev/null; for p in $(others); do kill -CONT "$p" 2>/dev/null; done; }
trap thaw EXIT INT TERM
sleep 0.5
echo "quiet.sh: $(others | wc -l) process(es) of other sessions frozen" >&2
"$@"
