# crm-engine — build, test and run on a fresh Debian machine.
SWIFT ?= swift
DATA ?= ./crm-data

.PHONY: all setup build test run stress bench clean

all: build

# Installs what the build needs when it is missing: LMDB's headers and library (Debian's liblmdb-dev).
setup:
	@if [ -f /usr/include/lmdb.h ] && command -v pkg-config >/dev/null 2>&1; then :; else \
		echo "Installing liblmdb-dev and pkg-config (LMDB headers missing)…"; \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq liblmdb-dev pkg-config; \
		elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq liblmdb-dev pkg-config; \
		else echo "error: LMDB is missing. Run as root, or install it: apt-get install liblmdb-dev pkg-config" >&2; exit 1; fi; \
	fi
	@command -v $(SWIFT) >/dev/null 2>&1 || { echo "error: swift is not on PATH (Swift 6.1 or later is needed)" >&2; exit 1; }

build: setup
	$(SWIFT) build

# Builds everything, runs the example against a fresh store, then runs every test (swift-testing).
test: setup
	$(SWIFT) build --build-tests
	@dir=$$(mktemp -d) && $(SWIFT) run --skip-build QuickStart "$$dir/log" >/dev/null && rm -rf "$$dir" && echo "Example QuickStart ran."
	@dir=$$(mktemp -d) && $(SWIFT) run --skip-build EmbeddedService "$$dir/crm" && rm -rf "$$dir" && echo "Example EmbeddedService ran."
	@dir=$$(mktemp -d) && $(SWIFT) run --skip-build AuditReplay "$$dir/crm" && rm -rf "$$dir" && echo "Example AuditReplay ran."
	$(SWIFT) test --skip-build --disable-xctest

# Until the HTTP server lands, `make run` runs the QuickStart example on the store under $(DATA).
run: build
	@echo "make run: the CRM HTTP server is not built yet; running the embedded event-store example on $(DATA)/log."
	$(SWIFT) run --skip-build QuickStart "$(DATA)/log"

# Longer runs of the crash-safety test (100 SIGKILL rounds) and the rest of the suite.
stress: setup
	$(SWIFT) build --build-tests
	CRM_STRESS=1 $(SWIFT) test --skip-build --disable-xctest --filter ProcessTests

# Our benchmarks beside the raw-LMDB limit, measured in the same run (see docs/BENCHMARKS.md).
bench: setup
	Benchmarks/compare.sh

clean:
	rm -rf .build Benchmarks/.build
