# OathDesk: two commands. `make run` starts the app; `make test` is what CI runs.
SHELL := /bin/bash
CARGO ?= cargo
HARNESS := tests/harness

.PHONY: run test deps lint build suites bench

deps:
	scripts/install-deps.sh

run: deps
	$(CARGO) build -p oathdesk-cli
	target/debug/oathdesk-cli --help

lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

build: deps
	$(CARGO) build --workspace --all-targets

# Every suite runs inside a private pcscd (network + mount namespace, vpcd
# readers) and a private D-Bus session with an unlocked Secret Service.
suites: build
	$(HARNESS)/pcsc-ns.sh $(HARNESS)/keyring-session.sh $(CARGO) test --workspace --offline
	$(HARNESS)/pcsc-tools-check.sh

test: lint suites

# Benchmarks (not part of `make test`): burn and enrolment against the
# virtual token and the Graph sandbox with injected latency.
bench: build
	$(HARNESS)/pcsc-ns.sh $(HARNESS)/keyring-session.sh $(CARGO) bench -p oathdesk-station --bench desk
	$(CARGO) bench -p oathdesk-entra --bench bulk_create
