"""Spark functions Polars lacks, computed at compile time for constants (binary_constants.py,
text_constants.py, array_constants.py) or spelled with Polars' aggregates (regressions.py):
what is not decided exactly stays a CompileError naming file:line:col. (Their answers are
checked against Spark's in the corpus and the imported sql-tests.)"""

from __future__ import annotations

import pytest

from sqlrun.engine.compile import compile_query
from sqlrun.engine.target import target
from sqlrun.errors import CompileError
from tests.semantics import query

SCHEMA = {"t": {"s": "string", "n": "bigint", "i": "int", "d": "decimal(10,2)", "y": "double"}}


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT to_binary('GG')",  # Spark fails on bad hex
        "SELECT to_binary('a', 'base64')",  # and on bad base64
        "SELECT encode('a', 'utf8')",  # a charset name Spark 4 does not take
        "SELECT hex(lpad(to_binary(s), 5)) FROM t",  # a column
        "SELECT format_string('%f', 1.5D)",  # engines round %f differently
        "SELECT format_string('%s %s', 'a')",  # Spark fails: too few arguments
        "SELECT format_string('%05s', 'a')",  # and on a 0 flag of %s
        "SELECT format_string('%x', -1)",  # the two's complement of the argument's width
        "SELECT split(s, ',') FROM t",  # a column
        "SELECT split('a b', '\\\\s+')",  # a class Java and Python read otherwise
        "SELECT array_append(array(1), 'a')",  # Spark widens mixed kinds
        "SELECT array_insert(array(1), 0, 2)",  # Spark fails on position 0
        "SELECT array_append(array(1.5), 2.5)",  # DECIMAL elements
        "SELECT regr_sxx(d, y) FROM t",  # a DECIMAL
        "SELECT try_add(n, 1) FROM t",  # a BIGINT sum would overflow BIGINT
    ],
)
def test_what_is_not_exact_stays_refused(sql):
    with pytest.raises(CompileError) as raised:
        compile_query(query(sql, "spark"), target("polars"), schema=SCHEMA)
    assert str(raised.value).startswith("q.sql:1:")


@pytest.mark.parametrize(
    "sql, sent",
    [
        ("SELECT hex(rpad(unhex('aa'), 5, unhex('1f2e')))", "'AA1F2E1F2E'"),
        ("SELECT to_binary(' ab c=', 'base64')", "x'69B7'"),
        ("SELECT startswith(NULL, 'a')", "CAST(NULL AS BOOLEAN)"),
        ("SELECT format_string('%2$s|%-3s|%03d', 'a', 7)", "'7|a  |007'"),
        ("SELECT split('aa1cc22ee', '[1-9]+', -1)", "ARRAY['aa', 'cc', 'ee']"),
        ("SELECT array_insert(array('a'), -3, 'b')", "CAST(ARRAY['b', NULL, 'a'] AS TEXT[])"),
    ],
)
def test_constants_are_sent_as_spark_answers(sql, sent):
    compiled = compile_query(query(sql, "spark"), target("polars"), schema=SCHEMA)
    assert compiled.split(None, 1) == ["SELECT", sent] or compiled.startswith(f"SELECT\n  {sent}"), compiled
