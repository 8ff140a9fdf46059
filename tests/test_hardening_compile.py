"""Hostile input decided at compile time: parameter values every engine reads alike, deep nesting,
statements with effects, hyperparameter values. Each answer comes from the real engines."""

from __future__ import annotations

from decimal import Decimal, localcontext
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.test_cli import assert_one_line_error, sqlrun

ENGINES = ["duckdb", "polars", pytest.param("spark", marks=pytest.mark.spark)]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compile_hardening")
    (root / "sqlrun.toml").write_text('[project]\ndialect = "spark"\n\n[sources.t]\npath = "t.parquet"\n')
    pq.write_table(pa.table({"a": [1, 2, 3]}), root / "t.parquet")
    write(root, "ts_param", "-- param ts: timestamp\nSELECT :ts AS ts\n")
    write(root, "dec_param", "-- param d: decimal\nSELECT :d AS d, :d * 2 AS twice\n")
    write(root, "int_param", "-- param n: int\nSELECT :n AS n\n")
    for kind in ("parens", "case", "functions", "subqueries"):
        write(root, f"deep_{kind}", _nested(kind, 500))
    for depth in (20, 40):
        write(root, f"polars_{depth}", _nested("parens", depth))
    return root


def write(project: Path, name: str, sql: str) -> None:
    (project / f"{name}.sql").write_text(sql)


def run(session, name: str, engine: str, **params) -> pa.Table:
    return session.run(name, engine, {k: str(v) for k, v in params.items()})


def _nested(kind: str, depth: int) -> str:
    if kind == "parens":
        return "SELECT " + "(" * depth + "a" + ")" * depth + " AS x FROM t"
    if kind == "case":
        return "SELECT " + "CASE WHEN a > 0 THEN " * depth + "a" + " ELSE 0 END" * depth + " AS x FROM t"
    if kind == "functions":
        return "SELECT " + "abs(" * depth + "a" + ")" * depth + " AS x FROM t"
    return "SELECT a FROM " + "(SELECT a FROM " * depth + "t" + ") s" * depth


@pytest.fixture(scope="module")
def session(project):
    from sqlrun.api import Session

    with Session(project) as session:
        yield session


# 6. A timestamp with an offset means one instant on every engine: converted to UTC.
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "given, utc",
    [
        ("2025-08-03T10:00:00+05:00", "2025-08-03 05:00:00"),
        ("2025-08-03T10:00:00Z", "2025-08-03 10:00:00"),
        ("2025-08-03T01:30:00-02:30", "2025-08-03 04:00:00"),
        ("2025-08-03T10:00:00.123456+00:00", "2025-08-03 10:00:00.123456"),
        ("2025-08-03T10:00:00", "2025-08-03 10:00:00"),
    ],
)
def test_timestamp_parameter_with_offset_is_the_same_instant_everywhere(session, engine, given, utc):
    value = run(session, "ts_param", engine, ts=given).column("ts")[0].as_py()
    if value.tzinfo is not None:  # Spark's TIMESTAMP comes back as an instant in its UTC session zone
        assert value.utcoffset().total_seconds() == 0
        value = value.replace(tzinfo=None)
    assert str(value) == utc


# 6. A decimal parameter keeps every digit, as a DECIMAL, on every engine; past 38 digits it is an error.
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "given",
    ["0.1234567890123456789012345678901234567", "-12345678901234567890.5", "1E+5", "-0.0125", "0", "7.50"],
)
def test_decimal_parameter_keeps_its_digits(session, engine, given):
    table = run(session, "dec_param", engine, d=given)
    assert pa.types.is_decimal(table.schema.field("d").type), table.schema
    assert table.column("d")[0].as_py() == Decimal(given)
    if len(Decimal(given).as_tuple().digits) <= 27:  # past that Spark's DECIMAL * INT drops scale (issue 13)
        with localcontext() as exact:
            exact.prec = 80
            assert table.column("twice")[0].as_py() == Decimal(given) * 2


