# ruff: noqa: E501  (SQL reads best on one line)
"""Polars runs a query as it is given: sqlrun lists comma-joined tables so each joins one before it
(engine/rewrites/join_order.py) and spells column names as defined (column_case.py). The rows
are the same (tests/corpus: joins_listed_apart*, names_in_any_case*, and TPC-H on every engine);
here, what is sent and what is left alone."""

from __future__ import annotations

import pytest
from sqlglot import exp

from sqlrun.engine.compile import compile_query
from sqlrun.engine.parse import parse_query
from sqlrun.engine.target import target
from tests.semantics import query

SCHEMA = {
    "part": {"p_partkey": "bigint", "p_name": "varchar"},
    "supplier": {"s_suppkey": "bigint", "s_name": "varchar"},
    "partsupp": {"ps_partkey": "bigint", "ps_suppkey": "bigint", "ps_supplycost": "double"},
    "nation": {"n_nationkey": "bigint", "n_name": "varchar"},
}


def _lists(sql: str, engine: str = "polars") -> list[list[str]]:
    """The FROM list of each SELECT sent, outermost first, in the order sent."""
    sent = query(compile_query(query(sql, "spark"), target(engine), schema=SCHEMA), target(engine).dialect)
    return [[s.args["from_"].this.alias_or_name, *(j.this.alias_or_name for j in s.args.get("joins") or [])]
            for s in parse_query(sent).find_all(exp.Select)]


def _from(sql: str, engine: str = "polars") -> list[str]:
    return _lists(sql, engine)[0]


PART_FIRST = "SELECT p_name, s_name FROM part, supplier, partsupp WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey"


def test_a_table_listed_before_what_connects_it_moves_after_it():
    assert _from(PART_FIRST) == ["part", "partsupp", "supplier"]
    assert _from(PART_FIRST, "duckdb") == ["part", "supplier", "partsupp"]  # DuckDB plans joins itself


@pytest.mark.parametrize(
    "sql",
    [
        # SELECT *: its columns follow the FROM list
        "SELECT * FROM part, supplier, partsupp WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey",
        # an explicit ON join is not a comma list
        "SELECT p_name FROM part JOIN supplier ON TRUE JOIN partsupp ON p_partkey = ps_partkey AND s_suppkey = ps_suppkey",
        # already connected
        "SELECT p_name FROM part, partsupp, supplier WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey",
        # a table whose columns are not known: which table `x` belongs to is not sure
        "SELECT p_name FROM part, mystery, partsupp WHERE p_partkey = ps_partkey AND x = ps_suppkey",
    ],
)
def test_what_cannot_be_placed_surely_is_sent_as_written(sql):
    listed = [name.strip().split()[0] for name in sql.split(" FROM ", 1)[1].split(" WHERE ")[0].split(",")]
    if " JOIN " in sql:
        listed = ["part", "supplier", "partsupp"]
    assert _from(sql) == listed


def test_a_correlated_subquery_keeps_its_outer_columns():
    sql = (
        "SELECT p_name FROM part, supplier, partsupp WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey"
        " AND ps_supplycost = (SELECT MIN(ps_supplycost) FROM partsupp, nation, supplier"
        " WHERE p_partkey = ps_partkey AND s_suppkey = ps_suppkey AND n_name = s_name)"
    )
    # (after a comma list the subquery stays: Polars plans it, faster than as a join: decorrelate.py)
    assert _lists(sql) == [["part", "partsupp", "supplier"], ["partsupp", "supplier", "nation"]]


def _sent(sql: str) -> str:
    return " ".join(compile_query(query(sql, "spark"), target("polars"), schema=SCHEMA).split())


@pytest.mark.parametrize(
    "sql, sent",
    [
        ("SELECT P_NAME FROM part", "SELECT p_name FROM part"),
        ("SELECT x.Total FROM (SELECT COUNT(*) AS total FROM part) AS x",
         "SELECT x.total FROM ( SELECT COUNT(*) AS total FROM part ) AS x"),
        # the nearest scope first: `s_name` is the outer supplier's, `p_name` the subquery's part's
        ("SELECT S_NAME FROM supplier WHERE EXISTS (SELECT 1 FROM part WHERE P_NAME = S_NAME)",
         "SELECT s_name FROM supplier SEMI JOIN ( SELECT p_name AS _sqlrun_sq0_k0 FROM part ) AS _sqlrun_sq0"
         " ON s_name = _sqlrun_sq0._sqlrun_sq0_k0"),
        # not sure, so as written: quoted (the exact name was asked for), a table whose columns
        # are unknown (it may hold P_NAME), two columns that match (the engine decides)
        ("SELECT `P_NAME` FROM part", 'SELECT "P_NAME" FROM part'),
        ("SELECT P_NAME FROM part, mystery", "SELECT P_NAME FROM part, mystery"),
        ("SELECT a.X FROM (SELECT 1 AS x, 2 AS X) AS a", "SELECT a.X FROM ( SELECT 1 AS x, 2 AS X ) AS a"),
    ],
)
def test_column_names_are_spelled_as_defined_where_sure(sql, sent):
    assert _sent(sql) == sent
