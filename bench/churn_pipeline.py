"""Wall time of the churn feature pipeline per engine: cold (every step computed) and fresh.

Each engine runs `sqlrun run churn_training` as a user would (a new process, so engine
start-up counts), first with an empty .sqlrun/ store, then again with nothing changed.
Usage: .venv/bin/python bench/churn_pipeline.py [ROWS]   (default 300000 play-log rows)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(rows: int) -> None:
    from sqlrun.demo import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path in (REPO / "queries").iterdir():
            if path.suffix in (".sql", ".toml"):
                shutil.copy(path, root / path.name)
        generate(root / "data", rows)
        print(f"churn_training, {rows} play-log rows (seconds, whole `sqlrun run` process)")
        for engine in ("duckdb", "polars", "spark"):
            shutil.rmtree(root / ".sqlrun", ignore_errors=True)
            times = []
            for _ in ("cold", "fresh"):
                started = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "sqlrun", "run", "churn_training", "-e", engine,
                     "-p", str(root), "-o", str(root / f"out_{engine}.parquet")],
                    check=True, capture_output=True,
                )
                times.append(time.perf_counter() - started)
            print(f"{engine:8} cold {times[0]:6.2f}  fresh {times[1]:6.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300_000)
