# ruff: noqa: E501  (SQL reads best on one line)
"""Correlated subqueries on Polars (engine/rewrites/decorrelate.py, marks.py, fromless.py,
domains.py, correlated.py): the shapes turned into joins give DuckDB's rows, NULL keys and an
empty inner table included; the shapes Polars cannot plan are refused at compile time, naming
the subquery."""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pyarrow as pa
import pytest

from sqlrun.engine.compile import compile_query
from sqlrun.engine.parity import compare
from sqlrun.engine.target import target
from sqlrun.errors import CompileError
from tests.semantics import query

# k: keys with a NULL and a repeat; `i` the inner table, `e` the same with no rows
OUTER = pa.table({"k": [1, 2, None, 4, 1], "x": [10, 20, 30, None, 5]})
INNER = pa.table({"k": [1, 1, None, 5, 4], "y": [5, 6, 7, 8, None]})
TABLES = {"o": OUTER, "i": INNER, "e": INNER.slice(0, 0), "o2": OUTER}
SCHEMA = {name: {"k": "bigint", ("x" if name.startswith("o") else "y"): "bigint"} for name in TABLES}


def _sent(sql: str, dialect: str = "spark") -> str:
    return compile_query(query(sql, dialect), target("polars"), schema=SCHEMA)


def _same_rows_as_duckdb(sql: str, dialect: str = "spark") -> str:
    """Run on Polars as sqlrun sends it and on DuckDB; assert the same rows; return what was sent."""
    sent = _sent(sql, dialect)
    got = pl.SQLContext({n: pl.from_arrow(t) for n, t in TABLES.items()}).execute(sent).collect().to_arrow()
    con = duckdb.connect()
    for name, table in TABLES.items():
        con.register(name, table)
    want = con.sql(compile_query(query(sql, dialect), target("duckdb"), schema=SCHEMA)).arrow()
    if hasattr(want, "read_all"):
        want = want.read_all()
    result = compare(got, want)
    assert result.equal, (result.reason, result.left_rows, result.right_rows, sent)
    return sent


@pytest.mark.parametrize("inner", ["i", "e"])
@pytest.mark.parametrize(
    "sql, join",
    [
        ("SELECT * FROM o WHERE EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o.k AND y > 5)", "SEMI JOIN"),
        ("SELECT k, x FROM o WHERE NOT EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o.k)", "ANTI JOIN"),
        ("SELECT k, x FROM o WHERE x > 1 AND x IN (SELECT y + 4 FROM {i} WHERE {i}.k = o.k)", "SEMI JOIN"),
        ("SELECT k, x FROM o WHERE x IN (SELECT MAX(y) FROM {i} WHERE {i}.k = o.k GROUP BY y)", "SEMI JOIN"),
        ("SELECT k, x FROM o WHERE NOT EXISTS (SELECT y FROM {i} WHERE {i}.k = o.k GROUP BY y HAVING MAX(y) > 5)", "ANTI JOIN"),
        ("SELECT k, x FROM o WHERE x > (SELECT MIN(y) FROM {i} WHERE {i}.k = o.k)", "LEFT JOIN"),
        ("SELECT k, (SELECT COUNT(*) FROM {i} WHERE {i}.k = o.k) AS n FROM o", "COALESCE"),
        ("SELECT *, (SELECT COUNT(*) FROM {i} WHERE {i}.k = o.k) AS n FROM o", "o.*"),  # * spelled as its table's
        ("SELECT k, x FROM o WHERE (SELECT COUNT(y) FROM {i} WHERE {i}.k = o.k) = 0", "COALESCE"),
        ("SELECT k, (SELECT SUM(y) FROM {i} WHERE {i}.k = o.k) + 1 AS s FROM o", "LEFT JOIN"),
        ("SELECT k, x FROM o WHERE (SELECT COUNT(*) FROM {i} WHERE {i}.k = o.k GROUP BY {i}.k) IS NULL", "LEFT JOIN"),
        # several columns (Polars SQL has no row values), correlated or not
        ("SELECT k, x FROM o WHERE (k, x + 1) IN (SELECT k, y + 5 FROM {i} WHERE y > 5)", "SEMI JOIN"),
    ],
)
def test_a_correlated_subquery_joins_with_duckdbs_rows(sql, join, inner):
    sent = _same_rows_as_duckdb(sql.format(i=inner))
    assert join in sent and "_sqlrun_sq" in sent


@pytest.mark.parametrize(
    "sql",
    [
        # a comma list: Polars takes no join after it, and plans these itself (TPC-H q02)
        "SELECT o.k FROM o, o2 WHERE o.k = o2.k AND o.x > (SELECT MIN(y) FROM i WHERE i.k = o.k)",
        "SELECT o.k FROM o, o2 WHERE o.k = o2.k AND EXISTS (SELECT 1 FROM i WHERE i.k = o.k)",
        # NOT IN: a NULL in the subquery empties the answer; not a plain ANTI JOIN
        "SELECT k FROM o WHERE x NOT IN (SELECT y FROM i WHERE i.k = o.k)",
        # EXISTS of an aggregate always holds
        "SELECT k FROM o WHERE EXISTS (SELECT MAX(y) FROM i WHERE i.k = o.k)",
        # Polars joins no DOUBLE key with a BIGINT one
        "SELECT k FROM o WHERE x IN (SELECT CAST(y AS DOUBLE) FROM i WHERE i.k = o.k)",
    ],
)
def test_what_a_join_would_change_is_not_rewritten(sql):
    assert "_sqlrun_sq" not in _sent(sql)


