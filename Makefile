# crm-engine — build, test and run on a fresh Debian machine.
SWIFT ?= swift
DATA ?= ./crm-data
PORT ?= 8080

.PHONY: all setup test-setup build test run stress bench clean

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

# What only the tests need, installed when missing: Chromium and its WebDriver for the console's browser
# tests, PostgreSQL's server for the PostgreSQL store's tests.
test-setup: setup
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; else \
		echo "Installing chromium and chromium-driver (the web console's browser tests need them)…"; \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver; \
		elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium chromium-driver; \
		else echo "error: chromium is missing. Run as root, or install it: apt-get install chromium chromium-driver" >&2; exit 1; fi; \
	fi
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
		echo "Installing postgresql (the PostgreSQL store's tests need a server)…"; \
		if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq postgresql; \
		elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq postgresql; \
		else echo "error: PostgreSQL is missing. Run as root, or install it: apt-get install postgresql" >&2; exit 1; fi; \
	fi

build: setup
	$(SWIFT) build

# Builds everything, runs the example against a fresh store, then runs every test (swift-testing). The
# PostgreSQL store's tests get a throwaway cluster on 127.0.0.1 (scripts/test-postgres.sh), stopped
# afterwards whether the tests pass or not; they fail, never skip, when it cannot be reached.
# scripts/swift-test.sh runs a test run once more only when Foundation's Process.run() crashed it
# (a toolchain bug, swift-corelibs-foundation#5472; the tests themselves start children with posix_spawn,
# so this is only a guard); any test failure fails as it is. When a run fails, what
# failed (the failed tests, or a crash's first lines) is printed again at the very end.
test: test-setup
	$(SWIFT) build --build-tests
	@dir=$$(mktemp -d) && $(SWIFT) run --skip-build QuickStart "$$dir/log" >/dev/null && rm -rf "$$dir" && echo "Example QuickStart ran."
	@dir=$$(mktemp -d) && $(SWIFT) run --skip-build EmbeddedService "$$dir/crm" && rm -rf "$$dir" && echo "Example EmbeddedService ran."
	@dir=$$(mktemp -d) && $(SWIFT) run --skip-build AuditReplay "$$dir/crm" && rm -rf "$$dir" && echo "Example AuditReplay ran."
	@export CRM_TEST_PG_STATE=$$(mktemp -u /tmp/crm-test-pg-state.XXXXXX) && \
		export CRM_TEST_SUMMARY=$$(mktemp /tmp/crm-test-summary.XXXXXX) && \
		trap 'scripts/test-postgres.sh stop; CRM_TEST_PG_STATE=$$CRM_TEST_PG_STATE.drill scripts/test-postgres.sh stop; cat "$$CRM_TEST_SUMMARY"; rm -f "$$CRM_TEST_SUMMARY"' EXIT && \
		url=$$(scripts/test-postgres.sh start) && echo "PostgreSQL for the tests: $$url" && \
		export CRM_TEST_POSTGRES_URL="$$url" && export CRM_TEST_POSTGRES_CERT="$$(scripts/test-postgres.sh cert)" && \
		{ SWIFT="$(SWIFT)" scripts/swift-test.sh --skip-build --disable-xctest --skip EventStorePostgresTests; rest=$$?; \
		  echo "PostgreSQL store tests (run alone: the full parallel suite starves their connections):"; \
		  SWIFT="$(SWIFT)" scripts/swift-test.sh --skip-build --disable-xctest --filter EventStorePostgresTests; pg=$$?; \
		  [ $$rest -eq 0 ] && [ $$pg -eq 0 ]; }

# Builds and runs the HTTP server (`crm serve`) on $(DATA), bound to 127.0.0.1:$(PORT). An empty data
# directory is first seeded with demo data (a generated year, a few hundred customers); the administrator's
# token and a curl line to try are printed then. Ctrl-C (SIGINT) or SIGTERM shuts it down gracefully.
run: build
	$(SWIFT) run --skip-build crm serve --data "$(DATA)" --port $(PORT) --demo

# Longer runs of the crash-safety test (100 SIGKILL rounds) and of the HTTP robustness test (10,000 bodies).
stress: test-setup
	$(SWIFT) build --build-tests
	CRM_STRESS=1 $(SWIFT) test --skip-build --disable-xctest --filter "ProcessTests|RobustnessTests"
	CRM_IMPORT_ROWS=100000 $(SWIFT) test --skip-build --disable-xctest --filter aGeneratedFileWithSomeBadRows

# Our benchmarks beside the raw-LMDB limit, measured in the same run (see docs/BENCHMARKS.md).
bench: setup
	Benchmarks/compare.sh

clean:
	rm -rf .build Benchmarks/.build
