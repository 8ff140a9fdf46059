"""Each local engine reads parquet, csv and ORC sources and returns Arrow."""

import datetime as dt

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from sqlrun.adapters import create_engine, engine_class
from sqlrun.adapters.spark_conf import check_java
from sqlrun.config import Source
from sqlrun.errors import EngineError

TABLE = pa.table(
    {
        "id": pa.array([1, 2, 3], pa.int64()),
        "name": ["a", None, "c"],
        "day": pa.array([dt.date(2025, 1, 1), dt.date(2025, 1, 2), None], pa.date32()),
    }
)


def read(engine_name: str, path, fmt: str, sql: str) -> pa.Table:
    """Register `path` as table t on a fresh engine and run `sql`."""
    with create_engine(engine_name) as engine:
        engine.register_source("t", Source("t", str(path), fmt))
        return engine.to_arrow(sql)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    (root / "pq").mkdir()
    pq.write_table(TABLE.slice(0, 2), root / "pq" / "part-0.parquet")
    pq.write_table(TABLE.slice(2), root / "pq" / "part-1.parquet")
    orc.write_table(TABLE, root / "t.orc")
    pacsv.write_csv(TABLE.select(["id", "name"]), root / "t.csv")
    return root


@pytest.mark.parametrize(
    "fmt, rel",
    [("parquet", "pq/*.parquet"), ("parquet", "pq"), ("orc", "t.orc"), ("csv", "t.csv")],
)
def test_engine_reads_source(engine_name, files, fmt, rel):
    result = read(engine_name, files / rel, fmt, "SELECT id, name FROM t ORDER BY id")
    assert result.column(0).to_pylist() == [1, 2, 3]
    assert result.column(1).to_pylist() == ["a", None, "c"]


def test_engine_reads_dates_from_orc(engine_name, files):
    result = read(engine_name, files / "t.orc", "orc", "SELECT day FROM t ORDER BY id")
    assert result.column(0).to_pylist() == [dt.date(2025, 1, 1), dt.date(2025, 1, 2), None]


def test_engine_reads_csv_dates_as_dates(engine_name, tmp_path):
    pacsv.write_csv(TABLE, tmp_path / "t.csv")
    result = read(engine_name, tmp_path / "t.csv", "csv", "SELECT MIN(day) AS first_day FROM t")
    assert result.column(0).to_pylist() == [dt.date(2025, 1, 1)]


def test_engine_errors_are_engine_errors(engine_name):
    engine = create_engine(engine_name)
    try:
        with pytest.raises(EngineError, match=f"^{engine_name}: "):
            engine.to_arrow("SELECT * FROM no_such_table")
    finally:
        engine.close()


def test_a_polars_panic_is_an_engine_error():
    # Rust panics reach Python as pyo3's PanicException, a BaseException: one line, no traceback.
    engine = create_engine("polars")
    with pytest.raises(EngineError, match=r"^polars: internal error \(panic\): "):
        engine.to_arrow("SELECT 5 // NULL")


@pytest.mark.spark
def test_a_spark_result_arrow_cannot_hold_is_an_engine_error(demo_session):
    # pyspark's own Arrow conversion raises ValueError (an array of NULL type): one line, no traceback.
    with pytest.raises(EngineError, match="^spark: cannot convert the result to Arrow: "):
        demo_session.engine("spark").to_arrow("SELECT array_compact(array(NULL))")


def test_adapters_declare_their_dialect():
    assert {n: engine_class(n).dialect for n in ("duckdb", "polars", "spark")} == {
        "duckdb": "duckdb",
        "polars": "polars",
        "spark": "spark",
    }


def test_missing_java_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(EngineError, match="the spark engine needs Java 17"):
        check_java()
