# Slate — the README's commands. `make demo` and `make test` install what is missing first
# (OpenBLAS through apt, the datasets they use), so each works on a fresh clone.
SWIFT      ?= swift
SLATE_DATA ?= ./data
export SLATE_DATA
RELEASE    := -c release
SLATE      := .build/release/slate
DEMO_OUT   ?= runs/shakespeare-char

.PHONY: demo test test-aarch64 deps data build bench clean

# OpenBLAS and pkg-config (apt as root or with sudo; otherwise the exact command to run).
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
	rm -rf .build