@pytest.mark.parametrize(
    "sql, construct",
    [
        # the NULL-extended side of an outer join: no join before it can mark its rows
        ("SELECT o.k FROM o FULL JOIN o2 ON o.k = o2.k AND EXISTS (SELECT 1 FROM i WHERE i.k = o2.k)", "in a JOIN condition"),
        ("SELECT o.k FROM o JOIN o2 ON o.k = o2.k OR EXISTS (SELECT 1 FROM i WHERE i.k = o2.k)", "in a JOIN condition"),
        # per outer row: a LIMIT, or COUNT's one row over no rows below the top, has no per-domain form
        ("SELECT k, (SELECT SUM(y) FROM (SELECT y FROM i WHERE i.k = o.k LIMIT 1)) FROM o", "in FROM"),
        ("SELECT k, (SELECT SUM(c) FROM (SELECT COUNT(*) AS c FROM i WHERE i.k = o.k)) FROM o", "in FROM"),
        # the domain is read from o: it lacks the NULLs a join NULL-extending o makes
        ("SELECT o2.k FROM o2 LEFT JOIN o ON o.k = o2.k WHERE EXISTS (SELECT 1 FROM i WHERE i.k = o.k OR o.k IS NULL)", "correlated other than"),
        ("SELECT k FROM o WHERE x IN (SELECT y FROM i WHERE i.k = o.k ORDER BY y LIMIT 1)", "with LIMIT"),
        ("SELECT k FROM o WHERE x = (SELECT MAX(y) FROM i WHERE i.k = o.k GROUP BY y)", "with GROUP BY"),
    ],
)
def test_what_polars_cannot_plan_is_refused_naming_the_subquery(sql, construct):
    with pytest.raises(CompileError, match=rf"q\.sql:1:\d+: SELECT .*a correlated subquery {construct}.*Polars SQL cannot plan it"):
        _sent(sql)


def test_not_in_of_several_columns_is_refused():
    # a NULL in either column makes NOT IN unknown, not a plain ANTI JOIN; Polars cannot say it
    with pytest.raises(CompileError, match=r"q\.sql:1:\d+: .*IN of several columns over a subquery"):
        _sent("SELECT k FROM o WHERE (k, x) NOT IN (SELECT k, y FROM i)")


def test_a_semi_join_on_equalities_goes_as_such_and_a_subquery_in_its_condition_is_refused():
    assert "SEMI JOIN i" in _same_rows_as_duckdb("SELECT k, x FROM o LEFT SEMI JOIN i ON o.k = i.k")
    with pytest.raises(CompileError, match=r"q\.sql:1:\d+: .*a subquery in a SEMI or ANTI join condition"):
        _sent("SELECT o.k FROM o LEFT ANTI JOIN i ON o.k = i.k AND o.x IN (SELECT y FROM e)")


@pytest.mark.parametrize("inner", ["i", "e"])
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT o.k, o.x, o2.x AS x2 FROM o JOIN o2 ON o.k = o2.k AND EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o.x - 9)",
        "SELECT * FROM o JOIN o2 ON o.k = o2.k AND NOT EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o2.k)",
        "SELECT o.k, o.x, o2.x AS x2 FROM o LEFT JOIN o2 ON o.k = o2.k AND o2.x IN (SELECT y + 5 FROM {i} WHERE {i}.k = o2.k)",
        "SELECT o.k, o.x, o2.x AS x2 FROM o RIGHT JOIN o2 ON o.k = o2.k AND o.x NOT IN (SELECT y FROM {i} WHERE {i}.k = o.k)",
        "SELECT * FROM o LEFT SEMI JOIN o2 ON o.k = o2.k AND EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o2.k)",
        "SELECT * FROM o LEFT SEMI JOIN o2 ON o.k = o2.k AND o.x IN (SELECT y + 5 FROM {i} WHERE {i}.k = o.k)",
        "SELECT * FROM o LEFT ANTI JOIN o2 ON o.k = o2.k AND EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o2.k AND y > 5)",
    ],
)
def test_a_subquery_in_a_join_condition_filters_the_table_it_names(sql, inner):
    # (join_subqueries.py: moved into that table when the join drops its unmatched rows)
    sent = " ".join(_same_rows_as_duckdb(sql.format(i=inner)).split())
    assert re.search(r"\( SELECT (\*|o2?\.\*) FROM o2? .*\) AS o2? ", sent), sent


