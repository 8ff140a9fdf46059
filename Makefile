# The README's commands. `make demo` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ROWS ?= 300000

.PHONY: setup system-deps demo test lint bench clean

setup: $(STAMP)

# Java 17 (spark engine) and PostgreSQL (the Redshift tests' server): Debian packages, if missing.
system-deps:
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless; }
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq postgresql; }

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
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check sqlrun tests

clean:
	rm -rf $(VENV) queries/data .pytest_cache
