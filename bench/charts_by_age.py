"""The daily "charts by age" job on ~20M play-log rows, on duckdb, polars and spark, same file.

Uses `sqlrun bench` underneath: each engine in its own process (peak RSS of that process and
its children, the JVM included), the results compared with duckdb's, REPEAT timed runs.
The demo data is generated once into bench/data/demo_<rows>/ (ignored by git).

    .venv/bin/python bench/charts_by_age.py [ROWS] [REPEAT]   (default 20000000 3)
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def demo_project(rows: int) -> Path:
    from sqlrun.demo import generate

    root = REPO / "bench" / "data" / f"demo_{rows}"
    root.mkdir(parents=True, exist_ok=True)
    for path in (REPO / "queries").iterdir():
        if path.suffix in (".sql", ".toml"):
            shutil.copy(path, root / path.name)
    if not (root / "data" / ".generated").exists():
        started = time.perf_counter()
        generate(root / "data", rows)
        (root / "data" / ".generated").touch()
        print(f"generated {rows:,} play-log rows in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return root


def main(rows: int, repeat: int) -> None:
    from sqlrun.bench import bench
    from sqlrun.config import load_project

    project = load_project(demo_project(rows))
    print(f"charts_by_age on {rows:,} play-log rows (7 days; the query reads one), {repeat} runs per engine, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    report = bench(project, "charts_by_age", ["duckdb", "polars", "spark"], repeat)
    print(f"{'engine':<8}{'result':>11}{'rows':>6}{'min s':>8}{'median s':>10}{'start-up s':>12}"
          f"{'peak RSS MiB':>14}{'before engine':>15}")
    for r in report.runs:
        verdict = "error" if r.error else {None: "reference", True: "same", False: "DIFFERENT"}[r.matched]
        print(f"{r.engine:<8}{verdict:>11}{r.rows:>6}{r.min:>8.2f}{r.median:>10.2f}{r.startup:>12.2f}"
              f"{r.peak_rss / 2**20:>14.0f}{r.base_rss / 2**20:>15.0f}")
        if r.error:
            print(f"  {r.error}")
    print(report.recommendation())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
