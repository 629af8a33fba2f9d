#!/usr/bin/env bash
# Cross-builds Slate and its tests for aarch64 (Raspberry Pi 4/5, 64-bit Raspberry Pi OS) and runs
# the whole test suite under qemu-user, three times:
#   1. as a Cortex-A72 (Pi 4),
#   2. as a Cortex-A76 (Pi 5),
#   3. as a Cortex-A72 with bookworm's arm64 OpenBLAS 0.3.21 (the Pi's own) first on LD_LIBRARY_PATH
#      and LD_BIND_NOW=1, so a BLAS symbol the Pi lacks fails the run.
# Exits non-zero if the build or any aarch64 test fails. Correctness only: qemu timings mean nothing.
#
# How: one Debian trixie chroot holding both amd64 and arm64 (mmdebstrap multiarch) gets Debian's
# amd64 Swift 6.0.3 plus the arm64 target libraries; swiftlang:arm64's resource directory is
# extracted beside it. The compiler runs natively with --triple aarch64-unknown-linux-gnu; only the
# test bundle runs under emulation (binfmt_misc + qemu-user-static). Recipe and measurements:
# ../shared/notes/aarch64.md. Note the Swift version: 6.0.3, so no Swift 6.1+ features in the tree.
# 6.0.3 pitfalls seen here (x86 too, not only aarch64): its type checker rejects some mixed
# vector/scalar chains such as `(v - s) * s * v` (write `(v - s) * (s * v)`) and types
# `1365.0 / 4096` in a [Float] literal as Double; its Foundation crashes in `Bundle.allBundles`.
#
# Cost, measured on the 2-core x86 CI machine (the ranges span a quiet machine and one loaded by
# other builds): chroot from nothing 163-418 s (about 1.2 GB from the mirror, 4.2 GB on disk);
# cross-build from scratch 150-750 s, about 6 s when nothing changed; each emulated suite run
# 30-35 s for 62 tests, 83-214 s for 228 tests (the slowest: PPO training, bandits, PROTEINS parsing,
# which should honour SLATE_TEST_SCALE). Warm total with 228 tests: about 4.5 min.
# Emulated timings say nothing about Pi speed.
#
# Needs root (installs mmdebstrap, qemu-user-static, binfmt-support with apt; registers qemu-aarch64
# with binfmt_misc). The first run downloads ~1.2 GB from the Debian mirror and takes a few
# minutes; the chroot is kept in $SLATE_AARCH64_CACHE and reused while its `.ready` marker
# matches this recipe. All mounts happen inside `unshare --mount`, so none outlive the script. The
# tree is rsync'ed to /build/src in the chroot (uncommitted files included, .git/.build*/data/.venv-*
# excluded) and built there with scratch path /build/scratch: the checkout's .build is never used.
#
# Environment:
#   SLATE_TEST_SCALE       set to 0.25 here (unless already set) and passed to the tests: a factor
#                          in (0, 1] by which tests may shrink their workloads (iterations, sizes,
#                          training steps) under emulation. Unset means 1 (full size). Every test
#                          still runs and still asserts; only its workload shrinks. In Swift:
#                          Double(ProcessInfo.processInfo.environment["SLATE_TEST_SCALE"] ?? "") ?? 1
#   SLATE_AARCH64_CACHE    chroot cache            (default /var/tmp/slate-aarch64)
#   SLATE_DEBIAN_MIRROR    Debian mirror           (default http://deb.debian.org/debian)
#   SLATE_SWIFT_PACKAGES   local git mirrors of Swift packages, bound read-only so dependencies
#                          resolve offline via git's url.insteadOf (default /opt/swift-packages)
#   SLATE_AARCH64_TIMEOUT  seconds allowed per emulated test run (default 1200)
#   SLATE_DATA, SLATE_RL_TRAJECTORIES and other SLATE_* variables are passed through; the data
#   directories are bound read-only at the same paths. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
#   not: an x86 core name would push arm64 OpenBLAS onto its generic kernels.
set -euo pipefail

