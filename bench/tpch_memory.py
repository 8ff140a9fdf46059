"""Peak memory (RSS) of the 22 TPC-H queries at a large scale factor, duckdb and polars (streaming).

Every query runs once per engine through `sqlrun bench` underneath: a fresh process per engine
and query, its peak RSS sampled (process and children), the results compared with duckdb's.
The limit to stay under is 24 GiB. Polars runs with its streaming engine
(`[engines.polars] streaming = true`); DuckDB with its defaults (memory_limit 80% of RAM).

    .venv/bin/python bench/tpch_memory.py [SCALE] [TIMEOUT]   (default 10 300; data generated once, ~3.5 GB at SF10)

A query still running after TIMEOUT seconds on an engine is stopped and reported.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: tpch/

from sqlrun.bench import bench  # noqa: E402
from tpch.data import tpch_project  # noqa: E402

LIMIT = 24 * 2**30


def main(scale: float, timeout: float) -> None:
    started = time.perf_counter()
    project = tpch_project(scale)
    project = dataclasses.replace(project, engines={"polars": {"streaming": True}})
    print(f"TPC-H SF{scale:g}, one run per query and engine in a fresh process, {time.strftime('%Y-%m-%d %H:%M')}"
          f" (data ready in {time.perf_counter() - started:.0f} s)")
    # Stopped before the out-of-memory killer acts: 24 GiB, or less on a smaller machine.
    cap = min(LIMIT, int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.85))
    print(f"(an engine over {timeout:g} s or {cap / 2**30:.1f} GiB on a query is stopped and reported)")
    print(f"{'query':<6}{'duckdb s':>9}{'MiB':>7}{'polars s':>10}{'MiB':>7}  polars result")
    peaks = {"duckdb": 0, "polars": 0}
    totals = {"duckdb": 0.0, "polars": 0.0}
    for name in sorted(p.stem for p in (Path(project.queries_dir)).glob("q*.sql")):
        duckdb, polars = bench(project, name, ["duckdb", "polars"], repeat=1, timeout=timeout, max_rss=cap).runs
        cells = []
        for run in (duckdb, polars):
            peaks[run.engine] = max(peaks[run.engine], run.peak_rss)
            totals[run.engine] += run.min if not run.error else 0.0
            cells.append(f"{run.min if not run.error else float('nan'):>9.2f}{run.peak_rss / 2**20:>7.0f}")
        verdict = polars.error[:60] if polars.error else ("same" if polars.matched else f"DIFFERENT: {polars.detail}")
        print(f"{name:<6}{cells[0]}{' ' + cells[1]}  {verdict}", flush=True)
    for engine in peaks:
        status = "within" if peaks[engine] < LIMIT else "OVER"
        print(f"{engine}: total {totals[engine]:.1f} s, peak RSS {peaks[engine] / 2**30:.2f} GiB ({status} 24 GiB)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10, float(sys.argv[2]) if len(sys.argv) > 2 else 300)
