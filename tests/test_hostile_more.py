"""A second hostile run (classes the issue did not list): odd option values, a closed or
non-UTF-8 stdout, duplicated headers and parameters, duplicate result column names, and a
partition value that looks like the NULL directory. Each ends with exit 0, or exit 1 and one
`error:` line, and no data is silently lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.test_hostile_cli import assert_clean, cli

ENGINES = ["duckdb", "polars"]


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "spark"\n')
    (tmp_path / "queries").mkdir()
    return tmp_path


def write(project: Path, name: str, sql: str) -> None:
    (project / "queries" / f"{name}.sql").write_text(sql)


def sqlrun(*args: str, cwd: Path, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqlrun", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120, **kwargs)


def one_error_line(code, err: str, *fragments: str) -> str:
    assert code == 1, err
    assert_clean(code, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], err
    return lines[0]


# -- option values ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", ["99999999999999999999", str(2**63), str(2**62)])
def test_a_huge_max_rows_prints_every_row(project, rows):
    write(project, "q", "SELECT * FROM VALUES (1), (2), (3) AS t(a)\n")
    code, out, err = cli("run", "q", "--max-rows", rows, cwd=project)
    assert code == 0, err
    assert "│ 3 │" in out and "3 rows" in " ".join(out.split()) and "shown" not in out


def test_a_repeated_param_is_an_error_not_the_last_one_silently(project):
    write(project, "q", "-- param x: int\nSELECT :x AS x\n")
    code, _, err = cli("run", "q", "--param", "x=1", "--param", "x=2", "-f", "csv", cwd=project)
    one_error_line(code, err, "--param x", "given twice")
    code, _, err = cli("run", "q", "--param", "x=1", "--param", " x =1", "-f", "csv", cwd=project)
    one_error_line(code, err, "given twice")
    code, out, err = cli("run", "q", "--param", "x=1", "-f", "csv", cwd=project)
    assert (code, out) == (0, '"x"\n1\n'), err


@pytest.mark.parametrize("rows", ["99999999999999999999", str(10**12), "0", "-1"])
def test_demo_data_refuses_a_row_count_it_cannot_make(tmp_path, rows):
    code, _, err = cli("demo-data", "--rows", rows, "-p", str(tmp_path), cwd=tmp_path)
    one_error_line(code, err, "--rows must be between 1 and")
    assert not (tmp_path / "data").exists()


# -- catalog headers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, fragment",
    [
        ("-- param x: int\n-- param x: string = a\n", "param x"),
        ("-- param x: int = 1\n-- param x: int = 2\n", "param x"),
        ("-- name: one\n-- name: two\n", "name"),
        ("-- materialize: view\n-- materialize: parquet\n", "materialize"),
        ("-- engines: duckdb\n-- engines: polars\n", "engines"),
    ],
)
def test_a_header_given_twice_is_an_error_naming_the_file(project, headers, fragment):
    write(project, "q", headers + "SELECT 1 AS one\n")
    for args in (["run", "q", "-f", "csv"], ["compile", "q"]):
        code, _, err = cli(*args, cwd=project)
        one_error_line(code, err, "q.sql", f"{fragment}' given twice")


# -- duplicate result column names -----------------------------------------------------------------------------


def test_json_refuses_duplicate_column_names_instead_of_dropping_one(project, tmp_path):
    write(project, "dup", "SELECT 1 AS a, 2 AS a\n")
    code, out, err = cli("run", "dup", "-f", "json", "-e", "duckdb", cwd=project)
    one_error_line(code, err, "'a'", "JSON")
    assert out == ""
    target = tmp_path / "dup.json"
    code, _, err = cli("run", "dup", "-o", str(target), cwd=project)
    one_error_line(code, err, "'a'")
    assert not target.exists()
    code, out, err = cli("run", "dup", "-f", "csv", "-e", "duckdb", cwd=project)  # CSV keeps both columns
    assert (code, out) == (0, '"a","a"\n1,2\n'), err


def test_a_chart_of_a_result_with_duplicate_names_is_one_line(project, tmp_path):
    write(project, "dup", "SELECT 1 AS a, 2 AS a, 3 AS b\n")
    code, _, err = cli("run", "dup", "--x", "a", "--y", "b", "-o", str(tmp_path / "c.png"), cwd=project)
    one_error_line(code, err, "'a'")
    code, _, err = cli("run", "dup", "--x", "b", "--y", "a", "-o", str(tmp_path / "c.png"), cwd=project)
    one_error_line(code, err, "'a'")
    code, _, err = cli("run", "dup", "--x", "b", "--y", "b", "-o", str(tmp_path / "c.html"), cwd=project)
    assert code == 0, err  # the duplicates are not on the chart


# -- partitions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_partition_value_spelled_like_the_null_directory_is_kept_apart_from_null(project, engine):
    write(project, "p", "-- materialize: parquet\n-- partition_by: k\n"
          "SELECT * FROM VALUES (1, '__HIVE_DEFAULT_PARTITION__'), (2, NULL), (3, 'a') AS t(id, k)\n")
    code, out, err = cli("run", "p", "-e", engine, "-f", "json", cwd=project)
    assert code == 0, err
    rows = sorted((json.loads(line) for line in out.splitlines()), key=lambda r: r["id"])
    assert rows == [{"id": 1, "k": "__HIVE_DEFAULT_PARTITION__"}, {"id": 2, "k": None}, {"id": 3, "k": "a"}]
    stored = list((project / ".sqlrun" / "steps" / "p").glob("*/k=*/part-0.parquet"))
    assert sum(pq.read_metadata(f).num_rows for f in stored) == 3


# -- stdout ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["-f", "csv"], ["-f", "json"], ["-o", "-", "-f", "parquet"], ["-o", "-", "-f", "csv"]],
    ids=["csv", "json", "parquet", "dash-csv"],
)
def test_a_closed_stdout_is_one_line(project, args):
    write(project, "q", "SELECT 1 AS a\n")
    result = sqlrun("run", "q", *args, cwd=project, preexec_fn=lambda: os.close(1))  # `sqlrun ... >&-`
    one_error_line(result.returncode, result.stderr, "stdout")


def test_a_non_utf8_stdout_prints_unicode_data_escaped(project):
    write(project, "q", "SELECT 'ünï ☃' AS `é`\n")
    result = sqlrun("run", "q", cwd=project, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert "\\xfcn\\xef \\u2603" in result.stdout and "1 row" in result.stdout
    result = sqlrun("list", cwd=project, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
@pytest.mark.parametrize(
    "table, message",
    [
        (pa.table({"d": pa.array([10**49], pa.decimal256(60, 0))}), "column 'd' (decimal256(60, 0)): more than 38"),
        (pa.table({"t": pa.array([1000], pa.duration("ms"))}), "column 't' (duration[ms]): a duration"),
        (pa.table([pa.array([1]), pa.array([2])], names=["a", "A"]), "column 'A' appears twice"),
        (pa.table({"l": pa.array([[10**49]], pa.list_(pa.decimal256(60, 0)))}), "more than 38 digits"),
    ],
)
def test_source_columns_engines_read_differently_are_one_line(tmp_path, engine, table, message):
    """Seen: decimal256(60,0) came back from DuckDB as 1.1111111111111111e+49 while Polars refused it;
    duration[ms] as 1000 on DuckDB but PT1S on Polars; duplicate names renamed on one, refused on the other."""
    pq.write_table(table, tmp_path / "odd.parquet")
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "duckdb"\n\n[sources.odd]\npath = "odd.parquet"\n')
    (tmp_path / "q.sql").write_text("SELECT * FROM odd\n")
    command = [sys.executable, "-m", "sqlrun", "run", "q", "-e", engine, "-f", "csv", "-p", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "odd.parquet" in lines[0], result.stderr
    assert message in lines[0], lines[0]
