# ruff: noqa: E501  (table rows read best on one line)
"""String, array and query-shape rewrites (rewrites/strings.py, arrays.py, queries.py), table
style: each row's expected rows come from its source engine (DuckDB on DuckDB, Spark SQL on
Spark, Redshift by hand from Amazon's documentation); every local engine must give them, or
compile must refuse with the clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqlrun.adapters import LOCAL_ENGINES
from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.engine.parity import compare
from sqlrun.errors import CompileError
from tests.corpus.runner import expected_table
from tests.corpus.tables import make_project

N = None

# (source dialect, SQL over the corpus tables t/u/l, expected rows, engines that must refuse)
CASES = [
    # SUBSTRING: zero / negative starts and negative lengths, constants and columns
    ("spark", "SELECT id, substring(s, -3, 2), substr(s, 0, 2), substring(s, -9, 3) FROM t ORDER BY id", [(1, "pl", "Ap", ""), (2, "an", "ba", ""), (3, "ry", "  ", "  C"), (4, N, N, N), (5, "", "", ""), (6, "b,", "a,", ""), (7, "ie", "O'", "O")], ()),
    ("spark", "SELECT id, substring(s, x, 2) FROM t ORDER BY id", [(1, ""), (2, ""), (3, "er"), (4, N), (5, ""), (6, "a,"), (7, "Br")], ()),
    ("spark", "SELECT id, substring(s, 2, x) FROM t ORDER BY id", [(1, "pple"), (2, "anana"), (3, ""), (4, N), (5, ""), (6, ""), (7, "'Br")], ()),
    ("duckdb", "SELECT id, substring(s, -3, 2), substring(s, 0, 2), substring(s, 3, -2), substring(s, -9, 3) FROM t ORDER BY id", [(1, "pl", "A", "Ap", ""), (2, "an", "b", "ba", ""), (3, "ry", " ", "  ", "  C"), (4, N, N, N, N), (5, "", "", "", ""), (6, "b,", "a", "a,", ""), (7, "ie", "O", "O'", "O")], ()),
    ("duckdb", "SELECT id, substring(s, x, 2) FROM t ORDER BY id", [(1, ""), (2, ""), (3, "er"), (4, N), (5, ""), (6, "a"), (7, "Br")], ()),
    ("redshift", "SELECT SUBSTRING('caterpillar', -2, 6), SUBSTRING('abc', 0, 2)", [("cat", "a")], ()),
    ("redshift", "SELECT SUBSTRING('abc', 1, -1)", [], ("duckdb", "polars", "spark")),
    # INSTR / LOCATE: NULL in, NULL out; a start position on Polars
    ("spark", "SELECT id, locate('a', s, 2), instr(s, 'e') FROM t ORDER BY id", [(1, 0, 5), (2, 2, 0), (3, 0, 5), (4, N, N), (5, 0, 0), (6, 0, 0), (7, 0, 6)], ()),
    # padding with a multi-character fill (Polars pads with one character)
    ("spark", "SELECT id, lpad(s, 8, 'xy'), rpad(s, 3, '-=') FROM t ORDER BY id", [(1, "xyxApple", "App"), (2, "xybanana", "ban"), (3, "  Cherry", "  C"), (4, N, N), (5, "xyxyxyxy", "-=-"), (6, "xyxa,b,c", "a,b"), (7, "xO'Brien", "O'B")], ()),
    ("spark", "SELECT rpad(s, x, 'ab') FROM t", [], ("polars",)),
    # SUBSTRING_INDEX on DuckDB
    ("spark", "SELECT substring_index(s, ',', 2), substring_index(s, ',', -2) FROM t ORDER BY id", [("Apple", "Apple"), ("banana", "banana"), ("  Cherry ", "  Cherry "), (N, N), ("", ""), ("a,b", "b,c"), ("O'Brien", "O'Brien")], ("polars",)),
    # CONCAT: Redshift's propagates NULL
    ("redshift", "SELECT id, CONCAT(s, grp) FROM t ORDER BY id", [(1, "Applea"), (2, "bananaa"), (3, "  Cherry b"), (4, N), (5, "c"), (6, N), (7, "O'Brienc")], ()),
    # FORMAT styles; a NULL or column argument is refused (Spark prints 'null')
    ("spark", "SELECT format_string('%s|%-4s|%03d%%', 'a', 'b', 7)", [("a|b   |007%",)], ("polars",)),
    ("spark", "SELECT format_string('%5.1f', 2.25)", [], ("duckdb", "polars")),  # Spark 2.3, DuckDB 2.2
    ("duckdb", "SELECT format('{}-{{x}}', 'a')", [("a-{x}",)], ("polars",)),
    ("spark", "SELECT format_string('%s', s) FROM t", [], ("duckdb", "polars")),
    ("duckdb", "SELECT format('{:03d}', 7)", [], ("polars", "spark")),
    # REGEXP_REPLACE: DuckDB replaces the first match, Redshift/Spark every match
    ("duckdb", "SELECT id, regexp_replace(s, '[aeiou]', '#'), regexp_replace(s, 'A', '_', 'i') FROM t ORDER BY id", [(1, "Appl#", "_pple"), (2, "b#nana", "b_nana"), (3, "  Ch#rry ", "  Cherry "), (4, N, N), (5, "", ""), (6, "#,b,c", "_,b,c"), (7, "O'Br#en", "O'Brien")], ()),
    ("redshift", "SELECT REGEXP_REPLACE('banana', 'a', '_')", [("b_n_n_",)], ()),
    ("duckdb", "SELECT regexp_replace(s, '(a)', '\\1\\1') FROM t", [], ("spark",)),
    # arrays: size(NULL) = -1, array_contains with NULL arrays and NULL elements
    ("spark", "SELECT id, size(xs), array_contains(xs, 1), array_contains(xs, 5) FROM l ORDER BY id", [(1, 3, True, False), (2, 0, False, False), (3, -1, N, N), (4, 3, N, True)], ()),
    ("duckdb", "SELECT id, list_contains(xs, 1), list_contains(xs, 5) FROM l ORDER BY id", [(1, True, False), (2, False, False), (3, N, N), (4, False, True)], ()),
    ("spark", "SELECT id, array_distinct(xs) FROM l ORDER BY id", [(1, [1, 2, 3]), (2, []), (3, N), (4, [5, N])], ("polars",)),
    # EXPLODE / UNNEST: no row for a NULL or empty array; the OUTER forms give one NULL row
    ("spark", "SELECT id, explode_outer(tags) FROM l ORDER BY id", [(1, "x"), (1, "y"), (2, "z"), (3, N), (4, "x")], ()),
    ("spark", "SELECT id, v FROM l LATERAL VIEW OUTER explode(xs) tv AS v ORDER BY id, v", [(1, 1), (1, 2), (1, 3), (2, N), (3, N), (4, N), (4, 5), (4, 5)], ("polars",)),
    ("duckdb", "SELECT id, unnest(xs) AS v FROM l WHERE id > 1 ORDER BY id, v", [(4, 5), (4, 5), (4, N)], ()),
    ("duckdb", "SELECT [v + 1 FOR v IN [1, 2, 3]]", [([2, 3, 4],)], ("polars",)),
    # query shapes
    ("duckdb", "SELECT DISTINCT ON (grp) grp, x FROM t ORDER BY grp DESC, x", [("c", 3), ("b", -5), ("a", 10), (N, 0)], ()),
    ("duckdb", "SELECT 1 AS a, 2 AS b UNION BY NAME SELECT 2 AS b, 1 AS a", [(1, 2)], ()),
    ("spark", "SELECT grp, flag, count(*) FROM t GROUP BY grp, flag WITH ROLLUP", [(N, N, 7), (N, N, 1), (N, True, 1), ("a", N, 2), ("a", False, 1), ("a", True, 1), ("b", N, 2), ("b", N, 1), ("b", True, 1), ("c", N, 2), ("c", False, 2)], ()),
    ("duckdb", "SELECT id, sum(x) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM t", [], ("polars",)),
    ("duckdb", "SELECT id FROM t WHERE x > ALL (SELECT lo FROM u)", [], ("spark",)),
    ("spark", "SELECT length('a'), length('bb'), 1, 2", [(1, 2, 1, 2)], ()),
]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    with Session(make_project(tmp_path_factory.mktemp("strings_arrays"))) as s:
        yield s


def _params():
    """(case, engine) pairs that assert something: a refusal, or the source's rows (a row with no
    expected rows only checks its refusals)."""
    for source, sql, expected, refused in CASES:
        for engine in LOCAL_ENGINES:
            if engine in refused or expected:
                marks = [pytest.mark.spark] if engine == "spark" else []
                yield pytest.param(engine, source, sql, expected, refused, marks=marks, id=f"{source}:{sql[:60]}-{engine}")


@pytest.mark.parametrize("engine,source,sql,expected,refused", list(_params()))
def test_rewrite_gives_the_source_answer(session, engine, source, sql, expected, refused):
    query = Query(name="q", path=Path("q.sql"), dialect=source, sql=sql)
    if engine in refused:
        with pytest.raises(CompileError, match=rf"q\.sql:\d+:\d+: .*\({source} -> {engine}\)"):
            session.compile(query, engine)
        return
    got = session.run(query, engine)
    cmp = compare(expected_table(expected), got, ordered="ORDER BY" in sql)
    assert cmp.equal, f"{cmp.reason}: {session.compile(query, engine)}"
