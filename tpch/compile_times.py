"""Compile time of the 22 TPC-H queries per target engine (no engine is started).

    python -m tpch.compile_times [REPEATS]

Each query is compiled REPEATS times per engine (parse, bind, rewrite, generate); a query's
time is the median of its repeats, and the table shows the median and max over the 22.
"""

from __future__ import annotations

import statistics
import sys
import time

from sqlrun.adapters import ENGINES
from sqlrun.config import load_project
from sqlrun.engine.catalog import Catalog
from sqlrun.engine.compile import compile_query
from sqlrun.engine.target import target
from tpch.data import TPCH_DIR


def compile_times(repeats: int = 20) -> dict[str, dict[str, float]]:
    """Seconds per query per engine: {engine: {query: median seconds}}."""
    queries = Catalog(load_project(TPCH_DIR)).queries
    times: dict[str, dict[str, float]] = {}
    for engine in ENGINES:
        times[engine] = {}
        for name, query in sorted(queries.items()):
            runs = []
            for _ in range(repeats):
                started = time.perf_counter()
                compile_query(query, target(engine))
                runs.append(time.perf_counter() - started)
            times[engine][name] = statistics.median(runs)
    return times


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    times = compile_times(repeats)
    print(f"{'engine':<10}{'median ms':>10}{'max ms':>9}  slowest")
    for engine, per_query in times.items():
        slowest = max(per_query, key=per_query.get)
        median = statistics.median(per_query.values()) * 1000
        print(f"{engine:<10}{median:>10.2f}{per_query[slowest] * 1000:>9.2f}  {slowest}")


if __name__ == "__main__":
    main()
