# Fee-schedule ETL. A fresh clone needs only: make refresh, make test.
RAW ?= raw
OUT ?= out
NPM_STAMP := node_modules/.install-stamp
BUILD_STAMP := dist/.build-stamp
SOURCES := $(shell find src pipelines marts scripts -name '*.ts') tsconfig.json

.PHONY: build refresh test test-reliability test-package compare-builds check typecheck lint format clean schema docs

# Install exactly what package-lock.json pins, again whenever it changes.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(BUILD_STAMP): $(NPM_STAMP) $(SOURCES)
	@# From an empty dist/: a module moved or removed leaves no stale copy behind (npm pack ships dist/).
	rm -rf dist
	npx tsc -p tsconfig.json
	@# The CLI as one file (chunks per command): loading a thousand modules was most of its start-up.
	node dist/scripts/bundle-cli.js
	@chmod +x dist/src/cli.js
	@touch $@

## build: compile dist/ (installing the pinned dependencies first) if a source changed
build: $(BUILD_STAMP)

## refresh: rebuild out/ (DuckDB + Parquet) from the releases in raw/ (RAW, OUT; ONLINE=1 fetches new releases first; FORCE=1 rebuilds even when nothing changed; QUIET=1 / VERBOSE=1)
## make turns every failing exit code into 2: schedule bin/refresh, which passes each code through.
## "Nothing new" (exit 6) is no failure here: make exits 0.
refresh: $(BUILD_STAMP)
	@node dist/src/cli.js refresh --raw "$(RAW)" --out "$(OUT)" $(if $(ONLINE),--online,) $(if $(FORCE),--force,) $(if $(QUIET),--quiet,) $(if $(VERBOSE),--verbose,); \
	  code=$$?; if [ $$code -eq 6 ]; then exit 0; fi; exit $$code

## test: the test suite (vitest), fast enough for every change; includes the bad-input corpus
test: $(BUILD_STAMP)
	npx vitest run $(VITEST_ARGS)

## test-reliability: the slow suite: kill -9 during refresh at random points
test-reliability: $(BUILD_STAMP)
	npx vitest run --config vitest.reliability.config.ts $(VITEST_ARGS)

## test-package: the slow packaging test: npm pack, npm install the tarball, refresh and lookup with it
test-package: $(BUILD_STAMP)
	npx vitest run --config vitest.package.config.ts $(VITEST_ARGS)

## compare-builds: compare two out dirs (make compare-builds A=dir B=dir): tables, views, rows, Parquet; the script exits 1 when they differ (make then says Error 1, exits 2)
compare-builds: $(BUILD_STAMP)
	@if [ -z "$(A)" ] || [ -z "$(B)" ]; then echo "usage: make compare-builds A=<out dir> B=<out dir>" >&2; exit 2; fi
	node dist/scripts/compare-builds.js "$(A)" "$(B)"

## schema: regenerate src/db/schema.ts (the Kysely types) from $(OUT)/fee_schedule.duckdb
schema: $(BUILD_STAMP)
	node dist/src/db/write-schema.js "$(OUT)/fee_schedule.duckdb"

## docs: regenerate docs/data-dictionary.md from $(OUT)/fee_schedule.duckdb
docs: $(BUILD_STAMP)
	node dist/src/docs/write-data-dictionary.js "$(OUT)/fee_schedule.duckdb"

## check: typecheck and lint
check: typecheck lint

typecheck: $(NPM_STAMP)
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p tsconfig.test.json --noEmit

lint: $(NPM_STAMP)
	npx biome check .

format: $(NPM_STAMP)
	npx biome check --write .

clean:
	rm -rf dist out node_modules/.install-stamp

## bench: synthetic releases at BENCH_SCALES (default 1,10,100) vs DuckDB's CSV reader; never part of test
.PHONY: bench
bench: $(BUILD_STAMP)
	npx tsc -p bench/tsconfig.json
	OUT="$(OUT)" node dist-bench/bench/run.js
