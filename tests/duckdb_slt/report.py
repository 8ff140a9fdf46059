"""docs/duckdb-slt.md: what was imported, the table per engine, the largest failure classes."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

from tests.duckdb_slt import COMMIT, data_files
from tests.spark_sqltests.report import LABELS, by_class, table

DOCS = Path(__file__).parents[2] / "docs" / "duckdb-slt.md"
NOTES = Path(__file__).with_name("notes.md")  # hand-written: fixes made, what remains (kept below the table)
LABELS = {**LABELS, "duckdb": "duckdb (baseline: the source engine through sqlrun)"}
LEFT_OUT = {
    "duckdb-disagrees": "the installed DuckDB (v2.0.1) gives another answer than the file or fails",
    "arrow-cannot-hold": "DuckDB agrees, but not its result read through Arrow as sqlrun returns it (BIT, TIMETZ...)",
    "frozen-tables-differ": "DuckDB agrees on the live tables but not on the frozen parquet",
    "source-unavailable": "a table parquet cannot hold or larger than 256 KiB",
    "session-settings": "run after a SET/PRAGMA that a catalog query cannot carry",
    "nondeterministic": "read the clock, a sequence or a random source",
    "approximate": "an approximate aggregate (approx_*, reservoir_quantile): another engine's estimate differs",
    "reads-files": "read a file of DuckDB's repository",
    "needs-object": "use a macro, type, sequence or schema the file created",
    "no-expected-values": "no expected values in the file (a hash label, a regex or a file)",
    "several-statements": "several statements in one record",
}


def write_docs(all_cases, outcomes, classes, engines) -> None:
    status = Counter(c.status for c in all_cases)
    skipped, skipped_files, setup_errors, files = Counter(), Counter(), 0, 0
    for path in data_files():
        doc = json.loads(path.read_text())
        files += 1
        skipped.update(doc["skipped"])
        setup_errors += len(doc["setup_errors"])
        if doc.get("skipped_file"):
            skipped_files[doc["skipped_file"]] += 1
    ok = [c for c in all_cases if c.status == "ok"]
    summary = []
    for engine in engines:
        counts = Counter()
        for (st, name), items in by_class(ok, outcomes, classes, engine).items():
            counts[name if name.startswith(st) else f"{st}: {name}"] += len(items)
        top = ", ".join(f"{name} ({n})" for name, n in counts.most_common(8))
        summary.append(f"- {LABELS.get(engine, engine)}: {top or 'none'}")
    intro = (
        f"DuckDB's own sqllogictest files ({files} files of test/sql at duckdb/duckdb {COMMIT[:12]}; the"
        " list is `FILES` in tests/duckdb_slt/__init__.py), imported as frozen cases by"
        " `python -m tests.duckdb_slt.importer`: each file's setup statements run on DuckDB, each `query`"
        " kept with the expected values the file gives, and the tables it reads kept as parquet. A case is"
        " kept only if the installed DuckDB gives the file's answer on the live tables and on the frozen"
        " parquet. Each case then runs through sqlrun as a duckdb-dialect catalog query and is compared as"
        " DuckDB's runner compares (tests/duckdb_slt/compare.py: values as DuckDB text, the query's sort"
        " mode, numbers cast to the result column's type, floats within 1 %, true = 1). Outcomes: pass;"
        " refused at compile time (CompileError or CatalogError); silently wrong (ran, other values);"
        " engine error at run time."
    )
    whole = ", ".join(f"{n} `{k}`" for k, n in skipped_files.most_common()) or "none"
    left = ", ".join(f"{status[k]} {why} ({k})" for k, why in LEFT_OUT.items() if status[k])
    counts = (
        f"Queries: {sum(status.values())}, {status['ok']} compared below. Left out: {left}. Not queries or"
        " not run: " + ", ".join(f"{n} {k}" for k, n in skipped.most_common())
        + f"; {setup_errors} setup statements DuckDB rejected; whole files skipped as DuckDB's runner"
        f" would (or needing a database file): {whole}."
    )
    footer = (
        "`make conformance` reruns it (after the Spark sql-tests; part of `make fuzz`) and fails on any"
        " outcome tests/duckdb_slt/markers.toml does not record; `make test` runs a seeded sample on"
        " duckdb and polars, and a few cases on Spark (tests/test_duckdb_slt.py), against the same markers."
        " Every failure by class: tests/duckdb_slt/triage.md."
    )
    DOCS.write_text("\n".join([
        "# DuckDB's own sqllogictests through sqlrun", "",
        textwrap.fill(intro, 100), "", textwrap.fill(counts, 100), "",
        *table(all_cases, outcomes, engines, LABELS), "",
        "Largest classes of failures (tests/duckdb_slt/classes.py):", "",
        *summary, "", textwrap.fill(footer, 100), "",
    ]) + (f"\n{NOTES.read_text()}" if NOTES.exists() else ""))
