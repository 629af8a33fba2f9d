#!/usr/bin/env bash
# The multi-rank tests of SlateDistributed, each under mpirun inside `timeout`:
#   collectives on 2 ranks, on 3 ranks (more ranks than cores, odd sizes) and over TCP
#   (--mca btl self,tcp); a tiny GPT trained by 2 and by 3 ranks × B rows equals one process ×
#   N·B rows (SGD within 1e-5; AdamW through GPTTrainer within 1e-3, the figure is printed);
#   `slate gpt train --distributed` under mpirun against one process at twice the batch;
#   2 micro-batches of gradient accumulation equal 2 ranks; a resumed distributed run equals an
#   uninterrupted one; `--distributed` without mpirun is bit-identical to a plain run; a configuration that differs
#   between ranks, and a launcher this Open MPI cannot join, end with an error instead of a hang.
#   PPO: N ranks equal one process on a fixed rollout (2 and 3 ranks, TCP); PPOTrainer's replicas,
#   gathered episodes and collective checkpoints; `slate rl train --distributed` alone equals a
#   plain run, rank 0 alone writes, and a 2-rank run killed and resumed equals an uninterrupted one.
#   GCN: N ranks × B whole graphs equal one process × N·B (2 and 3 ranks, short batches, TCP), and
#   on MUTAG through the CLI (if $SLATE_DATA has it): alone = plain, 2 × 8 = 1 × 16, 3 × 5 = 1 × 15,
#   a killed 2-rank run resumed equals an uninterrupted one; node datasets are refused.
# Skips (exit 0, with the reason) when mpirun is not installed. Exits non-zero on any failure.
#
# Environment: SWIFT (default swift); SWIFT_BUILD_FLAGS (default: the flags `make test` builds
# with, so nothing is rebuilt); MPI_TIMEOUT seconds per launch (default 300).
set -uo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
read -r -a FLAGS <<<"${SWIFT_BUILD_FLAGS:--c release -Xswiftc -enable-testing}"
LIMIT=${MPI_TIMEOUT:-300}

if ! command -v mpirun >/dev/null 2>&1; then
  echo "test-mpi: skipped: mpirun not found (Open MPI's openmpi-bin is not installed; scripts/install-deps.sh installs it)"
  exit 0
fi
$SWIFT build "${FLAGS[@]}" --product slate-mpi-check && $SWIFT build "${FLAGS[@]}" --product slate ||
  { echo "test-mpi: error: the build failed" >&2; exit 1; }
