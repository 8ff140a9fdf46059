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

import argparse
import sys
import time
from collections import Counter

from tests.spark_sqltests import ENGINES, HERE, PLAIN, load_cases, load_markers
from tests.spark_sqltests.classes import classify
from tests.spark_sqltests.markers import expected_status, write_markers
from tests.spark_sqltests.report import read_results, write_docs, write_results, write_triage
from tests.spark_sqltests.runner import run_cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=[*ENGINES, PLAIN])
    parser.add_argument("--write", action="store_true", help="rewrite the docs table, results, triage and markers")
    parser.add_argument("--only", help="run only the cases whose id contains this text")
    parser.add_argument("--from-results", action="store_true",
                        help="run nothing: classify the outcomes results.tsv holds (after editing classes.py)")
    args = parser.parse_args(argv)
    cases, markers = load_cases(), load_markers()  # a broken markers file fails before the long run
    runnable = [c for c in cases if c.status == "ok" and (not args.only or args.only in c.id)]
    started, done = time.perf_counter(), Counter()

    def progress(case, engine, outcome):
        done[engine] += 1
        if done[engine] % 250 == 0:
            print(f"{engine}: {done[engine]}/{len(runnable)} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    if args.from_results:
        outcomes = read_results(HERE / "results.tsv")
        runnable = [c for c in runnable if (c.id, args.engines[0]) in outcomes]
    else:
        outcomes = run_cases(runnable, tuple(args.engines), progress)
    if args.write and not args.only and (HERE / "results.tsv").exists():
        # engines not run this time keep their last outcomes, so the table stays whole
        kept = read_results(HERE / "results.tsv")
        outcomes = {**{k: v for k, v in kept.items() if k[1] not in args.engines}, **outcomes}
    engines = sorted({e for _, e in outcomes}, key=[*ENGINES, PLAIN].index)
    classes = {key: classify(case, key[1], outcomes[key])
               for case in runnable for key in [(case.id, e) for e in engines] if key in outcomes}
    mismatches = [
        f"{cid} on {engine}: {outcome.status} ({classes[cid, engine]}),"
        f" marker says {expected_status(markers, cid, engine)}"
        for (cid, engine), outcome in sorted(outcomes.items())
        if engine != PLAIN and outcome.status != expected_status(markers, cid, engine)
    ]
    if args.write:
        write_results(HERE / "results.tsv", runnable, outcomes, classes)
        write_triage(HERE / "triage.md", runnable, outcomes, classes)
        write_docs(cases, outcomes, classes, engines)
        write_markers(markers, runnable, outcomes, classes)
    for line in mismatches[:50]:
        print("MISMATCH", line)
    totals = {e: Counter(outcomes[c.id, e].status for c in runnable if (c.id, e) in outcomes) for e in engines}
    for engine, counts in totals.items():
        print(engine, dict(counts))
    return 1 if mismatches and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
