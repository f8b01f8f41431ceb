# OathDesk: two commands. `make run` opens the app; `make test` is what CI runs.
SHELL := /bin/bash
CARGO ?= cargo
HARNESS := tests/harness

.PHONY: run test deps ui lint build suites bench bench-app fuzz fuzz-smoke windows package-linux

# System packages, then the UI's npm packages and tauri-driver (project-local).
deps:
	scripts/install-deps.sh
	scripts/install-tools.sh

# The front end, built into ui/dist, which the app embeds at compile time.
ui: deps
	cd ui && npm run build

# Opens the desk; on a machine without a reader or a tenant, the training desk.
run: ui
	$(CARGO) build -p oathdesk-app -p oathdesk-cli
	scripts/run-desk.sh

lint: ui
	cd ui && npm run check
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

build: ui
	$(CARGO) build --workspace --all-targets

# The UI's unit tests (vitest), then every Rust suite — the window's end-to-end
# suite among them — inside a private pcscd (network + mount namespace, vpcd
# readers) and a private D-Bus session with an unlocked Secret Service; then
# Microsoft's own client libraries against the Graph sandbox
# (the Graph SDK for Python, MSAL).
suites: build
	cd ui && npm test
	$(HARNESS)/pcsc-ns.sh $(HARNESS)/keyring-session.sh $(CARGO) test --workspace --offline
	$(HARNESS)/pcsc-tools-check.sh
	tests/standard-clients/run.sh

test: lint suites fuzz-smoke

# Coverage-guided fuzzing (libFuzzer, stable toolchain) of every parser of
# outside bytes: FUZZ_SECONDS per target (default 10 min), growing the
# corpus kept in fuzz/corpus. `make test` runs each for a short smoke.
FUZZ_SECONDS ?= 600
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke:
	scripts/fuzz.sh --smoke 20

# Benchmarks (not part of `make test`): burn and enrolment against the
# virtual token and the Graph sandbox with injected latency; the app's cold
# start and idle memory.
bench: build
	$(HARNESS)/pcsc-ns.sh $(HARNESS)/keyring-session.sh $(CARGO) bench -p oathdesk-station --bench desk
	$(HARNESS)/pcsc-ns.sh $(HARNESS)/keyring-session.sh $(CARGO) bench -p oathdesk-station --bench batch
	$(CARGO) bench -p oathdesk-entra --bench bulk_create
	$(HARNESS)/pcsc-ns.sh scripts/bench-app.sh

# Windows x64 from this Linux machine (not yet part of `make test`): the
# workspace checked and linted for x86_64-pc-windows-gnu, then the Windows
# CLI's platform-independent checks under wine.
WINDOWS := x86_64-pc-windows-gnu
windows: ui
	scripts/install-windows.sh
	$(CARGO) clippy --workspace --all-targets --target $(WINDOWS) -- -D warnings
	tests/windows/run-wine.sh

# The Linux .deb (release build; see the README's install section).
package-linux: deps
	scripts/package-linux.sh
