"""TPC-H q01 (four AVGs of decimals): Spark's exact AVG of a DECIMAL (duckdb_sums.spark_avg_of_decimals)
against the engine's own AVG, the same compiled query otherwise, in one process; best of 3.

    .venv/bin/python bench/avg_of_decimals.py [SCALE]    (default 10)
"""
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: tpch/
import duckdb  # noqa: E402
import polars as pl  # noqa: E402

from sqlrun.api import Session  # noqa: E402
from sqlrun.engine import rewrites  # noqa: E402
from tpch.data import tpch_project  # noqa: E402

project = tpch_project(float(sys.argv[1]) if len(sys.argv) > 1 else 10)
names = list(project.sources)


def compiled(engine, rule_on):
    saved = rewrites.RULES
    if not rule_on:
        rewrites.RULES = [r for r in saved if r.name != "spark_avg_of_decimals_rounds_half_up"]
    try:
        with Session(project) as s:
            return s.compile("q01", engine)
    finally:
        rewrites.RULES = saved


def run(engine, sql):
    if engine == "duckdb":
        con = duckdb.connect()
        for n in names:
            con.execute(f"CREATE VIEW {n} AS SELECT * FROM read_parquet('{project.sources[n].path}')")
        start = time.perf_counter()
        con.sql(sql).to_arrow_table()
        return time.perf_counter() - start
    ctx = pl.SQLContext({n: pl.scan_parquet(project.sources[n].path) for n in names})
    start = time.perf_counter()
    ctx.execute(sql).collect()
    return time.perf_counter() - start


for engine in ("duckdb", "polars"):
    new, old = compiled(engine, True), compiled(engine, False)
    assert new != old
    times = {"exact": [], "plain": []}
    for _ in range(3):
        times["plain"].append(run(engine, old))
        times["exact"].append(run(engine, new))
    best = {k: round(min(v), 2) for k, v in times.items()}
    ratio = min(times["exact"]) / min(times["plain"])
    print(f"{engine}: exact {best['exact']} s, engine's AVG {best['plain']} s, ratio {ratio:.2f}")
