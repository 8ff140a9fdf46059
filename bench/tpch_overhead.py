"""sqlrun's overhead over each engine's own Python API, on the 22 TPC-H queries.

For every engine, each query runs REPEAT times through `Session.run` (catalog, plan, compile,
register, run, Arrow) and REPEAT times as the same compiled SQL through the engine's own API
(duckdb `con.sql().to_arrow_table()`, polars `SQLContext.execute().collect().to_arrow()`,
spark `spark.sql().toArrow()`), alternating which goes first, in one process. The ratio is
sqlrun/native of the fastest run per query; the total is over the sums. Because two runs of
the same query differ by a few percent on their own, sqlrun's own time is also measured
directly: each `Session.run` minus the time spent in the adapter's call into the engine,
and (duckdb, polars) an A/A control times two native connections against each other.

    .venv/bin/python bench/tpch_overhead.py [--scale 1] [--engines duckdb,polars,spark] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: tpch/

from sqlrun.api import Session  # noqa: E402
from tpch.data import tpch_project  # noqa: E402


def native_runner(engine: str, session: Session):
    """A function sql -> Arrow table on the engine's own API, over the same parquet files."""
    sources = session.project.sources
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect(":memory:")
        for name, source in sources.items():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{source.path}')")
        return lambda sql: con.sql(sql).to_arrow_table()
    if engine == "polars":
        import polars as pl

        ctx = pl.SQLContext({name: pl.scan_parquet(source.path) for name, source in sources.items()})
        return lambda sql: ctx.execute(sql, eager=False).collect().to_arrow()
    if engine == "spark":
        spark = session.engine("spark").spark.newSession()  # same JVM, its own temp views
        for name, source in sources.items():
            spark.read.parquet(source.path).createOrReplaceTempView(name)
        return lambda sql: spark.sql(sql).toArrow()
    raise SystemExit(f"no native runner for {engine}")


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def engine_clock(session: Session, engine: str) -> list[float]:
    """Time spent inside the adapter's to_arrow (the engine's own work), summed into clock[0]."""
    adapter = session.engine(engine)
    inner, clock = adapter.to_arrow, [0.0]

    def to_arrow(sql):
        started = time.perf_counter()
        try:
            return inner(sql)
        finally:
            clock[0] += time.perf_counter() - started

    adapter.to_arrow = to_arrow
    return clock


def bench_engine(engine: str, scale: float, repeat: int) -> dict[str, tuple[list[float], list[float]]]:
    session = Session(tpch_project(scale))
    names = sorted(session.catalog.queries)
    native = native_runner(engine, session)
    clock = engine_clock(session, engine)
    results: dict = {}
    sql = {name: session.compile(name, engine) for name in names}
    # What sqlrun adds before the engine starts: catalog, plan, parse, rewrites, generate.
    compile_ms = sorted(timed(session.compile, name, engine) * 1000 for name in names)
    print(f"  {engine} compile per query: median {compile_ms[len(names) // 2]:.1f} ms, max {compile_ms[-1]:.1f} ms",
          file=sys.stderr, flush=True)
    results["_compile_ms"] = compile_ms  # type: ignore[assignment]
    own_ms = []  # per query: Session.run minus the engine's to_arrow in the same runs (median)
    for i, name in enumerate(names):
        ours, theirs, own = [], [], []
        for r in range(repeat):
            if (i + r) % 2 == 0:
                theirs.append(timed(native, sql[name]))
            clock[0] = 0.0
            ours.append(timed(session.run, name, engine))
            own.append(ours[-1] - clock[0])
            if (i + r) % 2 == 1:
                theirs.append(timed(native, sql[name]))
        results[name] = (ours, theirs)
        own_ms.append(statistics.median(own) * 1000)
        print(f"  {engine} {name}: sqlrun {min(ours):.3f} s, native {min(theirs):.3f} s", file=sys.stderr, flush=True)
    results["_own_ms"] = own_ms  # type: ignore[assignment]
    if engine != "spark":  # too slow to run twice more
        results["_control"] = control(engine, session, names, sql, repeat)  # type: ignore[assignment]
    session.close()
    return results


def control(engine: str, session: Session, names: list[str], sql: dict, repeat: int) -> float:
    """A/A: the same SQL on two independent native connections, alternating, as above. Their
    total ratio is the noise floor of this measurement on this machine (it is not 1.000)."""
    first, second = native_runner(engine, session), native_runner(engine, session)
    a = b = 0.0
    for i, name in enumerate(names):
        x, y = [], []
        for r in range(repeat):
            pair = [(x, first), (y, second)] if (i + r) % 2 else [(y, second), (x, first)]
            for times, run in pair:
                times.append(timed(run, sql[name]))
        a, b = a + min(x), b + min(y)
    return a / b


def report(engine: str, results: dict) -> None:
    compile_ms = results.pop("_compile_ms")
    own_ms = results.pop("_own_ms")
    control_ratio = results.pop("_control", None)
    print(f"\n{engine}: seconds, fastest of each side's runs; sqlrun's compile per query (in the sqlrun column):"
          f" median {compile_ms[len(compile_ms) // 2]:.0f} ms, max {compile_ms[-1]:.0f} ms")
    print(f"{'query':<6}{'sqlrun':>9}{'native':>9}{'ratio':>8}")
    total_ours = total_theirs = 0.0
    ratios = []
    for name, (ours, theirs) in results.items():
        a, b = min(ours), min(theirs)
        total_ours, total_theirs = total_ours + a, total_theirs + b
        ratios.append(a / b)
        print(f"{name:<6}{a:>9.3f}{b:>9.3f}{a / b:>8.3f}")
    print(f"{'total':<6}{total_ours:>9.3f}{total_theirs:>9.3f}{total_ours / total_theirs:>8.3f}"
          f"   (median per-query ratio {statistics.median(ratios):.3f}, max {max(ratios):.3f})")
    medians = sum(statistics.median(o) for o, _ in results.values()) / sum(
        statistics.median(t) for _, t in results.values())
    print(f"total ratio of medians: {medians:.3f}")
    # What sqlrun itself adds, free of the engine's run-to-run noise: timed inside the same runs.
    own = sum(own_ms) / 1000
    print(f"sqlrun's own time (Session.run minus the engine's to_arrow): median {statistics.median(own_ms):.1f} ms"
          f" per query, {own:.3f} s in all = {own / total_theirs:.1%} of the native total"
          f" (ratio {(total_theirs + own) / total_theirs:.3f})")
    if control_ratio is not None:
        print(f"A/A control, native connection #1 / native connection #2, same SQL: {control_ratio:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1)
    parser.add_argument("--engines", default="duckdb,polars,spark")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark-repeat", type=int, default=1, help="Spark is slow: fewer repeats")
    args = parser.parse_args()
    print(f"TPC-H SF{args.scale:g}: sqlrun vs native, {time.strftime('%Y-%m-%d %H:%M')}")
    for engine in args.engines.split(","):
        repeat = args.spark_repeat if engine == "spark" else args.repeat
        report(engine, bench_engine(engine, args.scale, repeat))


if __name__ == "__main__":
    main()
