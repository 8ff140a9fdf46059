"""The full run of the imported DuckDB sqllogictests: every frozen case on every engine.

    .venv/bin/python -m tests.duckdb_slt.conformance            # check against markers.toml
    .venv/bin/python -m tests.duckdb_slt.conformance --write    # rewrite results, docs, markers

As tests/spark_sqltests/conformance.py: without --write it exits 1 when any case's outcome is not
the one its marker records (no marker: pass); with --write it rewrites docs/duckdb-slt.md,
results.tsv, triage.md and markers.toml (a marker marked `reviewed = true` is kept while the case
fails the same way). duckdb is the baseline: the source engine itself, through sqlrun.
`make conformance` runs it.
"""

from __future__ import annotations

import sys

from tests.duckdb_slt import ENGINES, HERE, MARKERS_FILE, load_cases, load_markers
from tests.duckdb_slt.classes import CLASSES, classify
from tests.duckdb_slt.report import write_docs
from tests.duckdb_slt.runner import run_cases
from tests.spark_sqltests.suite_main import Suite
from tests.spark_sqltests.suite_main import main as suite_main

HEADER = """\
# Known gaps of the imported DuckDB sqllogictests (the format: tests/spark_sqltests/markers.py).
# Proposed by `python -m tests.duckdb_slt.conformance --write` from the root-cause classes in
# tests/duckdb_slt/classes.py, then reviewed by a person: a marker never turns a wrong answer
# into a pass, it records it (strict xfail raising WrongAnswer) with the class that explains it.

"""
SUITE = Suite("DuckDB sqllogictests", "tests.duckdb_slt", HERE, ENGINES, load_cases, load_markers, run_cases,
              classify, write_docs, MARKERS_FILE, HEADER, CLASSES, every=500)


def main(argv: list[str] | None = None) -> int:
    return suite_main(SUITE, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
