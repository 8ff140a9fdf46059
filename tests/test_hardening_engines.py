"""Engines under a hostile user (issue 11): Spark's ${...} substitution (2), Ctrl-C (12), the JVM's
own output on stderr (17), and engine errors that name the file (18). Run as a user runs sqlrun:
a subprocess, its exit code and exactly what it prints."""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.redshift.fixtures import (  # noqa: F401  (pytest fixtures)
    connect,
    needs_postgres,
    password_env,
    pg_password,
    pg_server,
    shim,
    wire_settings,
    write_project,
)
from tests.servers import spark_connect_server
from tests.test_cli import assert_one_line_error
from tests.test_cli import sqlrun as run_sqlrun

SECRET = "s3cr3t-sqlrun-test-value"
# Each of these Spark would expand before parsing (env, JVM system property, Spark conf, unknown).
EXPANDABLE = [
    "${env:SOME_TEST_SECRET}",
    "${system:user.name}",
    "${spark.driver.memory}",
    "${sqlrun_no_such_variable}",
    "${hiveconf:spark.app.name}",
    "a ${env:SOME_TEST_SECRET} b $${env:SOME_TEST_SECRET}",
]
QUERIES = {
    # Each string parameter comes back as a column; `inline` is a literal in the file itself.
    "echo.sql": "\n".join(f"-- param p{i}: string" for i in range(len(EXPANDABLE)))
    + "\nSELECT "
    + ", ".join(f":p{i} AS p{i}" for i in range(len(EXPANDABLE)))
    + ", '${env:SOME_TEST_SECRET}' AS inline\n",
    "ok.sql": "SELECT id FROM t ORDER BY id\n",
    "badcol.sql": "SELECT id, nope FROM t\n",
    "boom.sql": "SELECT id, raise_error('boom') AS x FROM t\n",
    "badcast.sql": "-- dialect: duckdb\nSELECT id,\n  CAST(txt AS INTEGER) AS n\nFROM t\n",
    "first.sql": "-- materialize: parquet\nSELECT a FROM n WHERE a < 3\n",
    # Minutes on every engine, in little memory: a grouped 3.6e9-row cross join.
    "slow.sql": "SELECT x.a % 7 AS k, SUM(x.a * y.a) AS s FROM n AS x CROSS JOIN n AS y GROUP BY x.a % 7\n"
    "UNION ALL\nSELECT a AS k, a AS s FROM first\n",
    "slow_plain.sql": "SELECT x.a % 7 AS k, SUM(x.a * y.a) AS s FROM n AS x CROSS JOIN n AS y GROUP BY x.a % 7\n",
}
TOML = """[project]
dialect = "spark"
queries = "."

[sources.t]
path = "data/t.parquet"

[sources.n]
path = "data/n.parquet"
"""


def make_project(root: Path, extra_toml: str = "") -> Path:
    (root / "data").mkdir(parents=True)
    pq.write_table(pa.table({"id": [1, 2, 3], "txt": ["1", "x", "3"]}), root / "data" / "t.parquet")
    pq.write_table(pa.table({"a": pa.array(range(60_000), pa.int64())}), root / "data" / "n.parquet")
    for name, sql in QUERIES.items():
        (root / name).write_text(sql)
    (root / "sqlrun.toml").write_text(TOML + extra_toml)
    return root


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path / "project")


def sqlrun(*args, env: dict | None = None):
    return run_sqlrun(*args, env=env, timeout=600)  # a JVM start and a Ctrl-C take their time


def echo_args(project: Path, engine: str) -> list[str]:
    params = [arg for i, value in enumerate(EXPANDABLE) for arg in ("--param", f"p{i}={value}")]
    return ["run", "echo", "-e", engine, "-f", "csv", "-p", str(project), *params]


def assert_literals_unchanged(result) -> None:
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == [{**{f"p{i}": v for i, v in enumerate(EXPANDABLE)}, "inline": "${env:SOME_TEST_SECRET}"}]


# 2. Spark expands ${...} in the SQL text before parsing: never, for any session sqlrun makes.


@pytest.mark.parametrize("engine", ["duckdb", "polars", pytest.param("spark", marks=pytest.mark.spark)])
def test_dollar_brace_strings_come_back_unchanged(project, engine):
    result = sqlrun(*echo_args(project, engine), env={"SOME_TEST_SECRET": SECRET})
    assert_literals_unchanged(result)
    assert result.stderr == ""


