"""Result types are part of the answer: each column has the type the source dialect gives it."""

from __future__ import annotations

import re
from decimal import Decimal

import pyarrow as pa
import pytest
import sqlglot

from sqlrun.engine.parity import compare, type_name
from sqlrun.engine.result_types import apply_types, arrow_type, infer_types
from sqlrun.errors import EngineError

SCHEMA = {"t": {"c": "varchar", "i": "int", "b": "bigint", "s": "smallint", "d": "decimal(10, 2)", "f": "double"}}


@pytest.mark.parametrize(
    "expression, spark_type",
    [
        ("SUM(CASE WHEN c = 'app' THEN 1 ELSE 0 END)", "BIGINT"),  # DuckDB's own: HUGEINT
        ("COUNT(*)", "BIGINT"),
        ("AVG(i)", "DOUBLE"),
        ("i / b", "DOUBLE"),
        ("1", "INT"),
        ("2147483648", "BIGINT"),
        ("1.5", "DECIMAL(2, 1)"),
        ("0.05", "DECIMAL(2, 2)"),
        ("1e3", "DOUBLE"),
        ("s + 1", "INT"),
        ("i + b", "BIGINT"),
        ("SUM(d)", "DECIMAL(20, 2)"),
        ("AVG(d)", "DECIMAL(14, 6)"),
        ("d / 2", "DECIMAL(14, 6)"),  # an integer literal counts its own digits
        ("d * d", "DECIMAL(21, 4)"),
        ("i * 2.5", "DECIMAL(13, 1)"),
        ("d + f", "DOUBLE"),
        ("COALESCE(i, 2)", "INT"),
        ("IF(i > 1, 1.5, 2)", "DECIMAL(11, 1)"),  # 2 widens as an INT: DECIMAL(10, 0)
        ("CASE WHEN i > 1 THEN 'a' END", "STRING"),
        ("ROUND(s, 1)", "SMALLINT"),
        ("ROUND(d, 1)", "DECIMAL(10, 1)"),
        ("ROUND(d, -2)", "DECIMAL(9, 0)"),
        ("CEIL(0.01)", "DECIMAL(1, 0)"),
        ("FLOOR(f)", "BIGINT"),
        ("ROW_NUMBER() OVER (ORDER BY c)", "INT"),
        ("CAST(c AS DECIMAL)", "DECIMAL(10, 0)"),
        ("datediff(DATE'2024-01-02', DATE'2024-01-01')", "INT"),
        ("date_diff(DAY, DATE'2024-01-01', DATE'2024-01-02')", "BIGINT"),
    ],
)
def test_spark_types_are_inferred(expression, spark_type):
    tree = sqlglot.parse_one(f"SELECT {expression} AS x FROM t GROUP BY c", read="spark")
    (type_,) = infer_types(tree, "spark", SCHEMA)
    assert type_.sql("spark") == spark_type


RS_SCHEMA = {"t": {"c": "varchar", "i": "int", "b": "bigint", "s": "smallint", "d": "decimal(10, 2)", "f": "double",
                   "dt": "date", "ts": "timestamp"}}


@pytest.mark.parametrize(
    "expression, redshift_type",
    [  # the Developer Guide's types (sqlrun/engine/redshift_types.py cites each)
        ("SUM(CASE WHEN c = 'app' THEN 1 ELSE 0 END)", "BIGINT"),  # DuckDB's own: HUGEINT
        ("SUM(d)", "DECIMAL(38, 2)"),
        ("SUM(f)", "DOUBLE PRECISION"),
        ("AVG(i)", "BIGINT"),
        ("AVG(d)", "DECIMAL(38, 2)"),
        ("COUNT(*)", "BIGINT"),
        ("i / 2", "INTEGER"),  # INT4 / INT4 is INT4
        ("i / b", "BIGINT"),
        ("s + s", "SMALLINT"),
        ("i + f", "DOUBLE PRECISION"),
        ("2147483648", "BIGINT"),
        ("d + d", "DECIMAL(11, 2)"),
        ("d * i", "DECIMAL(21, 2)"),  # INT4 is DECIMAL(10, 0)
        ("d / d", "DECIMAL(21, 11)"),
        ("SUM(d) / COUNT(*)", "DECIMAL(38, 4)"),  # over 38 digits: precision 38, scale max(38 + s - p, 4)
        ("MOD(i, 3)", "INTEGER"),
        ("COALESCE(d, 0)", "DECIMAL(12, 2)"),  # min(max(p - s) + scale, 19)
        ("NVL(i, -1)", "INTEGER"),
        ("CASE WHEN i > 1 THEN 'a' END", "VARCHAR"),
        ("ROUND(d, 1)", "DECIMAL(10, 2)"),
        ("SIGN(d)", "DECIMAL(1, 0)"),
        ("CAST(c AS DECIMAL)", "DECIMAL(18, 0)"),
        ("MEDIAN(f)", "DOUBLE PRECISION"),
        ("STDDEV_SAMP(i)", "DOUBLE PRECISION"),
        ("DATEDIFF(day, dt, dt)", "BIGINT"),
        ("DATEADD(day, 1, dt)", "TIMESTAMP"),
        ("DATE_TRUNC('month', ts)", "TIMESTAMP"),
        ("TRUNC(ts)", "DATE"),
        ("LEN(c)", "INTEGER"),
        ("CHARINDEX('a', c)", "INTEGER"),
        ("ROW_NUMBER() OVER (ORDER BY c)", "BIGINT"),
        ("DENSE_RANK() OVER (ORDER BY c)", "INTEGER"),
        ("NTILE(2) OVER (ORDER BY c)", "BIGINT"),
    ],
)
def test_redshift_types_are_inferred(expression, redshift_type):
    tree = sqlglot.parse_one(f"SELECT {expression} AS x FROM t GROUP BY c", read="redshift")
    (type_,) = infer_types(tree, "redshift", RS_SCHEMA)
    assert type_.sql("redshift") == redshift_type


