"""CLI start-up: wall time of whole `sqlrun` processes, as a user (or a scheduler) runs them.

`--help`, `compile` of charts_by_age, and `run` of the tiny pr_curve query on duckdb (a small
demo project, so the time is start-up, not work). Targets: compile <= 0.3 s, run <= 0.6 s.
Compile is also timed with its schema cache removed before each run (a project's first compile,
or one after its sources changed: the footers are read with pyarrow).
Also checks that neither compile nor the duckdb run imports pyspark or the plotting libraries.

    .venv/bin/python bench/startup.py [REPEAT]   (default 7; min and median reported)
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SQLRUN = str(Path(sys.executable).with_name("sqlrun"))


def timings(args: list[str], repeat: int, forget: Path | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if forget is not None:
            forget.unlink(missing_ok=True)
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def heavy_imports(args: list[str]) -> list[str]:
    """Top-level packages among {pyspark, py4j, matplotlib, plotly, pandas, polars} the command imports."""
    stderr = subprocess.run([sys.executable, "-X", "importtime", "-m", "sqlrun", *args[1:]],
                            capture_output=True, text=True, check=True).stderr
    found = {line.split("|")[-1].strip().split(".")[0] for line in stderr.splitlines() if "|" in line}
    return sorted(found & {"pyspark", "py4j", "matplotlib", "plotly", "pandas", "polars"})


def main(repeat: int) -> None:
    import compileall

    from sqlrun.demo import generate

    # Bytecode for sqlrun's modules, as an installed package has: an editable install under
    # PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every module in every run (~40 ms).
    compileall.compile_dir(REPO / "sqlrun", quiet=1)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for path in (REPO / "queries").iterdir():
            if path.suffix in (".sql", ".toml"):
                shutil.copy(path, root / path.name)
        generate(root / "data", 20_000)
        compile_args = [SQLRUN, "compile", "charts_by_age", "-e", "duckdb", "-p", tmp]
        cases = {
            "python -c pass (floor)": [sys.executable, "-c", "pass"],
            "sqlrun --help": [SQLRUN, "--help"],
            "sqlrun compile charts_by_age -e duckdb": compile_args,
            "  the same, no schema cache": compile_args,
            "sqlrun run pr_curve -e duckdb": [SQLRUN, "run", "pr_curve", "-e", "duckdb", "-p", tmp],
        }
        targets = {"sqlrun compile charts_by_age -e duckdb": 0.3, "sqlrun run pr_curve -e duckdb": 0.6}
        cache = root / ".sqlrun" / "schemas.json"
        print(f"CLI start-up, whole process wall time, {repeat} runs, {time.strftime('%Y-%m-%d %H:%M')}")
        print(f"{'command':<42}{'min s':>8}{'median s':>10}{'target':>8}  heavy imports")
        for label, args in cases.items():
            times = timings(args, repeat, cache if "no schema cache" in label else None)
            target = f"{targets[label]:.1f}" if label in targets else ""
            imports = ", ".join(heavy_imports(args)) if args[0] == SQLRUN else ""
            print(f"{label:<42}{min(times):>8.3f}{statistics.median(times):>10.3f}{target:>8}  {imports or '-'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
