"""The rule table's own properties, and refusals that need no engine. What each rule does to
answers is checked by the conformance corpus (tests/corpus: table r holds the semantic rules'
cases), on every engine."""

from __future__ import annotations

import pytest

from sqlrun.errors import CompileError
from tests.semantics import query, transpile

# Column types the refusal tests compile with: u is not among them.
T_SCHEMA = {"t": {"k": "bigint", "x": "bigint"}}


def test_every_rule_has_a_name_and_runs_only_across_dialects():
    from sqlrun.engine import rewrites

    names = [r.name for r in rewrites.RULES]
    assert len(names) == len(set(names))
    tree = query("SELECT DAYOFWEEK(d) FROM t", "spark").ast()
    assert transpile("SELECT DAYOFWEEK(d) FROM t", "spark", "spark") == tree.sql("spark")


@pytest.mark.parametrize(
    "source, sql, expected",
    [
        ("spark", "SELECT AVG(x) FROM t", "SELECT AVG(CAST(x AS DOUBLE PRECISION)) FROM t"),
        ("duckdb", "SELECT AVG(x) OVER () FROM t", "SELECT AVG(CAST(x AS DOUBLE PRECISION)) OVER () FROM t"),
        ("spark", "SELECT AVG(CAST(x AS DOUBLE)) FROM t", "SELECT AVG(TRY_CAST(x AS DOUBLE PRECISION)) FROM t"),
        ("redshift", "SELECT AVG(x) FROM t", "SELECT AVG(x) FROM t"),  # Redshift meaning kept
    ],
)
def test_avg_keeps_its_fraction_on_redshift(tmp_path, source, sql, expected):
    from sqlrun.engine.catalog import load_query
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    path = tmp_path / "q.sql"
    path.write_text(f"-- dialect: {source}\n{sql}")
    assert " ".join(compile_query(load_query(path), target("redshift")).split()).endswith(expected)


@pytest.mark.parametrize("source", ["spark", "duckdb"])
def test_binary_literals_are_varbyte_on_redshift(source):
    """sqlglot wrote X'4142' as the integer 16706 and failed on X'' (ValueError, not a one-line error)."""
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    sql = "SELECT X'4142' AS b, X'' AS e" if source == "spark" else "SELECT '\\x41\\x42'::BLOB AS b"
    out = " ".join(compile_query(query(sql, source), target("redshift")).split())
    assert "TO_VARBYTE('4142', 'hex') AS b" in out, out
    if source == "spark":
        assert "TO_VARBYTE('', 'hex') AS e" in out


@pytest.mark.parametrize(
    "source, sql, engine",
    [
        ("redshift", "SELECT AVG(x) FROM u", "duckdb"),  # u's types are unknown
        ("redshift", "SELECT TRUNC(x) FROM u", "spark"),
        ("spark", "SELECT CAST(x AS INT) FROM u", "duckdb"),
        ("duckdb", "SELECT x - DATE '2024-01-01' FROM u", "polars"),
        ("spark", "SELECT x + INTERVAL 1 DAY FROM u", "duckdb"),
        ("redshift", "SELECT x / y FROM u", "duckdb"),  # integer division or not: unknown
    ],
)
def test_type_dependent_rules_refuse_unknown_types(source, sql, engine):
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    with pytest.raises(CompileError, match="unknown here"):
        compile_query(query(sql, source), target(engine), schema=T_SCHEMA)


DECIMALS = {"t": {"d": "decimal(10, 2)", "i": "int", "f": "double"}}


@pytest.mark.parametrize(
    "sql, refused",
    [
        ("SELECT AVG(d) FROM t", "AVG of a DECIMAL keeps the argument's scale"),  # r_AVG: DECIMAL(38, 2)
        ("SELECT SUM(d) / COUNT(*) FROM t", "divides DECIMALs to scale 4 "),  # 38 digits: scale max(38 + s - p, 4)
        ("SELECT d / 3 FROM t", "divides DECIMALs to scale 13 "),  # the quotient never ends
        ("SELECT i / d FROM t", "divides DECIMALs to scale 9 "),
        ("SELECT 1 / 3.0", "divides DECIMALs to scale 4 or more "),
        ("SELECT i * 1.5 / 7 FROM t", "divides DECIMALs to scale 4 or more "),  # 1.5 is a DECIMAL literal
        ("SELECT AVG(i * 1.5) FROM t", "AVG of a DECIMAL keeps the argument's scale"),
        ("SELECT d / 4, d / 100, d * 2 / 8, i / 2.5, 7 / 2.0, AVG(d::float), d::float / 3, AVG(f * 1.5) FROM t",
         None),  # exact, or a DOUBLE
    ],
)
def test_redshift_decimal_quotients_are_refused_unless_exact(sql, refused):
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    if refused is None:
        compile_query(query(sql, "redshift"), target("duckdb"), schema=DECIMALS)
    else:
        with pytest.raises(CompileError, match=refused):
            compile_query(query(sql, "redshift"), target("duckdb"), schema=DECIMALS)


@pytest.mark.parametrize(
    "sql, engine, reason",
    [
        ("SELECT * FROM range(1, 5, 0)", "duckdb", "step cannot be 0"),
        ("SELECT * FROM range(9223372036854775800, 9223372036854775807)", "polars", "near the BIGINT limits"),
        ("SELECT range(3)", "duckdb", "only translated in FROM"),
        ("SELECT * FROM t, range(t.k)", "duckdb", "constant whole numbers"),
        ("SELECT * FROM range(3)", "redshift", "not translated for redshift"),
        ("SELECT make_timestamp(DATE'2024-01-01', TIME'01:00:00', 'CET')", "duckdb", "zone other than"),
        ("SELECT split('a,b', concat(',', ''), 2)", "duckdb", "literal pattern"),
        ("SELECT split('a,b', 'x*', 2)", "duckdb", "literal pattern"),  # matches the empty text
        ("SELECT COUNT(*) FROM VALUES (MAP(1.5D, 1)) AS v(m) GROUP BY m", "duckdb", "floating keys"),
        ("SELECT m, COUNT(*) FROM VALUES (MAP(1, 1)) AS v(m) GROUP BY 1", "duckdb", "any key order"),
        ("SELECT COUNT(*) FROM VALUES (MAP(1, 1)) AS v(m) GROUP BY m", "polars", "any key order"),
        ("SELECT startswith(x'aa', x'a') , hex(lpad(x'aa', 3))", "polars", "binary form"),
        ("SELECT INTERVAL '1 2:03:04' DAY TO SECOND", "duckdb", "reads no such span"),  # a value of its own
    ],
)
def test_spark_forms_refused_where_not_exact(sql, engine, reason):
    from sqlrun.engine.compile import compile_query
    from sqlrun.engine.target import target

    with pytest.raises(CompileError, match=reason) as raised:
        compile_query(query(sql, "spark"), target(engine), schema=T_SCHEMA)
    assert str(raised.value).startswith("q.sql:1:")  # file:line:col of the construct
