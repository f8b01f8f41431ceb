# OathDesk: two commands. `make run` opens the app; `make test` is what CI runs.
SHELL := /bin/bash
CARGO ?= cargo
HARNESS := tests/harness

.PHONY: run test deps ui lint build suites bench bench-app fuzz fuzz-smoke windows package package-check macos-check

# System packages (with the Windows cross-build's: mingw-w64, wine, NSIS, the
# rustup target), then the UI's npm packages and tauri-driver (project-local).
deps:
	scripts/install-windows.sh
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

test: lint suites fuzz-smoke windows package-check macos-check

# Coverage-guided fuzzing (libFuzzer, stable toolchain) of every parser of
# outside bytes: FUZZ_SECONDS per target (default 10 min), growing the
# corpus kept in fuzz/corpus. `make test` runs each for a short smoke.
FUZZ_SECONDS ?= 600
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke:
	scripts/fuzz.sh --smoke 20

# Benchmarks (not part of `make test`): burn and enrolment against the
# virtual token and the Graph sandbox with injected latency; the QR search
# per frame against plain rqrr; the app's cold start and idle memory.
bench: build
	$(HARNESS)/pcsc-ns.sh $(HARNESS)/keyring-session.sh $(CARGO) bench -p oathdesk-station --bench desk
	$(HARNESS)/pcsc-ns.sh $(HARNESS)/keyring-session.sh $(CARGO) bench -p oathdesk-station --bench batch
	$(CARGO) bench -p oathdesk-entra --bench bulk_create
	$(CARGO) bench -p oathdesk-scan --bench scan
	$(HARNESS)/pcsc-ns.sh scripts/bench-app.sh

# Windows x64 from this Linux machine: every crate of the workspace checked
# and linted for x86_64-pc-windows-gnu (libraries and programs; their tests
# are linted on Linux), then the Windows CLI's platform-independent checks
# under wine (RFC vectors, bad input, the journal and audit log through
# Credential Manager).
WINDOWS := x86_64-pc-windows-gnu
windows: ui
	$(CARGO) clippy --workspace --target $(WINDOWS) -- -D warnings
	tests/windows/run-wine.sh

# Every package: the .deb (and the AppImage where its tools can be fetched),
# the Windows executables and installer. PROFILE=release (the default) is
# what a helpdesk installs; see the README's install section.
PROFILE ?= release
package: ui
	scripts/package.sh --profile $(PROFILE)

# What CI installs: the packages of the binaries the tests ran (dev
# profile), the .deb installed on this machine and checked, the Windows
# installer installed, run and removed under wine.
package-check: build windows
	scripts/package.sh --profile dev
	tests/package/deb-smoke.sh
	tests/windows/installer.sh dev

# macOS, as far as this machine can check it (see scripts/macos-check.sh).
macos-check:
	scripts/macos-check.sh