BIN=$($SWIFT build "${FLAGS[@]}" --show-bin-path)
MPIRUN=(mpirun --oversubscribe --bind-to none)
[[ $(id -u) -eq 0 ]] && MPIRUN+=(--allow-run-as-root)
TMP=$(mktemp -d /tmp/slate-test-mpi.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

failed=0 passed=0
run() {   # run NAME EXPECT(pass|fail) COMMAND... : the command's output goes to $TMP/NAME.log
  local name=$1 want=$2; shift 2
  local t0=$SECONDS rc
  timeout -k 10 "$LIMIT" "$@" >"$TMP/$name.log" 2>&1
  rc=$?
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    echo "test-mpi: FAIL $name: no result within $LIMIT s (hang)"; failed=$((failed + 1))
  elif [[ ($want == pass && $rc -eq 0) || ($want == fail && $rc -ne 0) ]]; then
    echo "test-mpi: ok   $name ($((SECONDS - t0)) s)"; passed=$((passed + 1))
    grep -E "^(collectives|gpt-|ppo-|gcn-|compare|Error)" "$TMP/$name.log" | sed 's/^/                 /' | head -3
  else
    echo "test-mpi: FAIL $name (exit $rc, expected $want):"; sed 's/^/    /' "$TMP/$name.log" | tail -20
    failed=$((failed + 1))
  fi
}

run collectives-np2     pass "${MPIRUN[@]}" -np 2 "$BIN/slate-mpi-check" collectives
run collectives-np3     pass "${MPIRUN[@]}" -np 3 "$BIN/slate-mpi-check" collectives
run collectives-tcp     pass "${MPIRUN[@]}" --mca btl self,tcp -np 2 "$BIN/slate-mpi-check" collectives
run gpt-sgd-np2         pass "${MPIRUN[@]}" -np 2 "$BIN/slate-mpi-check" gpt-sgd
run gpt-sgd-np3         pass "${MPIRUN[@]}" -np 3 "$BIN/slate-mpi-check" gpt-sgd
run gpt-adamw-np2-tcp   pass "${MPIRUN[@]}" --mca btl self,tcp -np 2 "$BIN/slate-mpi-check" gpt-adamw

# The CLI on a tiny GPT and a short text.
TEXT=$TMP/text.txt
for i in $(seq 400); do echo "First Citizen: before we proceed any further, hear me speak $((i * 7919 % 1000))."; done >"$TEXT"
GPT=("$BIN/slate" gpt train --text "$TEXT" --n-layer 2 --n-head 2 --n-embd 32 --block-size 16
  --max-iters 10 --eval-interval 10 --eval-iters 2 --warmup-iters 0 --learning-rate 0.01 --threads 1)
# Rank 1 gets its own --out (MPMD launch): only rank 0 may print or write, so it must stay empty.
run cli-np2             pass "${MPIRUN[@]}" -np 1 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/np2" : \
  -np 1 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/np2-rank1"
run cli-one-process     pass "${GPT[@]}" --batch-size 6 --out "$TMP/one"
# 2 ranks × 3 rows and 1 process × 6 add each gradient in another order, so the gradients agree to
# rounding, not bit for bit. AdamW divides each element by its own running RMS: an element whose
# gradient sits at the rounding floor (|g| ≈ eps = 1e-8; here one weight of the first MLP) turns a
# few percent of rounding into 1e-4 of its update. Hence 1e-3, as for the graph trainer below (a
# rank's gradient missing from the average moves every weight by ~lr = 1e-2 in the first step).
# The same order of additions (accumulation against ranks) stays at 1e-5.
run cli-np2-equals-one  pass "$BIN/slate-mpi-check" compare "$TMP/np2/model.safetensors" "$TMP/one/model.safetensors" 1e-3
# Gradient accumulation: 1 process × 2 micro-batches = 2 ranks × 1; 2 ranks × 2 = 1 process × 4B.
run cli-accumulate-2    pass "${GPT[@]}" --gradient-accumulation-steps 2 --batch-size 3 --out "$TMP/acc2"
run cli-accumulate-equals-np2 pass "$BIN/slate-mpi-check" compare "$TMP/acc2/model.safetensors" "$TMP/np2/model.safetensors" 1e-5
run cli-np2-accumulate-2 pass "${MPIRUN[@]}" -np 2 "${GPT[@]}" --distributed --gradient-accumulation-steps 2 --batch-size 3 --out "$TMP/np2acc2"
run cli-one-batch-12    pass "${GPT[@]}" --batch-size 12 --out "$TMP/one12"
run cli-np2-accumulate-equals-one pass "$BIN/slate-mpi-check" compare "$TMP/np2acc2/model.safetensors" "$TMP/one12/model.safetensors" 1e-3
run cli-distributed-alone pass "${GPT[@]}" --distributed --batch-size 6 --out "$TMP/alone"
run cli-alone-bit-identical pass cmp "$TMP/alone/model.safetensors" "$TMP/one/model.safetensors"
run cli-rank0-writes    pass test ! -e "$TMP/np2-rank1" -a "$(grep -c '^slate gpt train' "$TMP/cli-np2.log")" = 1 -a -s "$TMP/np2/summary.json"
# Resume across ranks: 2 ranks for 10 steps, then resumed to 20, equal 2 ranks for 20 uninterrupted.
run cli-np2-first-half  pass "${MPIRUN[@]}" -np 2 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/half"
run cli-np2-resumed     pass "${MPIRUN[@]}" -np 2 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/half" --max-iters 20 --resume
run cli-np2-whole       pass "${MPIRUN[@]}" -np 2 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/whole" --max-iters 20
run cli-resume-equals-whole pass "$BIN/slate-mpi-check" compare "$TMP/half/model.safetensors" "$TMP/whole/model.safetensors" 0
run cli-resume-state-equals-whole pass "$BIN/slate-mpi-check" compare "$TMP/half/checkpoint.safetensors" "$TMP/whole/checkpoint.safetensors" 0
run cli-config-mismatch fail "${MPIRUN[@]}" -np 1 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/bad" : \
  -np 1 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/bad" --beta2 0.95
grep -q "resolved a different configuration" "$TMP/cli-config-mismatch.log" ||
  { echo "test-mpi: FAIL cli-config-mismatch: the message does not name the mismatch"; failed=$((failed + 1)); }
run cli-foreign-launcher fail env PMI_RANK=0 PMI_SIZE=2 "${GPT[@]}" --distributed --batch-size 3 --out "$TMP/foreign"
grep -q "launch it with Open MPI's mpirun" "$TMP/cli-foreign-launcher.log" ||
  { echo "test-mpi: FAIL cli-foreign-launcher: the message does not say how to launch"; failed=$((failed + 1)); }

# kill_and_resume NAME OUT COMMAND... : runs COMMAND --out OUT on 2 ranks and SIGKILLs both ranks
# (by pid) right after it sees the checkpoint replaced for the K-th time (K random in 1-3, plus up
# to 40 ms), then resumes it on 2 ranks with --resume. It counts checkpoint writes rather than
# sleeping a fixed time, so the kill lands mid-run on a machine of any speed (a fixed sleep let a
# fast machine finish first); if a run still ends first it tries again with K = 1, up to 3 times.
checkpoint_version() { stat -c '%i %y' "$1" 2>/dev/null; }
kill_and_resume() {
  local name=$1 out=$2; shift 2
  local attempt launcher pid rc writes target seen now
  for attempt in 1 2 3; do
    rm -rf "$out"
    timeout -k 10 "$LIMIT" "${MPIRUN[@]}" -np 2 "$@" --out "$out" >"$TMP/$name-killed.log" 2>&1 &
    launcher=$!
    writes=0 seen=""
    target=$(( attempt == 1 ? RANDOM % 3 + 1 : 1 ))
    while kill -0 $launcher 2>/dev/null; do
      now=$(checkpoint_version "$out/checkpoint.safetensors")
      if [[ -n $now && $now != "$seen" ]]; then
        seen=$now writes=$((writes + 1))
        [[ $writes -ge $target ]] && break
      fi
      sleep 0.01
    done
    [[ $attempt -eq 1 ]] && sleep 0.0$((RANDOM % 5))
    for pid in $(pgrep -P "$(pgrep -P $launcher | head -1)" 2>/dev/null) $(pgrep -P $launcher 2>/dev/null); do
      [[ $(cat /proc/$pid/comm 2>/dev/null) == slate ]] && kill -KILL "$pid" 2>/dev/null
    done
    wait $launcher; rc=$?
    [[ $rc -ne 0 && -e "$out/checkpoint.safetensors" ]] && break
    echo "test-mpi: note: $name finished (exit $rc) before the kill landed; again ($attempt)"
  done
  [[ $rc -ne 0 ]] || { echo "test-mpi: FAIL $name: every run finished before a kill landed"; failed=$((failed + 1)); }
  echo "test-mpi: note: $name killed after checkpoint write $writes (attempt $attempt)"
  run "$name-np2-resumed" pass "${MPIRUN[@]}" -np 2 "$@" --out "$out" --resume
}

# PPO: the update on a fixed rollout, the trainer, then the CLI.
run ppo-update-np2      pass "${MPIRUN[@]}" -np 2 "$BIN/slate-mpi-check" ppo-update
run ppo-update-np3      pass "${MPIRUN[@]}" -np 3 "$BIN/slate-mpi-check" ppo-update
run ppo-update-np2-tcp  pass "${MPIRUN[@]}" --mca btl self,tcp -np 2 "$BIN/slate-mpi-check" ppo-update
run ppo-train-np2       pass "${MPIRUN[@]}" -np 2 "$BIN/slate-mpi-check" ppo-train
run ppo-train-np3       pass "${MPIRUN[@]}" -np 3 "$BIN/slate-mpi-check" ppo-train
RL=("$BIN/slate" rl train --num-envs 2 --num-steps 32 --num-minibatches 2 --update-epochs 2 --eval-episodes 2
  --save-interval 128 --threads 1 --quiet)
run rl-distributed-alone pass "${RL[@]}" --total-steps 1024 --distributed --out "$TMP/rl-alone"
run rl-plain            pass "${RL[@]}" --total-steps 1024 --out "$TMP/rl-plain"
run rl-alone-bit-identical pass cmp "$TMP/rl-alone/policy.safetensors" "$TMP/rl-plain/policy.safetensors"
run rl-alone-same-episodes pass cmp "$TMP/rl-alone/episodes.csv" "$TMP/rl-plain/episodes.csv"
run rl-np2-mpmd         pass "${MPIRUN[@]}" -np 1 "${RL[@]}" --total-steps 1024 --distributed --out "$TMP/rl-np2" : \
  -np 1 "${RL[@]}" --total-steps 1024 --distributed --out "$TMP/rl-np2-rank1"
run rl-rank0-writes     pass test ! -e "$TMP/rl-np2-rank1" -a -s "$TMP/rl-np2/summary.json" -a -s "$TMP/rl-np2/episodes.csv"
run rl-other-algo       fail "${RL[@]}" --total-steps 1024 --distributed --algo dqn --out "$TMP/rl-dqn"
grep -q "^Error: --distributed trains PPO only" "$TMP/rl-other-algo.log" ||
  { echo "test-mpi: FAIL rl-other-algo: no one-line Error"; failed=$((failed + 1)); }
# Kill both ranks (SIGKILL, by pid) once a checkpoint exists, resume on 2 ranks, compare with an
# uninterrupted 2-rank run: weights, optimizer, every rank's environments, the episode log.
STEPS=12800
run rl-np2-whole        pass "${MPIRUN[@]}" -np 2 "${RL[@]}" --total-steps $STEPS --distributed --out "$TMP/rl-whole"
kill_and_resume rl "$TMP/rl-killed" "${RL[@]}" --total-steps $STEPS --distributed
run rl-resume-equals-whole pass "$BIN/slate-mpi-check" compare "$TMP/rl-killed/policy.safetensors" "$TMP/rl-whole/policy.safetensors" 0
run rl-resume-state-equals-whole pass "$BIN/slate-mpi-check" compare "$TMP/rl-killed/checkpoint.safetensors" "$TMP/rl-whole/checkpoint.safetensors" 0 metadata
run rl-resume-same-episodes pass cmp "$TMP/rl-killed/episodes.csv" "$TMP/rl-whole/episodes.csv"
run rl-resume-other-np  fail "$BIN/slate" rl train --num-envs 2 --num-steps 32 --num-minibatches 2 --update-epochs 2 \
  --eval-episodes 2 --threads 1 --quiet --total-steps $((STEPS * 2)) --distributed --out "$TMP/rl-whole" --resume
grep -q "trained by 2 rank(s), not 1" "$TMP/rl-resume-other-np.log" ||
  { echo "test-mpi: FAIL rl-resume-other-np: the message does not name the rank counts"; failed=$((failed + 1)); }

# Graph classification: the step, then the CLI on MUTAG (whole graphs per rank).
run gcn-step-np2        pass "${MPIRUN[@]}" -np 2 "$BIN/slate-mpi-check" gcn-step
run gcn-step-np3        pass "${MPIRUN[@]}" -np 3 "$BIN/slate-mpi-check" gcn-step
run gcn-step-np2-tcp    pass "${MPIRUN[@]}" --mca btl self,tcp -np 2 "$BIN/slate-mpi-check" gcn-step
if [[ -d "${SLATE_DATA:-./data}/tu/MUTAG" ]]; then
  GCN=("$BIN/slate" gcn train --dataset MUTAG --folds 3 --epochs 3 --threads 1 --quiet)
  run gcn-distributed-alone pass "${GCN[@]}" --batch-size 16 --distributed --out "$TMP/gcn-alone"
  run gcn-plain         pass "${GCN[@]}" --batch-size 16 --out "$TMP/gcn-plain"
  run gcn-alone-bit-identical pass cmp "$TMP/gcn-alone/model.safetensors" "$TMP/gcn-plain/model.safetensors"
  # Without dropout (each rank draws its own masks), N ranks × B equal one process × N·B (Adam).
  run gcn-np2           pass "${MPIRUN[@]}" -np 2 "${GCN[@]}" --dropout 0 --batch-size 8 --distributed --out "$TMP/gcn-np2"
  run gcn-one-16        pass "${GCN[@]}" --dropout 0 --batch-size 16 --out "$TMP/gcn-one16"
  run gcn-np2-equals-one pass "$BIN/slate-mpi-check" compare "$TMP/gcn-np2/model.safetensors" "$TMP/gcn-one16/model.safetensors" 1e-3
  run gcn-np3           pass "${MPIRUN[@]}" -np 3 "${GCN[@]}" --dropout 0 --batch-size 5 --distributed --out "$TMP/gcn-np3"
  run gcn-one-15        pass "${GCN[@]}" --dropout 0 --batch-size 15 --out "$TMP/gcn-one15"
  run gcn-np3-equals-one pass "$BIN/slate-mpi-check" compare "$TMP/gcn-np3/model.safetensors" "$TMP/gcn-one15/model.safetensors" 1e-3
  # Kill and resume with dropout: every rank's dropout stream comes back from rank 0's checkpoint.
  GCNK=("${GCN[@]}" --epochs 40 --checkpoint-every 4 --batch-size 8 --distributed)
  run gcn-np2-whole     pass "${MPIRUN[@]}" -np 2 "${GCNK[@]}" --out "$TMP/gcn-whole"
  kill_and_resume gcn "$TMP/gcn-killed" "${GCNK[@]}"
  run gcn-resume-equals-whole pass "$BIN/slate-mpi-check" compare "$TMP/gcn-killed/model.safetensors" "$TMP/gcn-whole/model.safetensors" 0
  run gcn-node-dataset  fail "$BIN/slate" gcn train --dataset cora --distributed --out "$TMP/gcn-cora"
  grep -q "^Error: --distributed trains graph classification only" "$TMP/gcn-node-dataset.log" ||
    { echo "test-mpi: FAIL gcn-node-dataset: no one-line Error"; failed=$((failed + 1)); }
else
  echo "test-mpi: note: the gcn CLI checks skipped: ${SLATE_DATA:-./data}/tu/MUTAG is missing (make data)"
fi

echo "test-mpi: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
