"""`sqlrun bench`: parity first, then time, peak memory and rows per engine, and a recommendation."""

import subprocess
import sys
import time

import pytest

from sqlrun.bench import BenchReport, EngineRun, bench, tree_rss
from sqlrun.config import load_project
from tests.test_cli import assert_one_line_error, sqlrun


def test_bench_times_each_engine_and_checks_the_results_agree(demo_project):
    report = bench(load_project(demo_project), "charts_by_age", ["duckdb", "polars"], repeat=2)
    duckdb, polars = report.runs
    assert [r.engine for r in report.runs] == ["duckdb", "polars"]
    assert duckdb.matched is None and polars.matched is True, polars.detail
    for run in report.runs:
        assert not run.error
        assert run.rows == 50  # 5 age groups x top 10
        assert len(run.times) == 2 and 0 < run.min <= run.median
        assert 50 * 2**20 < run.peak_rss < 4 * 2**30
    assert report.recommendation().startswith(("use duckdb:", "use polars:"))


def test_an_engine_error_is_reported_and_the_others_still_run(demo_project):
    report = bench(load_project(demo_project), "pr_curve", ["duckdb", "redshift"], repeat=1)
    duckdb, redshift = report.runs
    assert duckdb.rows == 21 and not duckdb.error
    assert redshift.error and not redshift.ok
    assert report.recommendation().startswith("use duckdb:") and "not redshift (error)" in report.recommendation()


def test_the_recommendation_skips_an_engine_whose_result_differs():
    runs = [
        EngineRun("duckdb", times=[2.0, 2.2], rows=5),
        EngineRun("polars", times=[0.5, 0.6], rows=5, matched=False, detail="row 1 differs"),
        EngineRun("spark", times=[20.0], rows=5, matched=True),
    ]
    line = BenchReport("q", 2, runs).recommendation()
    assert line.startswith("use duckdb:") and "spark is 9.5x slower" in line and "not polars (different result)" in line


def test_peak_memory_counts_child_processes():
    """Spark's memory is mostly its JVM, a child process: the measure must include children."""
    code = "import time; x = bytearray(300 * 2**20); time.sleep(30)"
    before = tree_rss(subprocess.os.getpid())
    child = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.time() + 20
        while tree_rss(subprocess.os.getpid()) - before < 250 * 2**20 and time.time() < deadline:
            time.sleep(0.1)
        assert tree_rss(subprocess.os.getpid()) - before >= 250 * 2**20
    finally:
        child.kill()
        child.wait()


def test_bench_command_prints_the_table_and_one_recommendation(demo_project):
    result = sqlrun("bench", "pr_curve", "--engines", "duckdb,polars", "-n", "2", "-p", str(demo_project))
    assert result.returncode == 0, result.stderr
    for text in ("reference", "same", "median s", "peak RSS MiB", "duckdb", "polars"):
        assert text in result.stdout
    assert sum(line.startswith("use ") for line in result.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    "args, fragment",
    [(["nope"], "unknown query 'nope'"), (["pr_curve", "--engines", "duckdb,oracle"], "unknown engine 'oracle'"),
     (["pr_curve", "-n", "0"], "--repeat must be at least 1")],
)
def test_bench_command_errors_are_one_line(demo_project, args, fragment):
    assert_one_line_error(sqlrun("bench", *args, "-p", str(demo_project)), fragment)


@pytest.mark.spark
def test_spark_bench_matches_and_counts_the_jvm_memory(demo_project):
    report = bench(load_project(demo_project), "pr_curve", ["duckdb", "spark"], repeat=1)
    duckdb, spark = report.runs
    assert spark.matched is True, spark.error or spark.detail
    assert duckdb.child_rss == 0
    assert spark.child_rss > 200 * 2**20  # the JVM is counted, in the peak too
    assert spark.peak_rss > spark.base_rss + spark.child_rss
    assert report.recommendation().startswith("use duckdb:")


@pytest.mark.parametrize("args", [["compile", "charts_by_age", "-e", "spark"], ["run", "pr_curve", "-e", "duckdb"]])
def test_cli_compile_and_duckdb_run_import_no_other_engine_or_heavy_library(demo_project, args):
    code = ("import sys; from sqlrun.cli import main; sys.argv = ['sqlrun', *sys.argv[1:]];\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "heavy = {'pyspark', 'py4j', 'polars', 'pandas', 'matplotlib', 'plotly', 'sklearn', 'xgboost', 'boto3'}\n"
            "loaded = {m.split('.')[0] for m in sys.modules} & heavy\n"
            "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", code, *args, "-p", str(demo_project)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_compile_with_its_schema_cache_imports_no_pyarrow_rich_or_pydantic(demo_project):
    args = [sys.executable, "-m", "sqlrun", "compile", "charts_by_age", "-e", "duckdb", "-p", str(demo_project)]
    first = subprocess.run(args, capture_output=True, text=True)  # reads the footers, writes the cache
    assert first.returncode == 0, first.stderr
    assert (demo_project / ".sqlrun" / "schemas.json").exists()
    code = ("import sys; from sqlrun.cli import main; sys.argv = ['sqlrun', *sys.argv[1:]];\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "loaded = {m.split('.')[0] for m in sys.modules} & {'pyarrow', 'numpy', 'rich', 'pydantic'}\n"
            "assert not loaded, loaded")
    second = subprocess.run([sys.executable, "-c", code, *args[3:]], capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout and "WITH plays AS" in first.stdout  # the same SQL


def test_an_engine_over_the_timeout_is_stopped_with_the_memory_seen_so_far(demo_project):
    report = bench(load_project(demo_project), "pr_curve", ["duckdb"], repeat=1, timeout=0.3)
    (run,) = report.runs
    assert run.error == "stopped after 0.3 s" and run.peak_rss > 0
    assert report.recommendation() == "no recommendation: no engine produced a result"


def test_an_engine_over_the_memory_cap_is_stopped(demo_project):
    report = bench(load_project(demo_project), "pr_curve", ["duckdb"], repeat=1, max_rss=1)
    (run,) = report.runs
    assert run.error.startswith("stopped at ") and "limit 0.0" in run.error and run.peak_rss > 1
