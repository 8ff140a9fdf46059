"""The sqlrun command, run as a user runs it: a subprocess, its exit code and its output."""

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest


def sqlrun(*args, cwd=None, env: dict | None = None, timeout: float = 300):
    """`python -m sqlrun ARGS` as a user runs it; the environment is read now (tests/conftest.py
    sets SQLRUN_FORBID_SPARK while a test not marked spark runs), plus `env`."""
    return subprocess.run(
        [sys.executable, "-m", "sqlrun", *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def assert_one_line_error(result, *fragments) -> str:
    """Exit 1, no traceback, exactly one stderr line starting 'error: ' holding every fragment."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_help_lists_the_commands():
    result = sqlrun("--help")
    assert result.returncode == 0
    for command in ("list", "compile", "run", "parity"):
        assert command in result.stdout


def test_list_shows_names_dialects_and_params(demo_project):
    result = sqlrun("list", "--project", str(demo_project))
    assert result.returncode == 0
    assert "charts_by_age" in result.stdout and "ds: date" in result.stdout and "spark" in result.stdout


def test_compile_prints_the_engine_sql(demo_project):
    result = sqlrun("compile", "charts_by_age", "-e", "duckdb", "--project", str(demo_project))
    assert result.returncode == 0
    assert "ROW_NUMBER() OVER" in result.stdout and "CAST('2025-08-03' AS DATE)" in result.stdout


def test_run_prints_a_capped_table_with_the_total(demo_project):
    result = sqlrun("run", "charts_by_age", "--max-rows", "5", "--project", str(demo_project))
    assert result.returncode == 0, result.stderr
    assert "50 rows (first 5 shown)" in result.stdout


def test_project_is_found_in_the_current_directory(demo_project):
    result = sqlrun("run", "pr_curve", "--format", "csv", cwd=demo_project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == '"threshold","tp","fp","fn","precision","recall"'


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
@pytest.mark.parametrize("suffix", ["parquet", "csv", "json"])
def test_run_writes_output_files(demo_project, tmp_path, engine, suffix):
    out = tmp_path / f"charts.{suffix}"
    result = sqlrun(
        "run",
        "charts_by_age",
        "-e",
        engine,
        "--param",
        "ds=2025-08-04",
        "--param",
        "top_n=2",
        "--output",
        str(out),
        "--project",
        str(demo_project),
    )
    assert result.returncode == 0, result.stderr
    assert "wrote 10 rows" in result.stderr
    if suffix == "parquet":
        assert pq.read_table(out).num_rows == 10
    elif suffix == "csv":
        assert len(out.read_text().splitlines()) == 11
    else:
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(rows) == 10 and rows[0]["chart_rank"] == 1
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temp file left behind
    assert out.stat().st_mode & 0o644 == 0o644  # readable like any file the user writes


@pytest.mark.spark
def test_spark_run_writes_the_same_rows_as_duckdb(demo_project, tmp_path):
    paths = {}
    for engine in ("duckdb", "spark"):
        paths[engine] = tmp_path / f"{engine}.parquet"
        result = sqlrun("run", "charts_by_age", "-e", engine, "-o", str(paths[engine]), "-p", str(demo_project))
        assert result.returncode == 0, result.stderr
    assert pq.read_table(paths["spark"]).to_pylist() == pq.read_table(paths["duckdb"]).to_pylist()


def test_parity_passes_on_equal_results(demo_project):
    result = sqlrun("parity", "pr_curve", "taxi_features", "--engines", "duckdb,polars", "--project", str(demo_project))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("pass") == 4


def test_parity_fails_with_the_first_differing_rows(demo_project, tmp_path):
    bad = tmp_path / "rand.sql"
    bad.write_text("-- dialect: duckdb\nSELECT user_id FROM users ORDER BY random() LIMIT 3\n")
    result = sqlrun("parity", str(bad), "--engines", "duckdb,polars", "--project", str(demo_project))
    assert result.returncode == 1
    assert "FAIL" in result.stdout
    assert result.stderr.strip().startswith("error: 1 of 2 results differ or failed")


def test_malformed_sql_names_file_and_line(demo_project, tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("-- description: broken\nSELECT a\nFROM users\nWHERE b = = 1\n")
    assert_one_line_error(sqlrun("run", str(bad), "--project", str(demo_project)), "bad.sql:4:", "syntax error")


def test_unknown_query(demo_project):
    assert_one_line_error(sqlrun("run", "nope", "--project", str(demo_project)), "unknown query 'nope'")


def test_unknown_source(demo_project, tmp_path):
    bad = tmp_path / "src.sql"
    bad.write_text("SELECT *\nFROM play_logz\n")
    assert_one_line_error(
        sqlrun("run", str(bad), "--project", str(demo_project)), "src.sql:2:", "unknown table 'play_logz'"
    )


def test_missing_parameter(demo_project, tmp_path):
    q = tmp_path / "p.sql"
    q.write_text("-- param ds: date\nSELECT * FROM users WHERE signup_date = :ds\n")
    assert_one_line_error(sqlrun("run", str(q), "--project", str(demo_project)), "missing parameter(s): ds")


def test_bad_param_syntax(demo_project):
    assert_one_line_error(sqlrun("run", "charts_by_age", "--param", "ds", "--project", str(demo_project)), "NAME=VALUE")


def test_bad_config(tmp_path):
    (tmp_path / "sqlrun.toml").write_text("[project]\nengine = 'oracle'\n")
    assert_one_line_error(sqlrun("list", "--project", str(tmp_path)), '[project] engine: expected one of', '"oracle"')


def test_no_config(tmp_path):
    assert_one_line_error(sqlrun("list", cwd=tmp_path), "no sqlrun.toml")


def test_unknown_engine(demo_project):
    assert_one_line_error(
        sqlrun("run", "pr_curve", "-e", "oracle", "--project", str(demo_project)), "unknown engine 'oracle'"
    )


def test_missing_data(demo_project, tmp_path):
    (tmp_path / "sqlrun.toml").write_text("[sources.users]\npath = 'nowhere/*.parquet'\n")
    q = tmp_path / "u.sql"
    q.write_text("SELECT * FROM users\n")
    assert_one_line_error(sqlrun("run", str(q), "--project", str(tmp_path)), "no parquet files")


def test_unwritable_output(demo_project, tmp_path):
    assert_one_line_error(
        sqlrun("run", "pr_curve", "--output", str(tmp_path / "no" / "x.parquet"), "--project", str(demo_project)),
        "output directory does not exist",
    )


def test_dry_run_prints_exactly_what_redshift_would_get_without_connecting(demo_project, tmp_path):
    project = tmp_path / "rs"
    project.mkdir()
    config = (demo_project / "sqlrun.toml").read_text()
    config += '\n[engines.redshift]\nhost = "127.0.0.1"\nport = 1\ndatabase = "dev"\nuser = "u"\n'
    config += 'password_env = "SQLRUN_TEST_NO_SUCH_PASSWORD"\nssl = false\n'
    (project / "sqlrun.toml").write_text(config)
    (project / "q.sql").write_text("-- param n: int = 3\nSELECT user_id FROM users WHERE user_id < :n\n")
    result = sqlrun("run", "q", "-e", "redshift", "--dry-run", "--param", "n=5", "-p", str(project))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().split(";\n")
    assert lines[0] == "BEGIN"
    assert lines[1].startswith("DECLARE sqlrun_cursor_1 CURSOR FOR") and "user_id < 5" in lines[1]
    assert lines[-1].rstrip(";") == "COMMIT"


def test_dry_run_on_a_local_engine_prints_its_sql(demo_project):
    result = sqlrun("run", "pr_curve", "-e", "spark", "--dry-run", "-p", str(demo_project))
    assert result.returncode == 0, result.stderr
    assert result.stdout.lstrip().startswith(("/*", "WITH")) and "NULLIF" in result.stdout


def test_spinner_shows_on_a_terminal_only_for_slow_work():
    import io
    import time

    from rich.console import Console

    from sqlrun.console import progress

    for delay, work, shown in ((0.05, 0.4, True), (1.0, 0.0, False)):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True)
        with progress("crunching", delay=delay, console=console):
            time.sleep(work)
        assert ("crunching" in buffer.getvalue()) is shown
    piped = io.StringIO()
    with progress("crunching", delay=0.0, console=Console(file=piped, force_terminal=False)):
        time.sleep(0.1)
    assert piped.getvalue() == ""


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "pr_curve", "--max-rows", "-1"], "--max-rows must be 0 or more"),
        (["parity", "pr_curve", "--engines", ","], "--engines needs at least one engine"),
        (["bench", "pr_curve", "--engines", "duckdb", "-n", "0"], "--repeat must be at least 1"),
        (["parity", "pr_curve", "--engines", "duckdb, duckdb"], "--engines names duckdb twice"),
        (["bench", "pr_curve", "--engines", "polars,duckdb,polars"], "--engines names polars twice"),
    ],
)
def test_bad_option_values_are_one_line_before_anything_runs(demo_project, args, message):
    assert_one_line_error(sqlrun(*args, "--project", str(demo_project)), message)


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path):
    """`sqlrun run q -f csv | head -1`: exit 141 (SIGPIPE's code, as cat or grep), nothing on stderr."""
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "duckdb"\n')
    (tmp_path / "many.sql").write_text("SELECT * FROM range(500000) t(x)\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sqlrun", "run", "many", "-f", "csv", "-p", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline() == b'"x"\n'
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert stderr == ""
