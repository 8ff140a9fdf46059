"""Column types from the sources' files feed type-aware rules; the SQL sent keeps its shape."""

import decimal
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from sqlrun.config import Source
from sqlrun.engine.catalog import Query
from sqlrun.engine.rewrites.base import Context, annotate
from sqlrun.engine.schema import SchemaCache, arrow_columns
from sqlrun.engine.target import target


def test_arrow_types_map_to_sql_types():
    schema = pa.schema(
        [
            ("i", pa.int32()),
            ("l", pa.int64()),
            ("f", pa.float64()),
            ("s", pa.string_view()),
            ("d", pa.decimal128(15, 2)),
            ("t", pa.timestamp("us")),
            ("day", pa.date32()),
            ("b", pa.bool_()),
            ("xs", pa.list_(pa.int64())),
        ]
    )
    assert arrow_columns(schema) == {
        "i": "int",
        "l": "bigint",
        "f": "double",
        "s": "varchar",
        "d": "decimal(15, 2)",
        "t": "timestamp",
        "day": "date",
        "b": "boolean", "xs": "array<bigint>",
    }


def test_source_columns_read_the_footer_or_give_none(tmp_path):
    pq.write_table(
        pa.table({"a": [1], "p": pa.array([decimal.Decimal("1.50")], pa.decimal128(9, 2))}), tmp_path / "t.parquet"
    )
    cache = SchemaCache(tmp_path / ".sqlrun" / "schemas.json")
    assert cache.columns(Source("t", str(tmp_path / "t.parquet"), "parquet")) == {"a": "bigint", "p": "decimal(9, 2)"}
    assert cache.columns(Source("t", str(tmp_path / "none*.parquet"), "parquet")) is None


def test_schema_cache_is_read_back_and_follows_the_file(tmp_path):
    path, cache_file = tmp_path / "t.parquet", tmp_path / ".sqlrun" / "schemas.json"
    source = Source("t", str(path), "parquet")
    pq.write_table(pa.table({"a": [1]}), path)
    first = SchemaCache(cache_file)
    assert first.columns(source) == {"a": "bigint"}
    first.save()
    assert cache_file.exists()
    # A new process reads the types back without opening the file: garbage of the same size
    # and modification time still gives the cached types.
    stat = path.stat()
    path.write_bytes(b"x" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert SchemaCache(cache_file).columns(source) == {"a": "bigint"}
    # Rewritten with other columns: a new size/mtime, so the footer is read again.
    pq.write_table(pa.table({"a": [1.5], "b": ["x"]}), path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert SchemaCache(cache_file).columns(source) == {"a": "double", "b": "varchar"}


@pytest.mark.parametrize("text", ["{not json", '{"version": 0, "entries": {}}', '["a list"]'])
def test_a_broken_schema_cache_is_ignored(tmp_path, text):
    cache_file = tmp_path / "schemas.json"
    cache_file.write_text(text)
    pq.write_table(pa.table({"a": [1]}), tmp_path / "t.parquet")
    cache = SchemaCache(cache_file)
    assert cache.columns(Source("t", str(tmp_path / "t.parquet"), "parquet")) == {"a": "bigint"}
    cache.save()
    assert f'"version": {SchemaCache.VERSION}' in cache_file.read_text()


def test_struct_columns_are_typed_by_their_fields():
    from sqlrun.engine.schema import sql_type

    assert sql_type(pa.struct([("x", pa.int32()), ("s", pa.string())])) == "struct<x int, s varchar>"
    assert sql_type(pa.struct([("a b", pa.int32())])) is None  # a name a dialect would need quoted


SCHEMA = {"t": {"a": "int", "b": "bigint"}, "u": {"c": "decimal(10, 2)"}}


@pytest.mark.parametrize(
    "sql, left_type",
    [
        ("SELECT a / 2 FROM t", "INTEGER"),
        ("WITH c AS (SELECT a, b FROM t) SELECT a / b FROM c", "INTEGER"),
        ("SELECT SUM(a) / COUNT(*) FROM t", "BIGINT"),
        ("SELECT x / 2 FROM (SELECT c AS x FROM u) AS s", "DECIMAL(10, 2)"),
        ("SELECT zz / 2 FROM t", "UNKNOWN"),
    ],
)
def test_annotate_types_unqualified_columns_without_changing_the_sql(sql, left_type):
    tree = sqlglot.parse_one(sql, read="redshift")
    annotate(tree, Context(Query("q", Path("q.sql"), "redshift", sql), target("duckdb"), SCHEMA))
    assert next(tree.find_all(exp.Div)).this.type.sql("redshift") == left_type
    assert tree.sql("redshift") == sqlglot.parse_one(sql, read="redshift").sql("redshift")