@pytest.mark.parametrize("inner", ["i", "e"])
@pytest.mark.parametrize(
    "sql, mark",
    [
        # marks.py: EXISTS / IN as values read from LEFT JOINs to one row per key
        ("SELECT o.k, o2.x FROM o LEFT JOIN o2 ON o.k = o2.k AND EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o.k)", "_sqlrun_mk"),
        ("SELECT o.k, o2.x FROM o JOIN o2 ON o.k = o2.k OR NOT EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o.x - 9)", "_sqlrun_mk"),
        ("SELECT k, x IN (SELECT y + 4 FROM {i} WHERE {i}.k = o.k) AS a, x NOT IN (SELECT y FROM {i} WHERE {i}.k = o.k) AS b FROM o", "_sqlrun_mk"),
        ("SELECT k FROM o WHERE x > 20 OR x IN (SELECT y + 4 FROM {i} WHERE {i}.k = o.k)", "_sqlrun_mk"),
        # fromless.py: no FROM, written in place
        ("SELECT k, (SELECT x WHERE x > 10) AS a, (SELECT k + x) AS b, x IN (SELECT k WHERE k > 1) AS c FROM o WHERE EXISTS (SELECT 1 WHERE x IS NOT NULL)", "CASE WHEN"),
        # domains.py: per distinct outer value, joined on IS NOT DISTINCT FROM (NULL outer values too)
        ("SELECT k, (SELECT SUM(y) FROM (SELECT y FROM {i} WHERE {i}.k = o.k)) AS s FROM o", "_sqlrun_dm"),
        ("SELECT k FROM o WHERE EXISTS (SELECT 1 FROM {i} WHERE {i}.k = o.k OR o.k IS NULL)", "_sqlrun_dm"),
        ("SELECT k, (SELECT COUNT(*) FROM (SELECT y FROM {i} WHERE {i}.k = o.k UNION ALL SELECT y FROM {i} WHERE y > o.x)) AS n FROM o", "COALESCE"),
        ("SELECT k, x FROM o WHERE x NOT IN (SELECT y FROM {i} WHERE {i}.k = o.k UNION SELECT k FROM {i} WHERE y IS NULL)", "_sqlrun_dm"),
        ("SELECT k, x FROM o WHERE EXISTS (SELECT y FROM {i} WHERE {i}.k = o.k INTERSECT SELECT y FROM {i} WHERE y < o.x)", "_sqlrun_dm"),
        # one row per outer row (an aggregate without GROUP BY): IN is `=`, COUNT over no rows 0
        ("SELECT k, x FROM o WHERE x IN (SELECT COUNT(*) FROM {i} WHERE {i}.k = o.k)", "_sqlrun_dm"),
        ("SELECT k, x NOT IN (SELECT COUNT(*) + 1 FROM {i} WHERE {i}.k = o.k) AS a FROM o", "COALESCE"),
        ("SELECT k, (SELECT COUNT(y) * 10 + MAX(y) FROM {i} WHERE {i}.k = o.k OR y > o.x) AS s FROM o", "COALESCE"),
    ],
)
def test_correlated_values_and_set_operations_give_duckdbs_rows(sql, mark, inner):
    # (DuckDB's SQL: an IN that is a value keeps its NULL there; Spark's IN has two values, its
    # answers frozen in the corpus case subquery/correlated_in_values)
    assert mark in _same_rows_as_duckdb(sql.format(i=inner), "duckdb")


def test_spark_in_over_a_subquery_is_rewritten_only_as_a_filter():
    # Spark's IN over a subquery is FALSE where SQL's is NULL in some places (an existence join):
    # from Spark, only filters, where both keep the same rows, are rewritten
    assert "_sqlrun_mk" in _same_rows_as_duckdb("SELECT k FROM o WHERE x > 20 OR x IN (SELECT y FROM i WHERE i.k = o.k)")
    assert "_sqlrun_mk" in _same_rows_as_duckdb("SELECT k FROM o WHERE k > 0 AND NOT (x IN (SELECT y FROM i WHERE i.k = o.k))")
    # as a value, or under a NOT, FALSE and NULL differ: refused from Spark (spark_in_values.py)
    for sql in ("SELECT k, x IN (SELECT y FROM i WHERE i.k = o.k) AS a FROM o",
                "SELECT k FROM o WHERE NOT (x > 20 OR x IN (SELECT y FROM i WHERE i.k = o.k))"):
        for engine in ("polars", "duckdb"):
            with pytest.raises(CompileError, match="correlated IN .subquery. used as a value"):
                compile_query(query(sql, "spark"), target(engine), schema=SCHEMA)


def test_without_the_sources_columns_nothing_is_rewritten():
    sql = "SELECT k, x FROM o WHERE x > (SELECT MIN(y) FROM i WHERE i.k = o.k)"
    sent = compile_query(query(sql, "spark"), target("polars"))
    assert "_sqlrun_sq" not in sent


def test_without_the_sources_columns_no_join_condition_is_moved():
    sql = "SELECT * FROM o JOIN o2 ON o.k = o2.k AND EXISTS (SELECT 1 FROM i WHERE i.k = o2.k)"
    with pytest.raises(CompileError, match=r"a correlated subquery in a JOIN condition"):
        compile_query(query(sql, "spark"), target("polars"))