@pytest.mark.parametrize("expression", [
    "MEDIAN(i)",  # a DECIMAL of undocumented size
    "7 / 2.0",  # a fractional literal's precision is not documented
    "EXTRACT(DOW FROM dt)",  # INTEGER, but DATE_PART (parsed alike) is DOUBLE
    "dt - dt",
    "LN(i)",
    "COALESCE(SUM(d), 0)",  # DECIMAL(38, 2) capped at 19 digits by the documented rule: could cut
])
def test_redshift_types_not_documented_are_left_to_the_engine(expression):
    tree = sqlglot.parse_one(f"SELECT {expression} AS x FROM t GROUP BY c", read="redshift")
    assert infer_types(tree, "redshift", RS_SCHEMA) == [None]


def test_unknown_types_and_other_dialects_are_left_alone():
    assert infer_types(sqlglot.parse_one("SELECT * FROM other", read="spark"), "spark", SCHEMA) is None
    union = sqlglot.parse_one("SELECT 1 AS x, 1 AS y UNION SELECT 2147483648, 2.5", read="spark")
    union = infer_types(union, "spark", {})
    assert union[0].sql("spark") == "BIGINT" and union[1] is None  # Spark's DECIMAL(11, 1): not written here
    # DuckDB: its own SUM (HUGEINT, as DECIMAL(38, 0)); what duckdb_types.py does not list is not typed.
    grouped = sqlglot.parse_one("SELECT SUM(i), i AS j, i + 1 FROM t GROUP BY i", read="duckdb")
    total, passed, plus = infer_types(grouped, "duckdb", SCHEMA)
    assert total.sql("duckdb") == "DECIMAL(38, 0)" and passed.sql("duckdb") == "INT" and plus is None
    (unknown,) = infer_types(sqlglot.parse_one("SELECT some_udf(i) FROM t", read="spark"), "spark", SCHEMA)
    assert unknown is None


def types_of(*sql: str) -> list:
    return [sqlglot.exp.DataType.build(s, dialect="spark") for s in sql]


def test_results_are_cast_to_the_source_types():
    table = pa.table({"n": pa.array([Decimal(3)], pa.decimal128(38, 0)), "r": pa.array([1], pa.int64()),
                      "x": pa.array([2.5])})
    cast = apply_types(table, types_of("BIGINT", "DECIMAL(2, 1)", "DOUBLE"), "q.sql", "spark")
    assert cast.schema.types == [pa.int64(), pa.decimal128(2, 1), pa.float64()]
    assert cast.to_pylist() == [{"n": 3, "r": Decimal("1.0"), "x": 2.5}]


@pytest.mark.parametrize(
    "column, type_",
    [
        (pa.array([Decimal(2**63)], pa.decimal128(38, 0)), "BIGINT"),  # does not fit
        (pa.array([2**31], pa.int64()), "INT"),
        (pa.array([100], pa.int64()), "DECIMAL(2, 1)"),
        (pa.array([Decimal("123.5")], pa.decimal128(10, 1)), "DECIMAL(3, 1)"),
    ],
)
def test_a_value_that_does_not_fit_is_an_error_never_cut(column, type_):
    with pytest.raises(EngineError, match=re.escape(f"q.sql: column 'v' does not fit its spark type {type_}: ")):
        apply_types(pa.table({"v": column}), types_of(type_), "q.sql", "spark")


