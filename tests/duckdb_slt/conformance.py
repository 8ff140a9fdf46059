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

import argparse
import sys
import time
from collections import Counter

from tests.duckdb_slt import ENGINES, HERE, MARKERS_FILE, load_cases, load_markers
from tests.duckdb_slt.classes import CLASSES, classify
from tests.duckdb_slt.report import write_docs
from tests.duckdb_slt.runner import run_cases
from tests.spark_sqltests.markers import expected_status, write_markers
from tests.spark_sqltests.report import read_results, write_results, write_triage

HEADER = """\
# Known gaps of the imported DuckDB sqllogictests (the format: tests/spark_sqltests/markers.py).
# Proposed by `python -m tests.duckdb_slt.conformance --write` from the root-cause classes in
# tests/duckdb_slt/classes.py, then reviewed by a person: a marker never turns a wrong answer
# into a pass, it records it (strict xfail raising WrongAnswer) with the class that explains it.

"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=list(ENGINES))
    parser.add_argument("--write", action="store_true", help="rewrite the docs table, results, triage and markers")
    parser.add_argument("--only", help="run only the cases whose id contains this text")
    parser.add_argument("--from-results", action="store_true",
                        help="run nothing: report the outcomes results.tsv holds (after editing classes or docs)")
    args = parser.parse_args(argv)
    cases, markers = load_cases(), load_markers()  # a broken markers file fails before the long run
    runnable = [c for c in cases if c.status == "ok" and (not args.only or args.only in c.id)]
    started, done = time.perf_counter(), Counter()

    def progress(case, engine, outcome):
        done[engine] += 1
        if done[engine] % 500 == 0:
            print(f"{engine}: {done[engine]}/{len(runnable)} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    if args.from_results:
        outcomes = {k: v for k, v in read_results(HERE / "results.tsv").items() if k[1] in args.engines}
    else:
        outcomes = run_cases(runnable, tuple(args.engines), progress)
    if args.write and not args.only and (HERE / "results.tsv").exists():
        kept = read_results(HERE / "results.tsv")  # engines not run this time keep their last outcomes
        outcomes = {**{k: v for k, v in kept.items() if k[1] not in args.engines}, **outcomes}
    engines = sorted({e for _, e in outcomes}, key=ENGINES.index)
    classes = {key: classify(case, key[1], outcomes[key])
               for case in runnable for key in [(case.id, e) for e in engines] if key in outcomes}
    mismatches = [
        f"{cid} on {engine}: {outcome.status} ({classes[cid, engine]}),"
        f" marker says {expected_status(markers, cid, engine)}"
        for (cid, engine), outcome in sorted(outcomes.items())
        if outcome.status != expected_status(markers, cid, engine)
    ]
    if args.write:
        write_results(HERE / "results.tsv", runnable, outcomes, classes)
        write_triage(HERE / "triage.md", runnable, outcomes, classes, "DuckDB sqllogictests", "tests.duckdb_slt")
        write_docs(cases, outcomes, classes, engines)
        write_markers(markers, runnable, outcomes, classes, MARKERS_FILE, HEADER, CLASSES)
    for line in mismatches[:50]:
        print("MISMATCH", line)
    for engine in engines:
        print(engine, dict(Counter(outcomes[c.id, engine].status for c in runnable if (c.id, engine) in outcomes)))
    return 1 if mismatches and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
