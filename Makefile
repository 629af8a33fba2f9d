# Slate — the README's commands. `make demo` and `make test` install what is missing first.
SWIFT      ?= swift
SLATE_DATA ?= ./data
export SLATE_DATA
RELEASE    := -c release
SLATE      := .build/release/slate

.PHONY: demo test deps data build bench clean

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

clean:
	rm -rf .build