def test_floats_never_become_exact_decimals_never_round_and_other_kinds_stay():
    table = pa.table({"f": [1.0], "s": ["1"], "t": pa.array([1], pa.int32()),
                      "d": pa.array([Decimal("1.25")], pa.decimal128(10, 2))})
    kept = apply_types(table, types_of("DECIMAL(2, 1)", "INT", "STRING", "DECIMAL(10, 1)"), "q.sql", "spark")
    exact = apply_types(pa.table({"d": pa.array([Decimal("3.00")], pa.decimal128(38, 2))}), types_of("DECIMAL(2, 0)"),
                        "q.sql", "spark")
    assert exact.schema.types == [pa.decimal128(2, 0)] and exact.column(0).to_pylist() == [Decimal(3)]
    assert kept.schema == table.schema
    assert arrow_type(None) is None and arrow_type(types_of("DECIMAL")[0]) is None  # of unknown size


def test_parity_compares_types_as_one_sql_type():
    text = pa.table({"a": pa.array(["x"], pa.string())})
    assert compare(text, pa.table({"a": pa.array(["x"], pa.large_string())}), types=True).equal
    lists = [pa.array([[1]], pa.list_(pa.int32())), pa.array([[1]], pa.large_list(pa.field("item", pa.int32())))]
    assert compare(pa.table({"a": lists[0]}), pa.table({"a": lists[1]}), types=True).equal
    stamps = [pa.array([0], pa.timestamp("us")), pa.array([0], pa.timestamp("ns", tz="UTC"))]
    assert type_name(stamps[0].type) == type_name(stamps[1].type) == "timestamp"
    wide = compare(pa.table({"a": pa.array([1], pa.int32())}), pa.table({"a": pa.array([1], pa.int64())}), types=True)
    assert not wide.equal and wide.reason == "column 1 (a) type differs: int32 vs int64"
    assert compare(pa.table({"a": pa.array([1], pa.int32())}), pa.table({"a": pa.array([1], pa.int64())})).equal


def test_a_view_step_is_typed_for_the_step_that_reads_it(tmp_path):
    """The view's SUM is Spark's BIGINT where DuckDB's own is HUGEINT; Polars' COUNT is BIGINT, not UINT32."""
    import pyarrow.parquet as pq

    from sqlrun.api import Session

    pq.write_table(pa.table({"c": ["app", "web", "app"], "g": [1, 1, 2]}), tmp_path / "tx.parquet")
    (tmp_path / "sqlrun.toml").write_text('[project]\ndialect = "spark"\n\n[sources.tx]\npath = "tx.parquet"\n')
    (tmp_path / "counts.sql").write_text(
        "SELECT g, SUM(CASE WHEN c = 'app' THEN 1 ELSE 0 END) AS app_tx, COUNT(*) AS n_tx FROM tx GROUP BY g")
    (tmp_path / "share.sql").write_text("SELECT g, app_tx, app_tx / n_tx AS share, app_tx * 1.5 AS x FROM counts")
    with Session(tmp_path) as session:
        for engine in ("duckdb", "polars"):
            table = session.run("share", engine)
            assert table.schema.types == [pa.int64(), pa.int64(), pa.float64(), pa.decimal128(23, 1)], engine
            assert sorted(table.to_pylist(), key=lambda r: r["g"]) == [
                {"g": 1, "app_tx": 1, "share": 0.5, "x": Decimal("1.5")},
                {"g": 2, "app_tx": 1, "share": 1.0, "x": Decimal("1.5")},
            ]


def test_duckdb_types_are_duckdbs_own(tmp_path):
    """Every type inferred for a duckdb corpus case is the one DuckDB itself returns."""
    import duckdb

    from tests.corpus import load_cases
    from tests.corpus.tables import make_project

    con, schema = duckdb.connect(), {}
    for name, source in make_project(tmp_path).sources.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{source.path}')")
        schema[name] = {column: kind for column, kind, *_ in con.execute(f"DESCRIBE {name}").fetchall()}
    typed, differ = 0, []
    for case in load_cases("duckdb"):
        real = [type_name(f.type) for f in con.sql(case.sql).to_arrow_table().schema]
        inferred = infer_types(sqlglot.parse_one(case.sql, read="duckdb"), "duckdb", schema) or []
        for i, type_ in enumerate(inferred):
            if arrow_type(type_) is not None:
                typed += 1
                if type_name(arrow_type(type_)) != real[i]:
                    differ.append(f"{case.id} column {i + 1}: {type_.sql('duckdb')} vs DuckDB's {real[i]}")
    assert not differ and typed >= 250, (typed, differ)