@pytest.mark.parametrize("given", ["0.1234567890123456789012345678901234567890", "1e999999", "1e38", "-1E+40"])
def test_decimal_parameter_past_38_digits_is_one_line(project, given):
    result = sqlrun("compile", "dec_param", "--param", f"d={given}", "-p", str(project))
    assert_one_line_error(result, "dec_param.sql", "decimals hold at most 38")


@pytest.mark.parametrize("given, message", [
    ("9223372036854775808", "out of the 64-bit int range"),
    ("-9223372036854775809", "out of the 64-bit int range"),
    ("1e3", "not a valid int"),
    ("nan", "not a valid int"),
])
def test_int_parameter_outside_bigint_is_one_line(project, given, message):
    assert_one_line_error(sqlrun("compile", "int_param", "--param", f"n={given}", "-p", str(project)), message)


@pytest.mark.parametrize("given", ["inf", "-Infinity", "nan", "1e999"])
def test_float_parameter_must_be_finite(project, given):
    write(project, "float_param", "-- param f: float\nSELECT :f AS f\n")
    assert_one_line_error(sqlrun("compile", "float_param", "--param", f"f={given}", "-p", str(project)), "float")


# 14. Deep nesting: 500 levels translate and run; Polars' parser limit is a compile-time error; past
# MAX_DEPTH one line.
@pytest.mark.parametrize("kind", ["parens", "case", "functions", "subqueries"])
def test_500_levels_of_nesting_run_on_duckdb(session, kind):
    assert sorted(run(session, f"deep_{kind}", "duckdb").column(0).to_pylist()) == [1, 2, 3]


@pytest.mark.spark
def test_500_levels_of_nesting_run_on_spark(session):
    assert sorted(run(session, "deep_case", "spark").column(0).to_pylist()) == [1, 2, 3]


@pytest.mark.parametrize("kind", ["parens", "case", "functions", "subqueries"])
def test_nesting_past_polars_parser_is_refused_at_compile_time(project, session, kind):
    result = sqlrun("compile", f"deep_{kind}", "-e", "polars", "-p", str(project))
    assert_one_line_error(result, f"deep_{kind}.sql", "polars's SQL parser stops at about")


@pytest.mark.parametrize("depth", [20, 40])
def test_moderate_nesting_runs_on_polars(session, depth):
    assert sorted(run(session, f"polars_{depth}", "polars").column(0).to_pylist()) == [1, 2, 3]


@pytest.mark.parametrize("kind", ["parens", "case"])
def test_nesting_past_the_limit_is_one_line(project, kind):
    write(project, f"too_deep_{kind}", _nested(kind, 1001))
    for command in ("compile", "run"):
        assert_one_line_error(sqlrun(command, f"too_deep_{kind}", "-p", str(project)), "nests more than 1000 levels")


