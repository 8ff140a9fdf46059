"""The full run of the imported Spark sql-tests: every frozen case on every engine.

    .venv/bin/python -m tests.spark_sqltests.conformance            # check against markers.toml
    .venv/bin/python -m tests.spark_sqltests.conformance --write    # rewrite results, docs, markers

Without --write it exits 1 when any case's outcome is not the one its marker records (no marker:
pass). With --write it rewrites docs/spark-sqltests.md (the table), results.tsv (one line per
case and engine, with its root-cause class), triage.md (every failure grouped by class) and
markers.toml (one marker per failure; a marker a person marked `reviewed = true` is kept while
the case fails the same way). `make conformance` runs it; `make fuzz` calls that.
"""

from __future__ import annotations

import sys

from tests.spark_sqltests import ENGINES, HERE, MARKERS_FILE, PLAIN, load_cases, load_markers
from tests.spark_sqltests.classes import CLASSES, classify
from tests.spark_sqltests.markers import HEADER
from tests.spark_sqltests.report import write_docs
from tests.spark_sqltests.runner import run_cases
from tests.spark_sqltests.suite_main import Suite
from tests.spark_sqltests.suite_main import main as suite_main

SUITE = Suite("Spark sql-tests", "tests.spark_sqltests", HERE, (*ENGINES, PLAIN), load_cases, load_markers,
              run_cases, classify, write_docs, MARKERS_FILE, HEADER, CLASSES, unmarked=(PLAIN,))


def main(argv: list[str] | None = None) -> int:
    return suite_main(SUITE, __doc__, argv)


if __name__ == "__main__":
    sys.exit(main())
