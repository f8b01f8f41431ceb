# OathDesk: two commands. `make run` starts the app; `make test` is what CI runs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run test deps lint unit

deps:
	scripts/install-deps.sh

run: deps
	$(CARGO) build -p oathdesk-cli
	target/debug/oathdesk-cli --help

lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit: deps
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace

test: lint unit
