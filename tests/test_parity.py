"""The comparison rules shared by parity, the corpus and TPC-H."""

from decimal import Decimal

import pyarrow as pa
import pytest
import sqlglot

from sqlrun.engine.parity import compare, is_ordered


def t(**cols):
    return pa.table(cols)


@pytest.mark.parametrize(
    "left, right, ordered, equal",
    [
        (t(a=[1, 2, 3]), t(a=[3, 1, 2]), False, True),
        (t(a=[1, 2, 3]), t(a=[3, 1, 2]), True, False),
        (t(a=[1, 1, 2]), t(a=[1, 2, 2]), False, False),  # multisets, not sets
        (t(a=[None, 1]), t(a=[1, None]), False, True),  # NULL = NULL
        (t(a=[None]), t(a=[0]), False, False),
        (t(a=[0.1 + 0.2]), t(a=[0.3]), True, True),  # relative tolerance
        (t(a=[1.0]), t(a=[1.001]), True, False),
        (t(a=pa.array([Decimal("1.500000")])), t(a=[1.5]), True, True),  # decimal vs double
        (t(a=pa.array([Decimal("0.050145")])), t(a=[0.05014459706340077]), True, True),  # Spark scale 6
        (t(a=pa.array([Decimal("0.050145")])), t(a=[0.0501446]), True, True),
        (t(a=pa.array([Decimal("0.050145")])), t(a=[0.0501456]), True, False),  # past half a unit
        (t(a=pa.array([Decimal("0.05")])), t(a=[0.0501446]), True, False),  # scale 2 vs 0.0501446
        (t(a=[1], b=["x"]), t(x=[1], y=["x"]), True, True),  # names may differ in case/alias
        (t(a=[1]), t(a=[1], b=[2]), True, False),
        (t(a=["a"]), t(a=["A"]), True, False),
        (t(a=[[1, 2]]), t(a=[[1, 2]]), True, True),
    ],
)
def test_compare(left, right, ordered, equal):
    assert compare(left, right, ordered).equal is equal


def test_difference_names_the_rows():
    result = compare(t(a=[1, 2]), t(a=[1, 3]), ordered=True)
    assert result.reason == "row 1 differs"
    assert result.left_rows == ((2,),) and result.right_rows == ((3,),)


@pytest.mark.parametrize(
    "sql, ordered",
    [
        ("SELECT a FROM t ORDER BY a", True),
        ("SELECT a FROM t", False),
        ("SELECT a FROM (SELECT a FROM t ORDER BY a) AS s", False),
        ("WITH s AS (SELECT 1 AS a) SELECT a FROM s ORDER BY a", True),
        ("SELECT a FROM t UNION ALL SELECT a FROM u ORDER BY a", True),
    ],
)
def test_is_ordered(sql, ordered):
    assert is_ordered(sqlglot.parse_one(sql, read="spark")) is ordered