@pytest.mark.parametrize("value", ['"true"', "true", '"TRUE"'])
def test_project_conf_cannot_turn_substitution_back_on(tmp_path, value):
    project = make_project(tmp_path / "p", f'\n[engines.spark.conf]\n"spark.sql.variable.substitute" = {value}\n')
    result = sqlrun("run", "ok", "-e", "spark", "-p", str(project))
    assert_one_line_error(result, "spark.sql.variable.substitute")
    assert "WARNING" not in result.stderr  # refused before any JVM starts


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory):
    with spark_connect_server(tmp_path_factory.mktemp("connect")) as url:
        yield url


@pytest.mark.spark
def test_dollar_brace_strings_come_back_unchanged_over_spark_connect(tmp_path, connect_url):
    project = make_project(tmp_path / "p", f'\n[engines.spark]\nremote = "{connect_url}"\n')
    result = sqlrun(*echo_args(project, "spark"), env={"SOME_TEST_SECRET": SECRET})
    assert_literals_unchanged(result)
    assert result.stderr == ""  # nothing of the Connect client's own either
    (project / "sqlrun.toml").write_text(
        TOML + f'\n[engines.spark]\nremote = "{connect_url}"\nconf = {{ "spark.sql.variable.substitute" = "true" }}\n'
    )
    assert_one_line_error(sqlrun("run", "ok", "-e", "spark", "-p", str(project)), "spark.sql.variable.substitute")


# 12. Ctrl-C: one line "interrupted", exit 130, the engine's work cancelled, no JVM left behind.

PROGRESS = re.compile(r"^  first: 3 rows in \d+\.\d\d s$")


def java_processes(pid: int) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True) if "java" in p.name()}
    except psutil.NoSuchProcess:
        return set()


def interrupt(project: Path, engine: str, query: str, ready, delay: float):
    """Start `sqlrun run`, wait until `ready(its stderr so far, its java processes)`, wait `delay`
    more, then Ctrl-C it as a terminal does (SIGINT to its process group). Returns (exit code,
    stderr, seconds from SIGINT to exit, the java processes it had)."""
    log = project / "stderr.txt"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sqlrun", "run", query, "-e", engine, "-f", "csv", "-p", str(project)],
            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
        )
    javas: set[int] = set()
    try:
        deadline = time.monotonic() + 300
        while not ready(log.read_text(), javas):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            javas |= java_processes(proc.pid)
            time.sleep(0.1)
        until = time.monotonic() + delay
        while time.monotonic() < until:
            javas |= java_processes(proc.pid)
            time.sleep(0.1)
        assert proc.poll() is None, log.read_text()
        os.killpg(proc.pid, signal.SIGINT)
        sent = time.monotonic()
        proc.wait(timeout=120)
        return proc.returncode, log.read_text(), time.monotonic() - sent, javas
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def after_first_step(stderr: str, javas: set[int]) -> bool:
    return "first:" in stderr


def at_once(stderr: str, javas: set[int]) -> bool:
    return True


def jvm_started(stderr: str, javas: set[int]) -> bool:
    return bool(javas)


def assert_interrupted(code: int, stderr: str, seconds: float, progress_lines: int) -> None:
    assert code == 130, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines[-1:] == ["interrupted"], stderr
    assert len(lines) == progress_lines + 1 and all(PROGRESS.match(line) for line in lines[:-1]), stderr
    assert seconds < 30, f"took {seconds:.1f} s to stop"  # the query itself runs for minutes


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
@pytest.mark.parametrize("query, ready, progress_lines", [("slow", after_first_step, 1), ("slow_plain", at_once, 0)])
def test_ctrl_c_stops_an_in_process_query_with_one_line(project, engine, query, ready, progress_lines):
    code, stderr, seconds, _ = interrupt(project, engine, query, ready, delay=2.0)
    assert_interrupted(code, stderr, seconds, progress_lines)


def assert_no_java_left(javas: set[int]) -> None:
    for pid in javas:
        try:
            status = psutil.Process(pid).status()
        except psutil.NoSuchProcess:
            continue
        pytest.fail(f"java process {pid} is still there ({status}) after sqlrun exited")


@pytest.mark.spark
def test_ctrl_c_cancels_a_spark_query_and_stops_the_jvm(project):
    code, stderr, seconds, javas = interrupt(project, "spark", "slow", after_first_step, delay=3.0)
    assert javas, "the run had no java child"
    assert_interrupted(code, stderr, seconds, progress_lines=1)
    assert_no_java_left(javas)