# Catalog files are queries: statements with effects and reads outside the sources are refused.
@pytest.mark.parametrize(
    "dialect, sql, construct",
    [
        ("duckdb", "COPY (SELECT 1 AS x) TO '{root}/pwned.csv'", "COPY is not a query"),
        ("duckdb", "ATTACH '{root}/pwned.db' AS x", "ATTACH is not a query"),
        ("duckdb", "INSTALL httpfs", "INSTALL is not a query"),
        ("duckdb", "SET threads = 1", "SET is not a query"),
        ("duckdb", "PRAGMA version", "PRAGMA is not a query"),
        ("duckdb", "DROP VIEW t", "DROP is not a query"),
        ("duckdb", "CREATE TABLE pwned AS SELECT * FROM t", "CREATE is not a query"),
        ("duckdb", "SELECT * FROM read_csv('/etc/hostname')", "READ_CSV()"),
        ("duckdb", "SELECT content FROM read_text('/etc/hostname')", "READ_TEXT()"),
        ("duckdb", "SELECT * FROM query('SELECT 42')", "QUERY()"),
        ("duckdb", "SELECT getenv('HOME') AS h", "GETENV()"),
        ("duckdb", "SELECT current_setting('threads') AS s", "CURRENT_SETTING()"),
        ("duckdb", "SELECT * FROM duckdb_settings()", "DUCKDB_SETTINGS()"),
        ("spark", "SELECT reflect('java.lang.System', 'getenv', 'HOME') AS h", "REFLECT()"),
        ("spark", "SELECT * FROM parquet.`/etc/x`", "reading a file path directly"),
        ("spark", "INSERT OVERWRITE DIRECTORY '{root}/out' SELECT * FROM t", "is not a query"),
    ],
)
def test_statements_with_effects_are_refused_before_anything_runs(project, dialect, sql, construct):
    name = "effect"
    (project / f"{name}.sql").write_text(f"-- dialect: {dialect}\n" + sql.format(root=project) + "\n")
    for command in ("compile", "run"):
        result = sqlrun(command, name, "-p", str(project))
        assert result.returncode == 1, result.stdout
        assert "Traceback" not in result.stderr
        assert construct in result.stderr and "unsafe_sql" in result.stderr, result.stderr
    assert not (project / "pwned.csv").exists() and not (project / "pwned.db").exists()


def test_unsafe_sql_lets_a_project_opt_in(tmp_path):
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "duckdb"\nunsafe_sql = true\n')
    (tmp_path / "env.sql").write_text("SELECT * FROM range(3) r(x) WHERE current_setting('threads') IS NOT NULL\n")
    result = sqlrun("run", "env", "-f", "csv", "-p", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['"x"', "0", "1", "2"]


# 16. Hyperparameter values are checked when the CREATE MODEL compiles, not after training starts.
MODEL = """-- dialect: redshift
CREATE MODEL m FROM (SELECT a, a * 2 AS y FROM t) TARGET y FUNCTION predict_m IAM_ROLE default
AUTO OFF MODEL_TYPE XGBOOST OBJECTIVE 'reg:squarederror' PREPROCESSORS 'none'
HYPERPARAMETERS DEFAULT EXCEPT ({hyper})
SETTINGS (S3_BUCKET 'b')
"""


@pytest.mark.parametrize(
    "hyper, message",
    [
        ("MAX_DEPTH 'x'", "MAX_DEPTH 'x' must be an integer"),
        ("NUM_ROUND '-5'", "NUM_ROUND '-5' must be an integer in [1, inf]"),
        ("NUM_ROUND '0'", "NUM_ROUND '0' must be an integer"),
        ("ETA '1.5'", "ETA '1.5' must be a number in [0, 1]"),
        ("SUBSAMPLE '0'", "SUBSAMPLE '0' must be a number in (0, 1]"),
        ("ETA 'nan'", "ETA 'nan' must be a finite number"),
        ("TREE_METHOD 'gpu_hist'", "TREE_METHOD 'gpu_hist' must be one of"),
        ("NUM_CLASS '1'", "NUM_CLASS '1' must be an integer in [2, inf]"),
    ],
)
def test_bad_hyperparameter_values_fail_at_compile_time(project, hyper, message):
    (project / "m.sql").write_text(MODEL.format(hyper=hyper))
    for command in ("compile", "run"):
        assert_one_line_error(sqlrun(command, "m", "-p", str(project)), "m.sql", message)
    assert not (project / ".sqlrun" / "models" / "m").exists()


@pytest.mark.parametrize("params", [["--param", "typo=1"], ["--param", "ts=2025-08-03", "--param", "zz=1"]])
def test_compile_checks_parameters_as_run_does(project, session, params):
    errors = [sqlrun(command, "ts_param", *params, "-p", str(project)) for command in ("compile", "run")]
    for result in errors:
        assert_one_line_error(result, "unknown parameter(s)")
    assert errors[0].stderr == errors[1].stderr
