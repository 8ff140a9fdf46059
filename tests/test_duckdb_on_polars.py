# ruff: noqa: E501  (SQL reads best on one line)
"""DuckDB SQL on Polars where DuckDB's own sqllogictests found silently wrong answers
(tests/duckdb_slt): each translated form gives DuckDB's rows and types (DuckDB itself, run on
the same table, is the reference), each form that cannot be translated is refused at compile time."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.engine.parity import compare, is_ordered
from sqlrun.engine.parse import parse_query
from sqlrun.errors import CompileError
from tests.semantics import make_project, query

TRANSLATED = [
    # order_names.py: Polars names STRFTIME(d, ...) 'd', which ORDER BY d then meant
    "SELECT strftime(d, '%a') FROM t ORDER BY d NULLS FIRST",
    "SELECT abs(i) FROM t ORDER BY i NULLS FIRST",
    # strftime_codes.py: %f %g %n %c %x mean other things in chrono; a DATE's time codes
    "SELECT strftime(ts, '%f|%g|%n|%c|%x|%X') FROM t ORDER BY k",
    "SELECT strftime(d, '%H:%M:%S %p') FROM t ORDER BY k",
    "SELECT strptime('2020-12-31 21:25:58.745232', '%Y-%m-%d %H:%M:%S.%f'), strptime('2024-11-28 23:59:00.312', '%Y-%m-%d %H:%M:%S.%f')",
    # duckdb_text_ints.py: hex, binary, underscores
    "SELECT CAST('0x1e' AS INT), CAST('0B1_0' AS BIGINT), TRY_CAST('0x8000' AS SMALLINT), CAST('0x7FFF' AS SMALLINT)",
    # duckdb_texts.py: a text compared with a BOOLEAN is cast to BOOLEAN
    "SELECT true = '1', 'no' = false, true = 'T'::VARCHAR",
    # boolean_tests.py
    "SELECT k, i IS TRUE, i IS NOT TRUE, NULL IS FALSE, (i > 1) IS NOT FALSE FROM t ORDER BY k",
    # dialects/polars_qualify.py
    "SELECT * FROM t QUALIFY row_number() OVER (PARTITION BY s ORDER BY k) = 1 ORDER BY k",
    # where_without_from.py
    "SELECT (SELECT 42 WHERE false), (SELECT 7 WHERE true)",
    # null_arguments.py, strings.polars_left_right
    "SELECT k, split_part('a,b', ',', j), left(s, j), 'a' LIKE 'a' ESCAPE NULL FROM t ORDER BY k",
    # join_null_safe.py
    "SELECT count(*) FROM t a JOIN t b ON a.s IS NOT DISTINCT FROM b.s AND a.k = b.k",
    # duckdb_sums.py: past the BIGINT range, as DuckDB's HUGEINT
    "SELECT SUM(b), SUM(DISTINCT b) FROM l",
]

# polars_cast_targets.py: TRY_CAST to TINYINT range-checked; a fraction to an unsigned integer
# rounds first. Values only: a TINYINT comes back from Polars as SMALLINT (int16), a known gap.
VALUES_ONLY = [
    "SELECT TRY_CAST(127.6 AS TINYINT), TRY_CAST(-128.5::DOUBLE AS TINYINT), TRY_CAST(-0.6::DOUBLE AS UTINYINT), TRY_CAST(0.4::DOUBLE AS UTINYINT)",
]

REFUSED = [
    ("SELECT strftime(ts, '%z') FROM t", "strftime code %z"),
    ("SELECT CAST('0x' AS INT)", "DuckDB raises an error casting '0x'"),
    ("SELECT CAST('abc' AS INT)", "DuckDB raises an error casting 'abc'"),
    ("SELECT s = true FROM t", "casts a text compared with a BOOLEAN"),
    ("SELECT TRY_CAST('infinity' AS TIMESTAMP)", "special value"),
    ("SELECT * FROM t JOIN t AS u USING (k)", "repeats the USING key columns"),
    ("SELECT v FROM l ORDER BY v", "STRUCT or LIST"),
    ("SELECT CAST(k AS HUGEINT) FROM t", "128-bit integer"),
    ("SELECT CAST(s AS INT[]) FROM t", "text as a list"),
    ("SELECT date_trunc(s, ts) FROM t", "the unit is a column"),
    ("SELECT jaro_winkler_similarity('CRATE', 'TRACE', 0.8)", "score cutoff"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("duckdb_on_polars"))
    pq.write_table(pa.table({"k": [1, 2, 3], "v": [[1, None], [1, 0], None], "b": [2**62, 2**62, 2**62 + 1]}), root / "l.parquet")
    (root / "sqlrun.toml").write_text(
        '[project]\ndialect = "duckdb"\nengine = "duckdb"\n\n[sources.t]\npath = "t.parquet"\n\n[sources.l]\npath = "l.parquet"\n'
    )
    with Session(root) as session:
        yield root, session


@pytest.mark.parametrize("sql", TRANSLATED + VALUES_ONLY)
def test_translated_forms_give_duckdbs_rows_and_types(project, sql):
    root, session = project
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name in ("t", "l"):
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{root / name}.parquet')")
    want = con.sql(sql).to_arrow_table()
    got = session.run(query(sql, "duckdb"), "polars")
    ordered = is_ordered(parse_query(query(sql, "duckdb")))
    result = compare(want, got, ordered=ordered, types=sql not in VALUES_ONLY)
    assert result.equal, (result.reason, result.left_rows, result.right_rows)


@pytest.mark.parametrize("sql, why", REFUSED)
def test_untranslatable_forms_are_refused_at_compile_time(project, sql, why):
    _, session = project
    with pytest.raises(CompileError, match=why) as error:
        session.compile(query(sql, "duckdb"), "polars")
    assert "q.sql:1:" in str(error.value) and "(duckdb -> polars)" in str(error.value)


def test_jaro_winkler_cutoff_is_kept_on_duckdb(project):
    _, session = project
    sql = "SELECT jaro_winkler_similarity('CRATE', 'TRACE', 0.8)"
    assert session.run(query(sql, "duckdb"), "duckdb").column(0).to_pylist() == [0.0]