TRIPLE=aarch64-unknown-linux-gnu
SUITE=trixie
CACHE=${SLATE_AARCH64_CACHE:-/var/tmp/slate-aarch64}
MIRROR=${SLATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PKGMIRRORS=${SLATE_SWIFT_PACKAGES:-/opt/swift-packages}
RUN_TIMEOUT=${SLATE_AARCH64_TIMEOUT:-1200}
export SLATE_TEST_SCALE=${SLATE_TEST_SCALE:-0.25}
ROOT=$CACHE/rootfs
ARM_SWIFT=/opt/swift-arm64                # in the chroot: swiftlang:arm64's usr/libexec/swift/lib
ARM_RES=$ARM_SWIFT/usr/libexec/swift/lib/swift
PI_BLAS=/opt/bookworm-openblas            # in the chroot: bookworm's libopenblas0-pthread:arm64
PI_BLAS_LIB=$PI_BLAS/usr/lib/aarch64-linux-gnu/openblas-pthread
# amd64 compiler (+ amd64 C runtime, to link Package.swift) + arm64 target libraries. Open MPI for
# arm64 (SlateDistributed links libmpi) is unpacked, not installed, by the hook below: installing
# libopenmpi-dev:arm64 through multiarch pulls in a Fortran toolchain and removes build-essential.
# Changing this list (or the suite or mirror) rebuilds the chroot.
PACKAGES="swiftlang git pkg-config ca-certificates libc6-dev libgcc-14-dev libstdc++-14-dev
  libopenblas-dev:arm64 libc6-dev:arm64 libstdc++-14-dev:arm64 libgcc-14-dev:arm64
  libcurl4t64:arm64 libxml2:arm64 zlib1g:arm64
  python3-numpy python3-scipy"   # (amd64, for the tests that run the data-conversion scripts)
RECIPE="2 $SUITE $MIRROR $(echo $PACKAGES) +openmpi-arm64-unpacked"

die() { echo "test-aarch64: error: $*" >&2; exit 1; }
say() { echo "test-aarch64: $*"; }

# ---------------------------------------------------------------------------------------------
# Inside a private mount namespace (the script re-executes itself through unshare).
# ---------------------------------------------------------------------------------------------
inside() {
  local src=$1
  mount -t proc proc "$ROOT/proc"
  mount --rbind /dev "$ROOT/dev"
  mount -t tmpfs tmpfs "$ROOT/tmp"
  if [[ -d $PKGMIRRORS ]]; then
    mkdir -p "$ROOT$PKGMIRRORS"
    mount --bind -o ro "$PKGMIRRORS" "$ROOT$PKGMIRRORS"
  fi
  local var dir
  for var in SLATE_DATA SLATE_RL_TRAJECTORIES; do
    dir=${!var:-}
    [[ -n $dir && -d $dir && $dir == /* ]] || continue
    mkdir -p "$ROOT$dir" && mount --bind -o ro "$dir" "$ROOT$dir"
  done
  # Tests that look for ../shared/data beside the checkout find it beside /build/src too.
  if [[ -d $src/../shared/data ]]; then
    mkdir -p "$ROOT/build/shared/data" && mount --bind -o ro "$src/../shared/data" "$ROOT/build/shared/data"
  fi

  # qemu-user for aarch64 binaries (F flag: the interpreter is opened now, so it works in the chroot).
  # On recent kernels the registration lives in this private binfmt_misc mount and goes with it.
  [[ -e /proc/sys/fs/binfmt_misc/status ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    update-binfmts --enable qemu-aarch64 || die "could not register qemu-aarch64 with binfmt_misc"
  fi
  grep -q '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 || die "binfmt qemu-aarch64 is disabled"
  grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
    die "binfmt qemu-aarch64 lacks the F flag, so it cannot run inside the chroot"

  # Environment for the chroot: a clean one, plus SLATE_* and thread counts; no OPENBLAS_CORETYPE.
  local envs=(HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 TERM=dumb)
  while IFS='=' read -r var _; do
    [[ $var == SLATE_* || $var == OPENBLAS_NUM_THREADS || $var == OMP_NUM_THREADS ]] &&
      envs+=("$var=${!var}")
  done < <(env)
  envs+=("ARM_RES=$ARM_RES" "PI_BLAS_LIB=$PI_BLAS_LIB" "TRIPLE=$TRIPLE" "RUN_TIMEOUT=$RUN_TIMEOUT")
  chroot "$ROOT" /usr/bin/env -i "${envs[@]}" /bin/bash -c "$(declare -f in_chroot); in_chroot"
}

# Runs in the chroot: cross-build once, run the suite three times, summarise.
in_chroot() {
  set -uo pipefail
  cd /build/src
  export PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig
  local flags=(-c release -Xswiftc -enable-testing --scratch-path /build/scratch --triple "$TRIPLE"
    -Xswiftc -resource-dir -Xswiftc "$ARM_RES" -Xswiftc -use-ld=lld
    -Xswiftc -no-toolchain-stdlib-rpath -Xlinker -rpath=/usr/lib/swift/linux)
  swift --version 2>&1 | head -1
  echo "test-aarch64: building for $TRIPLE (release, tests) ..."
  local t0=$SECONDS
  swift build --build-tests "${flags[@]}" || { echo "test-aarch64: error: the $TRIPLE build failed (Swift 6.0.3; see above)." >&2; return 1; }
  echo "test-aarch64: build took $((SECONDS - t0)) s"
  # Proof that what runs next is an aarch64 binary: ELF e_machine 183 (EM_AARCH64).
  local bundle
  bundle=$(ls -d /build/scratch/$TRIPLE/release/*PackageTests.xctest | head -1)
  [[ $(od -An -tu2 -j18 -N2 "$bundle" | tr -d ' ') == 183 ]] ||
    { echo "test-aarch64: error: $bundle is not an aarch64 ELF file" >&2; return 1; }
  echo "test-aarch64: test bundle $bundle is ELF aarch64"

  local failed=0 summary=() name cpu ldpath log n
  for run in "cortex-a72||Pi 4" "cortex-a76||Pi 5" "cortex-a72|$PI_BLAS_LIB|Pi OpenBLAS 0.3.21 (bookworm)"; do
    IFS='|' read -r cpu ldpath name <<<"$run"
    log=/build/test-$cpu${ldpath:+-pi-blas}.log
    echo
    echo "test-aarch64: ===== $TRIPLE, QEMU_CPU=$cpu, $name, SLATE_TEST_SCALE=${SLATE_TEST_SCALE} ====="
    t0=$SECONDS
    if [[ -n $ldpath ]]; then
      # Show which libopenblas the test bundle resolves to: it must be bookworm's.
      if QEMU_CPU=$cpu LD_LIBRARY_PATH=$ldpath:$ARM_RES/linux LD_TRACE_LOADED_OBJECTS=1 "$bundle" 2>&1 |
        grep libopenblas | grep -q "$ldpath"; then
        echo "test-aarch64: libopenblas.so.0 => $ldpath/libopenblas.so.0 (bookworm 0.3.21)"
      else
        echo "test-aarch64: error: the test bundle does not load OpenBLAS from $ldpath" >&2; failed=1
      fi
    fi
    env QEMU_CPU="$cpu" LD_LIBRARY_PATH="${ldpath:+$ldpath:}$ARM_RES/linux" ${ldpath:+LD_BIND_NOW=1} \
      timeout "$RUN_TIMEOUT" swift test --skip-build "${flags[@]}" 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    # XCTest's closing line is the one right after "Test Suite 'All tests' passed/failed".
    n=$(awk '/^Test Suite .All tests. (passed|failed)/ { getline; print; exit }' "$log" |
      sed -E 's/^[[:space:]]+//; s/ in [0-9.]+ \([0-9.]+\) seconds$//')
    local st; st=$(grep -Eo "Test run with [0-9]+ tests?.*" "$log" | tail -1)
    summary+=("$TRIPLE $cpu ($name): exit $rc; XCTest: ${n:-no closing summary (crashed?)}; Swift Testing: ${st:-no summary}; $((SECONDS - t0)) s")
    [[ $rc -eq 0 && -n $n ]] || failed=1
  done
  echo
  echo "test-aarch64: ===== summary ====="
  printf '%s\n' "${summary[@]}"
  local counts; counts=$(printf '%s\n' "${summary[@]}" | grep -Eo "Executed [0-9]+" | sort -u | wc -l)
  [[ $counts -le 1 ]] || { echo "test-aarch64: error: the runs executed different numbers of tests" >&2; failed=1; }
  [[ $failed -eq 0 ]] && echo "test-aarch64: all aarch64 runs passed" || echo "test-aarch64: error: aarch64 tests failed (see above)" >&2
  return $failed
}

if [[ ${1:-} == --inside ]]; then
  inside "$2"
  exit $?
fi

# ---------------------------------------------------------------------------------------------
# Outside: check, install, build the cached chroot when needed, then go inside.
# ---------------------------------------------------------------------------------------------
[[ $(uname -m) == x86_64 ]] || die "this check cross-builds from an x86_64 Linux host (this is $(uname -m)). On a Pi, just run 'make test'."
[[ $(id -u) -eq 0 ]] || die "needs root: it installs packages, builds a chroot in $CACHE and registers qemu with binfmt_misc. Run: sudo make test-aarch64"
command -v apt-get >/dev/null || die "needs a Debian-like host (apt-get); see ../shared/notes/aarch64.md"
SRC=$(cd "$(dirname "$0")/.." && pwd)
# Data folders are bound into the chroot at the same absolute paths (default as in .ci/run).
if [[ -z ${SLATE_DATA:-} && -d $SRC/../shared/data ]]; then SLATE_DATA=$SRC/../shared/data; fi
if [[ -n ${SLATE_DATA:-} && -d $SLATE_DATA ]]; then export SLATE_DATA=$(cd "$SLATE_DATA" && pwd); fi
if [[ -n ${SLATE_RL_TRAJECTORIES:-} && -d $SLATE_RL_TRAJECTORIES ]]; then
  export SLATE_RL_TRAJECTORIES=$(cd "$SLATE_RL_TRAJECTORIES" && pwd)
fi

mirror_reachable() {
  curl -fsS --max-time 30 -o /dev/null "$MIRROR/dists/$SUITE/Release" 2>/dev/null ||
    die "cannot reach the Debian mirror $MIRROR (needed to install the aarch64 toolchain into $CACHE). Check the network or proxy, or set SLATE_DEBIAN_MIRROR to a reachable mirror. Nothing was skipped: the aarch64 check did not run."
}

need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
command -v update-binfmts >/dev/null || need+=(binfmt-support)
command -v curl >/dev/null || need+=(curl)
command -v rsync >/dev/null || need+=(rsync)
if ((${#need[@]})); then
  command -v curl >/dev/null && mirror_reachable
  say "installing ${need[*]} ..."
  apt-get update -qq || say "warning: apt-get update reported errors; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # one run at a time per cache

if [[ ! -f $CACHE/.ready || $(cat "$CACHE/.ready") != "$RECIPE" ]]; then
  mirror_reachable
  say "building the $SUITE amd64+arm64 chroot in $CACHE (first run: ~1.2 GB download, a few minutes) ..."
  t0=$SECONDS
  rm -rf "$CACHE/.ready" "$ROOT" "$ROOT.new"
  # Run in the new chroot while apt's lists are still there: the arm64 Swift resource directory,
  # then arm64 Open MPI: libopenmpi-dev:arm64 (headers, ompi-c.pc, libmpi.so) and the runtime
  # library with every package apt would add for it, downloaded and unpacked with dpkg -x.
  cat >"$CACHE/arm64-swift.sh" <<EOF
mkdir -p /tmp/arm64 $ARM_SWIFT
cd /tmp/arm64
apt-get download -q swiftlang:arm64 libswiftlang:arm64
for deb in *.deb; do dpkg-deb --fsys-tarfile "\$deb" | tar -x -C $ARM_SWIFT --wildcards './usr/libexec/swift/lib/*'; done
rm -f *.deb
lib=\$(apt-cache depends libopenmpi-dev:arm64 | awk '/Depends: libopenmpi[0-9]/ { print \$2; exit }')
test -n "\$lib"
lib=\${lib%%:*}:arm64
apt-get download -q libopenmpi-dev:arm64 \$(apt-get -s install --no-install-recommends "\$lib" | awk '/^Inst / { print \$2 }')
for deb in *.deb; do dpkg -x "\$deb" /; done
test -e /usr/lib/aarch64-linux-gnu/pkgconfig/ompi-c.pc
rm -rf /tmp/arm64 /tmp/arm64-swift.sh
EOF
  # shellcheck disable=SC2086
  mmdebstrap --variant=apt --architectures=amd64,arm64 --include="$(echo $PACKAGES | tr ' ' ,)" \
    --customize-hook="copy-in $CACHE/arm64-swift.sh /tmp" \
    --customize-hook='chroot "$1" sh -e /tmp/arm64-swift.sh' \
    "$SUITE" "$ROOT.new" "$MIRROR" || die "mmdebstrap $SUITE failed (see above)"
  [[ -d $ROOT.new$ARM_RES/linux ]] || die "the arm64 Swift resource directory was not extracted to $ROOT.new$ARM_RES"
  [[ -e $ROOT.new/usr/lib/aarch64-linux-gnu/pkgconfig/ompi-c.pc ]] || die "arm64 Open MPI (ompi-c.pc) was not unpacked into the chroot"
  # The Pi's own OpenBLAS (Raspberry Pi OS 12 = Debian bookworm), extracted, not installed.
  mmdebstrap --variant=extract --architectures=arm64 --include=libopenblas0-pthread \
    bookworm "$ROOT.new$PI_BLAS" "$MIRROR" || die "extracting bookworm's libopenblas0-pthread:arm64 failed"
  [[ -e $ROOT.new$PI_BLAS_LIB/libopenblas.so.0 ]] || die "bookworm OpenBLAS not found at $PI_BLAS_LIB"
  # Dependencies resolve from the local git mirrors (bound read-only at the same path).
  if [[ -d $PKGMIRRORS ]]; then
    printf '[url "%s/"]\n\tinsteadOf = https://github.com/\n\tinsteadOf = git@github.com:\n' \
      "$PKGMIRRORS" >"$ROOT.new/root/.gitconfig"
  else
    cp /etc/resolv.conf "$ROOT.new/etc/resolv.conf"
  fi
  mkdir -p "$ROOT.new/build/src"
  mv "$ROOT.new" "$ROOT"
  echo "$RECIPE" >"$CACHE/.ready"
  say "chroot ready in $((SECONDS - t0)) s ($(du -sh "$ROOT" | cut -f1))"
else
  say "reusing the chroot in $CACHE"
fi

# The tree as it is on disk (committed or not), copied into the chroot. rsync keeps unchanged files
# untouched, so the aarch64 build there stays incremental; the checkout's own .build is never used.
t0=$SECONDS
# Exit code 24 (a file vanished while copying) is normal in a tree others are editing.
rc=0
rsync -a --delete --exclude=/.git --exclude='.build*' --exclude=.swiftpm --exclude=/Package.resolved \
  --exclude=/runs --exclude='/.venv-*' --include=/data/manifest.tsv --include=/data/README.md --exclude='/data/*' \
  "$SRC/" "$ROOT/build/src/" || rc=$?
[[ $rc -eq 0 || $rc -eq 24 ]] || die "copying the tree into $ROOT/build/src failed (rsync exit $rc)"
set +e
unshare --mount --propagation private -- bash "$SRC/scripts/test-aarch64.sh" --inside "$SRC"
rc=$?
set -e
say "aarch64 step took $((SECONDS - t0)) s (exit $rc)"
exit $rc