@pytest.mark.spark
def test_ctrl_c_while_the_jvm_starts(project):
    # 1 s into the JVM's start-up: sqlrun's Spark session is ready only seconds later.
    code, stderr, seconds, javas = interrupt(project, "spark", "ok", jvm_started, delay=1.0)
    assert javas, "the run had no java child"
    assert_interrupted(code, stderr, seconds, progress_lines=0)
    assert_no_java_left(javas)


@pytest.mark.spark
def test_ctrl_c_interrupts_a_spark_connect_query(tmp_path, connect_url):
    project = make_project(tmp_path / "p", f'\n[engines.spark]\nremote = "{connect_url}"\n')
    code, stderr, seconds, _ = interrupt(project, "spark", "slow", after_first_step, delay=3.0)
    assert_interrupted(code, stderr, seconds, progress_lines=1)


def running_on_the_server(settings: dict) -> int:
    """sqlrun's statements (application_name "sqlrun") active on the test PostgreSQL server."""
    con = connect(settings)
    cursor = con.cursor()
    cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND application_name = 'sqlrun'")
    count = cursor.fetchone()[0]
    con.close()
    return count


@needs_postgres
def test_ctrl_c_cancels_a_redshift_statement_on_the_server(tmp_path, wire_settings):  # noqa: F811
    project = tmp_path / "rs"
    project.mkdir()
    write_project(project, {}, wire_settings, dialect="redshift")
    (project / "sleep.sql").write_text("SELECT pg_sleep(60) AS slept\n")
    code, stderr, seconds, _ = interrupt(
        project, "redshift", "sleep", lambda *_: running_on_the_server(wire_settings) == 1, delay=0.5
    )
    assert_interrupted(code, stderr, seconds, progress_lines=0)
    assert running_on_the_server(wire_settings) == 0, "the statement kept running on the server"


# 17. stderr carries sqlrun's lines only: the JVM's banner and logs go to <project>/.sqlrun/logs.


@pytest.mark.spark
def test_spark_prints_nothing_of_its_own_on_success(project):
    result = sqlrun("run", "ok", "-e", "spark", "-f", "csv", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.split() == ['"id"', "1", "2", "3"]
    assert (project / ".sqlrun" / "logs" / "spark.log").is_file()


@pytest.mark.spark
def test_a_spark_run_time_failure_is_sqlruns_one_line_only(project):
    result = sqlrun("run", "boom", "-e", "spark", "-f", "csv", "-p", str(project))
    assert_one_line_error(result, f"error: {project / 'boom.sql'}: spark: ", "USER_RAISED_EXCEPTION", "boom")
    # The Java stack trace is kept, in the log rather than on the terminal.
    assert "USER_RAISED_EXCEPTION" in (project / ".sqlrun" / "logs" / "spark.log").read_text()


# 18. An engine error names the file, and the line of the generated SQL where the engine gives one.
# DuckDB and Polars bind the SQL over empty tables at compile time, so an unknown column is a
# compile-time refusal there (file:line:col); Spark finds it when the query runs.


@pytest.mark.parametrize("engine", ["duckdb", "polars", pytest.param("spark", marks=pytest.mark.spark)])
def test_an_engine_error_names_the_file(project, engine):
    compiled = sqlrun("compile", "badcol", "-e", engine, "-p", str(project))
    if engine != "spark":
        for result in (compiled, sqlrun("run", "badcol", "-e", engine, "-p", str(project))):
            assert_one_line_error(result, f"error: {project / 'badcol.sql'}:1:", f"{engine} cannot run this statement",
                                  "nope")
        return
    assert compiled.returncode == 0  # only the engine knows
    result = sqlrun("run", "badcol", "-e", engine, "-p", str(project))
    assert_one_line_error(result, f"error: {project / 'badcol.sql'}: {engine}: ", "nope")
    assert "(generated SQL line 3: nope)" in result.stderr  # Spark says where: the line of the SQL it was sent


def test_an_engine_line_is_said_to_be_of_the_generated_sql(project):
    result = sqlrun("run", "badcast", "-e", "duckdb", "-p", str(project))
    where = "(generated SQL line 4: CAST(txt AS INT) AS n)"
    assert_one_line_error(result, f"error: {project / 'badcast.sql'}: duckdb: Conversion Error: ", where)
