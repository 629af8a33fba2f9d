# Slate — the README's commands. `make demo` and `make test` install what is missing first.
SWIFT      ?= swift
SLATE_DATA ?= ./data
export SLATE_DATA
RELEASE    := -c release
SLATE      := .build/release/slate

.PHONY: demo test test-aarch64 deps data build bench clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build $(RELEASE) --product slate

demo: build
	$(SLATE) demo moons

# Release build: numeric tests and end-to-end trainings are 10-100x slower in debug.
test: deps
	$(SWIFT) build $(RELEASE) --build-tests -Xswiftc -enable-testing
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --skip-build

# Datasets of data/manifest.tsv into $(SLATE_DATA), SHA-256 checked; `make data FILES=tinyshakespeare.txt` for some.
data:
	scripts/fetch-data.sh $(FILES)

# Raspberry Pi check from an x86_64 Debian host (root): aarch64 cross-build, tests under qemu.
test-aarch64:
	scripts/test-aarch64.sh

clean:
	rm -rf .build
