"""TPC-H on Polars: the query text run natively by Polars SQL, through sqlrun without its planning
rules (what Polars got before them) and through sqlrun, each checked against DuckDB.

Every query runs once per side in a fresh process (time and peak RSS of the process and its
children); a side still running after TIMEOUT seconds or over the memory cap is stopped and
reported. Polars runs with its streaming engine on both sides. The last column names the
planning rules that changed the SQL sqlrun sends.

    .venv/bin/python bench/polars_planning.py [SCALE] [TIMEOUT] [QUERY ...]   (default 10 300, all 22)
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: tpch/

from sqlrun.bench import EngineRun, PeakSampler, in_child, ipc, tree_rss  # noqa: E402
from tpch.data import tpch_project  # noqa: E402

CAP = 20 * 2**30
PLANNING = ("polars_column_names_as_defined", "polars_connected_join_order", "polars_decorrelated_subqueries")


def native_main(conn, project, query, engine, repeat, params) -> None:
    """Polars SQL on the file's text as written (a child process)."""
    import polars as pl

    run, payload, sampler = EngineRun("polars native"), None, PeakSampler()
    try:
        text = (Path(project.queries_dir) / f"{query}.sql").read_text()
        tables = {name: pl.scan_parquet(source.path) for name, source in project.sources.items()}
        run.base_rss = tree_rss(os.getpid())
        sampler.start()
        started = time.perf_counter()
        table = pl.SQLContext(tables).execute(text).collect(engine="streaming").to_arrow()
        run.times.append(time.perf_counter() - started)
        run.rows = table.num_rows
        payload = ipc(table)
    except Exception as exc:  # reported, not raised: the next query still runs
        run.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        run.peak_rss = sampler.stop()
    conn.send((run, payload))
    conn.close()


def unplanned_main(conn, project, query, engine, repeat, params) -> None:
    """sqlrun without its planning rules: the SQL Polars got before them (a child process)."""
    from sqlrun import bench
    from sqlrun.engine import rewrites

    rewrites.RULES = tuple(r for r in rewrites.RULES if r.name not in PLANNING)
    bench._child_main(conn, project, query, engine, repeat, params)


def fired(project, query: str) -> str:
    """The planning rules that changed what sqlrun sends to Polars for this query."""
    from sqlrun.api import Session
    from sqlrun.engine import rewrites

    with Session(project) as session:
        planned = session.compile(query, "polars")
        names = []
        for name in PLANNING:
            kept = rewrites.RULES
            rewrites.RULES = tuple(r for r in kept if r.name != name)
            try:
                if session.compile(query, "polars") != planned:
                    names.append(name)
            finally:
                rewrites.RULES = kept
    return ", ".join(names) or "-"


def main(scale: float, timeout: float, queries: list[str]) -> None:
    from sqlrun.api import Session
    from sqlrun.engine.parity import compare, is_ordered

    started = time.perf_counter()
    project = dataclasses.replace(tpch_project(scale), engines={"polars": {"streaming": True}})
    cap = min(CAP, int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.85))
    print(f"TPC-H SF{scale:g} on Polars (streaming): native Polars SQL vs sqlrun, {time.strftime('%Y-%m-%d %H:%M')}"
          f" (data ready in {time.perf_counter() - started:.0f} s); a side is stopped after {timeout:g} s or"
          f" {cap / 2**30:.1f} GiB; results compared with DuckDB's")
    sides = (("native", native_main), ("unplanned", unplanned_main), ("sqlrun", None))
    print(f"{'query':<6}" + "".join(f"{side + ' s':>12}{'GiB':>6}  {'result':<10}" for side, _ in sides) + "planning")
    names = queries or sorted(p.stem for p in Path(project.queries_dir).glob("q*.sql"))
    completed = dict.fromkeys((side for side, _ in sides), 0)
    for name in names:
        ordered = is_ordered(Session(project).query(name).ast())
        _, reference = in_child(project, name, "duckdb", 1, {}, timeout, cap)
        line = f"{name:<6}"
        for side, main_fn in sides:
            run, table = in_child(project, name, "polars", 1, {}, timeout, cap, main=main_fn)
            if run.error:
                verdict = "stopped" if run.error.startswith("stopped") else "error"
            elif reference is None:
                verdict = "no ref"
            else:
                verdict = "same" if compare(reference, table, ordered).equal else "DIFFERENT"
            completed[side] += verdict == "same"
            seconds = f"{run.min:.2f}" if not run.error else "-"
            line += f"{seconds:>12}{run.peak_rss / 2**30:>6.1f}  {verdict:<10}"
        print(line + fired(project, name), flush=True)
    print("same as DuckDB: " + ", ".join(f"{side} {n}/{len(names)}" for side, n in completed.items()))


if __name__ == "__main__":
    args = sys.argv[1:]
    main(float(args[0]) if args else 10, float(args[1]) if len(args) > 1 else 300, args[2:])
