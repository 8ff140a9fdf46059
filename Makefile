# The README's commands. `make demo` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ROWS ?= 300000

.PHONY: setup system-deps demo test fuzz conformance lint bench clean

setup: $(STAMP)

# Java 17 (spark engine), PostgreSQL (the Redshift tests' server), Chromium and its driver (the
# dashboard's browser test): Debian packages, if missing.
system-deps:
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq postgresql; }
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

queries/data/.generated: $(STAMP) sqlrun/demo.py
	$(BIN)/sqlrun demo-data --project queries --rows $(DEMO_ROWS)
	touch $@

demo: setup queries/data/.generated
	$(BIN)/sqlrun run charts_by_age --project queries --engine duckdb

test: setup system-deps
	$(BIN)/lint-imports
	$(BIN)/pytest

# The long run of the hostile-input properties, of Spark's own SQL tests and of the differential
# fuzzer (tests/fuzz/: FUZZ_QUERIES per source-target pair, report in tests/fuzz/last-run.md;
# fails on any difference or run-time error). `make test` runs short seeded ones.
HOSTILE_EXAMPLES ?= 2000
FUZZ_QUERIES ?= 20000
FUZZ_SEED ?= 1
fuzz: setup conformance
	SQLRUN_HOSTILE_EXAMPLES=$(HOSTILE_EXAMPLES) $(BIN)/pytest -p no:cacheprovider -q tests/test_hostile_cli.py tests/test_hardening_output.py -k "any"
	$(BIN)/python -m tests.fuzz --queries $(FUZZ_QUERIES) --seed $(FUZZ_SEED)

# Every imported Spark sql-tests case on duckdb, polars and spark (and plain sqlglot + DuckDB), then
# every imported DuckDB sqllogictest case on duckdb, polars and spark: fails when a case does not
# fail as tests/spark_sqltests/markers.toml (tests/duckdb_slt/markers.toml) records, or passes.
# CONFORMANCE_ARGS=--write rewrites docs/spark-sqltests.md, docs/duckdb-slt.md, triages and markers.
conformance: setup system-deps
	$(BIN)/python -m tests.spark_sqltests.conformance $(CONFORMANCE_ARGS)
	$(BIN)/python -m tests.duckdb_slt.conformance $(CONFORMANCE_ARGS)

# Benchmarks (not part of `make test`); results go to bench/results/, summarized in docs/benchmarks.md.
BENCH_ROWS ?= 20000000
TPCH_BIG ?= 10
# (bash -o pipefail: a failing script fails `make bench`, not only tee.)
bench: setup system-deps
	mkdir -p bench/results
	bash -o pipefail -c '$(BIN)/python bench/startup.py | tee bench/results/startup.txt'
	bash -o pipefail -c '$(BIN)/python bench/tpch_overhead.py --scale 1 --repeat 5 | tee bench/results/tpch_sf1_overhead.txt'
	bash -o pipefail -c '$(BIN)/python bench/charts_by_age.py $(BENCH_ROWS) | tee bench/results/charts_by_age.txt'
	bash -o pipefail -c '$(BIN)/python bench/tpch_memory.py $(TPCH_BIG) | tee bench/results/tpch_sf$(TPCH_BIG)_memory.txt'
	bash -o pipefail -c '$(BIN)/python bench/polars_planning.py $(TPCH_BIG) | tee bench/results/tpch_sf$(TPCH_BIG)_polars_planning.txt'
	bash -o pipefail -c '$(BIN)/python bench/models_scoring.py | tee bench/results/models_scoring.txt'

lint: setup
	$(BIN)/ruff check sqlrun tests

clean:
	rm -rf $(VENV) queries/data .pytest_cache
