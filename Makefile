# Slate — the README's commands. `make demo` and `make test` install what is missing first
# (OpenBLAS and Open MPI through apt, the datasets they use), so each works on a fresh clone.
SWIFT      ?= swift
SLATE_DATA ?= ./data
export SLATE_DATA
RELEASE    := -c release
SLATE      := .build/release/slate
DEMO_OUT   ?= runs/shakespeare-char

.PHONY: demo test test-mpi test-asan fuzz docs examples check-versioned test-aarch64 deps data build bench clean

# OpenBLAS, Open MPI and pkg-config (apt as root or with sudo; otherwise the exact command to run).
deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build $(RELEASE) --product slate

# Trains the char-level GPT on tiny shakespeare with nanoGPT's CPU recipe, then samples from it.
demo: build
	@scripts/fetch-data.sh tinyshakespeare.txt
	$(SLATE) gpt train --config configs/shakespeare-char.toml --out $(DEMO_OUT) --overwrite
	$(SLATE) gpt sample --checkpoint $(DEMO_OUT)/model.safetensors --max-new-tokens 500

# The whole suite, release build: numeric tests and end-to-end trainings are 10-100x slower in debug.
test: deps data
	$(SWIFT) build $(RELEASE) --build-tests -Xswiftc -enable-testing
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --skip-build
	@$(MAKE) --no-print-directory test-mpi

# SlateDistributed under mpirun (2 and 3 ranks, TCP, N ranks = one process with N x the batch),
# each launch in a timeout; reuses `make test`'s build; skips with a reason without mpirun.
test-mpi:
	SWIFT=$(SWIFT) scripts/test-mpi.sh

# The engine tests once under AddressSanitizer (debug; its own build folder, so the normal
# builds stay as they are). CI runs this: ~7.5 min cold on 2 busy cores, ~20 s once built.
# Leak checking is off: XCTest on Linux leaks its own test-case objects (no Slate frame in any
# leak report), which would fail every run; out-of-bounds and use-after-free are still checked.
test-asan: deps
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --build-path .build-asan --filter SlateTests

# libFuzzer targets for every parser (Fuzz/, its own package), FUZZ_SECONDS each (default 60);
# a crash fails and leaves the input in fuzz-artifacts/. See scripts/fuzz.sh.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# DocC for the four library modules; any warning fails. Archives: .build/plugins/Swift-DocC/outputs/
docs:
	$(SWIFT) package generate-documentation --target Slate --target SlateGPT --target SlateGraph --target SlateRL --warnings-as-errors

# Examples/ (its own package): builds and runs each program and checks the outcome it prints.
examples: deps
	scripts/run-examples.sh

# A tagged clone of HEAD used with `from:` by an outside package (release build, ~3 min).
check-versioned: deps
	scripts/check-versioned-dependency.sh

# Every dataset into $(SLATE_DATA), SHA-256 checked; `make data FILES=tinyshakespeare.txt` for some.
data:
	@scripts/fetch-data.sh $(FILES)
	@if [ -z "$(FILES)" ]; then scripts/generate-data.sh; fi

# package-benchmark suite (Benchmarks/, its own package): timings, then a check against the
# committed thresholds in Benchmarks/Thresholds (exit 2 on a regression). See docs/benchmarks.md.
bench: deps
	cd Benchmarks && $(SWIFT) package benchmark --no-progress
	cd Benchmarks && $(SWIFT) package benchmark thresholds check --no-progress

# Raspberry Pi check from an x86_64 Debian host (root): aarch64 cross-build, tests under qemu.
test-aarch64:
	scripts/test-aarch64.sh

clean:
	rm -rf .build .build-asan Fuzz/.build fuzz-artifacts
