"""The one `conformance` command both imported suites share: run, compare with markers, --write."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.spark_sqltests.markers import expected_status, write_markers
from tests.spark_sqltests.report import read_results, write_results, write_triage


@dataclass(frozen=True)
class Suite:
    title: str  # "Spark sql-tests"
    module: str  # "tests.spark_sqltests"
    here: Path
    engines: tuple[str, ...]  # in table order; the first ones run by default
    load_cases: Callable
    load_markers: Callable
    run_cases: Callable
    classify: Callable
    write_docs: Callable
    markers_file: Path
    markers_header: str
    marker_kinds: dict
    unmarked: tuple[str, ...] = ()  # engines reported but never held to markers (plain sqlglot)
    every: int = 250  # progress line every so many cases per engine


def main(suite: Suite, doc: str, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=list(suite.engines))
    parser.add_argument("--write", action="store_true", help="rewrite the docs table, results, triage and markers")
    parser.add_argument("--only", help="run only the cases whose id contains this text")
    parser.add_argument("--from-results", action="store_true",
                        help="run nothing: classify the outcomes results.tsv holds (after editing classes or docs)")
    args = parser.parse_args(argv)
    cases, markers = suite.load_cases(), suite.load_markers()  # a broken markers file fails before the long run
    runnable = [c for c in cases if c.status == "ok" and (not args.only or args.only in c.id)]
    results = suite.here / "results.tsv"
    started, done = time.perf_counter(), Counter()

    def progress(case, engine, outcome):
        done[engine] += 1
        if done[engine] % suite.every == 0:
            print(f"{engine}: {done[engine]}/{len(runnable)} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    ids = {c.id for c in runnable}
    if args.from_results:
        outcomes = {k: v for k, v in read_results(results).items() if k[1] in args.engines and k[0] in ids}
        runnable = [c for c in runnable if any((c.id, e) in outcomes for e in args.engines)]
    else:
        outcomes = suite.run_cases(runnable, tuple(args.engines), progress)
    if args.write and not args.only and results.exists():
        # engines not run this time keep their last outcomes, so the table stays whole
        kept = read_results(results)  # cases no longer compared (their status changed) leave
        outcomes = {**{k: v for k, v in kept.items() if k[1] not in args.engines and k[0] in ids}, **outcomes}
    engines = sorted({e for _, e in outcomes}, key=suite.engines.index)
    classes = {key: suite.classify(case, key[1], outcomes[key])
               for case in runnable for key in [(case.id, e) for e in engines] if key in outcomes}
    mismatches = [
        f"{cid} on {engine}: {outcome.status} ({classes[cid, engine]}),"
        f" marker says {expected_status(markers, cid, engine)}"
        for (cid, engine), outcome in sorted(outcomes.items())
        if engine not in suite.unmarked and outcome.status != expected_status(markers, cid, engine)
    ]
    if args.write:
        write_results(results, runnable, outcomes, classes)
        write_triage(suite.here / "triage.md", runnable, outcomes, classes, suite.title, suite.module)
        suite.write_docs(cases, outcomes, classes, engines)
        write_markers(markers, runnable, outcomes, classes, suite.markers_file, suite.markers_header,
                      suite.marker_kinds)
    for line in mismatches[:50]:
        print("MISMATCH", line)
    for engine in engines:
        print(engine, dict(Counter(outcomes[c.id, engine].status for c in runnable if (c.id, engine) in outcomes)))
    return 1 if mismatches and not args.write else 0
