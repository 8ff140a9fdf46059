"""`make fuzz`: python -m tests.fuzz --queries 20000 [--pairs duckdb:polars,spark:duckdb] [--seed N] [--report PATH].

Long runs go in pieces, each its own seed: `--minutes 7 --seed N --results FILE` appends the
piece's counts to FILE; `--tally FILE` sums them per pair.

Each source dialect's queries run on the source engine itself and through sqlrun on its targets
(runner.PAIRS); new random tables every --round queries. Failures are shrunk and written to the
report with their seed, round and index (the same arguments replay them)."""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlrun.atomic import write_atomic
from tests.fuzz import results
from tests.fuzz.grammar import query
from tests.fuzz.runner import BUGS, PAIRS, Natives, Round, Stats, run_query
from tests.fuzz.shrink import shrink
from tests.fuzz.tables import write_tables

SHRINK_PER_KIND = 3  # failures shrunk per (target, status, message shape); the rest are counted


@dataclass(frozen=True)
class Finding:
    seed: int
    source: str
    target: str
    round: int
    index: int
    status: str
    detail: str
    sql: str
    shrunk: str


def kind_of(target: str, status: str, detail: str) -> tuple:
    """Failures of one shape: the message without its values."""
    return target, status, re.sub(r"'[^']*'|\d+", "_", detail.split(":  ")[0])[:80]


def fuzz(seed: int, queries: int, pairs: dict | None = None, round_size: int = 100, minutes: float = 0,
         log=None, gaps: bool = True, fast: bool = True) -> tuple[Stats, list[Finding], dict]:
    """Run `queries` queries per source dialect (on each of its targets in `pairs`, default
    runner.PAIRS); stops early after `minutes` per source if given. Returns the stats, the
    shrunk findings and all failure kinds. `gaps=False` leaves out grammar.KNOWN_GAPS;
    `fast=False` runs Spark with sqlrun's own settings only (runner.FAST_SPARK off)."""
    pairs = pairs or PAIRS
    stats, findings, kinds = Stats(), [], {}
    natives = Natives(fast)
    try:
        with tempfile.TemporaryDirectory(prefix="sqlrun-fuzz-") as tmp:
            for source, targets in pairs.items():
                started, done, number = time.monotonic(), 0, 0
                while done < queries and not (minutes and time.monotonic() - started > minutes * 60):
                    rng = random.Random(f"{seed}:{source}:{number}")
                    project = write_tables(rng, Path(tmp) / f"{source}{number}")
                    rnd = Round(natives, project, [source], targets)
                    try:
                        for index in range(min(round_size, queries - done)):
                            if minutes and time.monotonic() - started > minutes * 60:
                                break
                            sql = query(random.Random(f"{seed}:{source}:{number}:{index}"), source, gaps)
                            for target, outcome in run_query(rnd, source, sql, targets, stats).items():
                                if outcome.status in BUGS:
                                    _found(rnd, kinds, findings, Finding(
                                        seed, source, target, number, index, outcome.status, outcome.detail, sql, ""))
                            done += 1
                    finally:
                        rnd.close()
                    number += 1
                    if log:
                        log(f"{source}: {done} queries, " + ", ".join(
                            f"{t} {stats.rate((source, t)):.1f} q/s {dict(stats.counts[source, t])}" for t in targets))
    finally:
        natives.close()
    return stats, findings, kinds


def _found(rnd: Round, kinds: dict, findings: list, finding: Finding) -> None:
    kind = kind_of(finding.target, finding.status, finding.detail)
    kinds[kind] = kinds.get(kind, 0) + 1
    if kinds[kind] > SHRINK_PER_KIND:
        return

    def fails(sql: str) -> bool:  # the same status; for an error, the same message shape too
        outcome = rnd.outcome(finding.source, sql, finding.target)
        if finding.status == "error":
            return kind_of(finding.target, outcome.status, outcome.detail) == kind
        return outcome.status == finding.status

    slow = "spark" in (finding.source, finding.target)  # a Spark query takes ~0.5 s: fewer tries
    small = shrink(finding.sql, finding.source, fails, budget=40 if slow else 200)
    detail = rnd.outcome(finding.source, small, finding.target).detail
    findings.append(Finding(**{**finding.__dict__, "shrunk": small, "detail": detail}))


def report(stats: Stats, findings: list[Finding], kinds: dict, seed: int) -> str:
    lines = [f"# Fuzz run (seed {seed})", "", "| source | target | queries/s | outcomes |", "|---|---|---|---|"]
    for (source, target), counts in sorted(stats.counts.items()):
        lines.append(f"| {source} | {target} | {stats.rate((source, target)):.1f} | {dict(sorted(counts.items()))} |")
    lines += ["", "## Failure kinds (count)", ""]
    lines += [f"- {count} x {target} {status}: {shape}" for (target, status, shape), count in
              sorted(kinds.items(), key=lambda kv: -kv[1])]
    lines += ["", "## Most frequent refusals", ""]
    lines += [f"- {count} x {target}: {reason}" for (target, reason), count in stats.refusals.most_common(12)]
    lines += ["", "## Shrunk failures", ""]
    for f in findings:
        lines += [f"### {f.source} -> {f.target}: {f.status} (seed {f.seed}, round {f.round}, query {f.index})", "",
                  f"    {f.shrunk}", "", f"{f.detail}", "", f"original: `{f.sql}`", ""]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=20000, help="per source dialect (and so per pair)")
    parser.add_argument("--pairs", default=",".join(f"{s}:{t}" for s, ts in PAIRS.items() for t in ts),
                        help="source:target pairs, comma separated (default: all of runner.PAIRS)")
    parser.add_argument("--round", type=int, default=100, help="queries per set of random tables")
    parser.add_argument("--minutes", type=float, default=0, help="stop each source after this long")
    parser.add_argument("--report", default="tests/fuzz/last-run.md")
    parser.add_argument("--plain-spark", action="store_true",
                        help="Spark with sqlrun's settings only, no FAST_SPARK (to re-check a finding)")
    parser.add_argument("--results", help="append this run's counts to a results file (one JSON line per run)")
    parser.add_argument("--tally", metavar="RESULTS", help="print the totals per pair of a results file and stop")
    args = parser.parse_args(argv)
    if args.tally:
        print(results.tally(args.tally), end="")
        return 0
    pairs: dict[str, tuple] = {}
    for pair in args.pairs.split(","):
        source, target = pair.split(":")
        pairs[source] = (*pairs.get(source, ()), target)
    stats, findings, kinds = fuzz(args.seed, args.queries, pairs, args.round,
                                  args.minutes, log=lambda m: print(m, file=sys.stderr, flush=True),
                                  fast=not args.plain_spark)
    text = report(stats, findings, kinds, args.seed)
    if args.results:
        results.append(args.results, args.seed, stats, kinds)
    write_atomic(args.report, text)
    print(text)
    return 1 if kinds else 0


if __name__ == "__main__":
    sys.exit(main())
