"""The differential fuzzer's seeded short run (`make fuzz` runs the long one): random tables and
queries, each run on its source engine itself and through sqlrun; no difference, no run-time error."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.errors import CompileError
from tests.fuzz.__main__ import fuzz, report
from tests.fuzz.runner import BUGS
from tests.fuzz.tables import write_tables


def _check(pairs: dict, queries: int, seed: int) -> None:
    stats, findings, kinds = fuzz(seed, queries, pairs, round_size=50, gaps=False)  # findings.md's open ones out
    for source, targets in pairs.items():
        for target in targets:
            counts = stats.counts[source, target]
            assert counts["same"] > queries // 3, (source, target, dict(counts))  # most queries really ran
            assert sum(counts[s] for s in BUGS) == 0, report(stats, findings, kinds, seed)


def test_duckdb_on_polars():
    _check({"duckdb": ("polars",)}, 300, seed=7)


@pytest.mark.spark
def test_spark_on_duckdb():
    _check({"spark": ("duckdb",)}, 50, seed=7)


# What the fuzzer found Polars failing on (or answering otherwise), now refused at compile time.
REFUSED_ON_POLARS = [
    "SELECT CAST(ts AS VARCHAR) FROM t1",
    "SELECT round(f, -1) FROM t1",
    "SELECT min(s) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t1",
    "SELECT d FROM t1 INTERSECT SELECT 'x' FROM t2",
    "SELECT m - m FROM t1 EXCEPT SELECT m FROM t2",
    "SELECT i FROM t1 INTERSECT SELECT 0.5 FROM t2",
    "SELECT max(m) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t1",
    "SELECT CAST(f AS VARCHAR) FROM t1",  # each engine writes a double its own way
    "SELECT m // i FROM t3",  # DuckDB's // of a DECIMAL divides as DOUBLE, without flooring
    # found by DuckDB's sqllogictests (tests/duckdb_slt)
    "SELECT median(m) FROM t1",  # a DOUBLE on Polars, DuckDB's DECIMAL
    "SELECT ts - ts FROM t1",  # an INTERVAL; Polars gives a duration
    "SELECT s FROM t1 UNION ALL SELECT s FROM t2 LIMIT 3",  # Polars runs the branches in any order
    "SELECT string_agg(s, ',') FROM (SELECT s FROM t1 UNION ALL SELECT s FROM t2) x",
    "SELECT round(f, i) FROM t1",  # POWER(10, i) of a negative i fails at run time
    # Polars loses a NOT over a right-side expression in ON: its bind check refuses it
    "SELECT y.f FROM t2 x LEFT JOIN t1 y ON x.k = y.k AND NOT (y.m < -3.5)",
    "SELECT y.f FROM t2 x RIGHT JOIN t1 y ON x.k = y.k AND y.k IN (1)",
]


@pytest.mark.parametrize("sql", REFUSED_ON_POLARS)
def test_refused_on_polars(tmp_path, sql):
    session = Session(write_tables(random.Random(0), tmp_path))
    query = Query(name="q", path=Path("q.sql"), dialect="duckdb", sql=sql)
    with pytest.raises(CompileError, match="polars"):
        session.compile(query, "polars")
    assert session.compile(query, "duckdb")  # the same query is fine for its own engine


def test_runs_in_pieces_add_up(tmp_path, capsys):
    """Each piece (its own seed) appends its counts; --tally sums them per pair with the seeds run."""
    from tests.fuzz.__main__ import main

    results = tmp_path / "runs.jsonl"
    for seed in (1, 2):
        main(["--pairs", "duckdb:polars", "--queries", "20", "--seed", str(seed), "--results", str(results),
              "--report", str(tmp_path / f"r{seed}.md")])
    capsys.readouterr()
    assert main(["--tally", str(results)]) == 0
    row = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| duckdb -> polars")]
    assert len(row) == 1 and "| 1-2 |" in row[0], row
    ran = int(row[0].split("|")[3].replace(",", ""))
    invalid = sum(json.loads(line)["pairs"]["duckdb:polars"]["counts"].get("invalid", 0)
                  for line in results.read_text().splitlines())
    assert ran + invalid == 40


# What the Spark pieces found running otherwise, refused at compile time: (sql, engine, reason,
# an engine that runs it).
REFUSED_FROM_SPARK = [
    ("SELECT CAST(f AS STRING) FROM t1", "duckdb", "double written as text", None),
    ("SELECT CAST(f AS STRING) FROM t1", "polars", "double written as text", None),
    ("SELECT NULLIF(ts, CAST(d AS TIMESTAMP)) FROM t3", "polars", "UTC datetime on Polars", "duckdb"),
    # a double beside text is text, written Spark's way ('1.0E10', 'NaN')
    *[(sql, engine, "double mixed with text", None) for engine in ("duckdb", "polars") for sql in (
        "SELECT CASE WHEN b THEN f ELSE s END FROM t1", "SELECT COALESCE(f, s) FROM t1",
        "SELECT IF(b, s, f) FROM t1", "SELECT NVL(f, s) FROM t1")],
]


@pytest.mark.parametrize("sql, engine, reason, runs_on", REFUSED_FROM_SPARK)
def test_refused_from_spark(tmp_path, sql, engine, reason, runs_on):
    session = Session(write_tables(random.Random(0), tmp_path))
    query = Query(name="q", path=Path("q.sql"), dialect="spark", sql=sql)
    with pytest.raises(CompileError, match=f"q.sql:1:\\d+: .*{reason}.*spark -> {engine}"):
        session.compile(query, engine)
    if runs_on:
        assert session.compile(query, runs_on)


@pytest.mark.spark
def test_nan_read_from_parquet_on_duckdb(tmp_path):
    """Parquet writers leave NaN out of a float column's min/max; DuckDB pruned row groups and
    folded filters and MAX with them (`f > 6` lost the NaN, MAX(f) was 1.0), and with its
    parquet_can_have_nan setting alone answered MAX NaN for a file without NaN. Spark's SIGN and
    LN of NaN are NaN."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sqlrun.config import Project, Source

    pq.write_table(pa.table({"f": [float("nan"), 0.0, -1.0] + [1.0] * 5}), tmp_path / "n.parquet", row_group_size=3)
    pq.write_table(pa.table({"f": [1.0, 2.0]}), tmp_path / "p.parquet")
    sources = {name: Source(name=name, path=str(tmp_path / f"{name}.parquet"), format="parquet") for name in "np"}
    project = Project(root=tmp_path, dialect="spark", engine="duckdb", queries_dir=tmp_path, sources=sources)
    with Session(project) as session:
        def duckdb_rows(sql):
            return session.run(Query(name="d", path=Path("d.sql"), dialect="duckdb", sql=sql), "duckdb").to_pylist()

        assert duckdb_rows("SELECT count(*) AS c FROM n WHERE f > 6") == [{"c": 1}]
        assert duckdb_rows("SELECT count(*) AS c FROM n WHERE isnan(f) OR f <= 0.5") == [{"c": 3}]
        assert str(duckdb_rows("SELECT max(f) AS m FROM n")) == "[{'m': nan}]"
        assert duckdb_rows("SELECT max(f) AS m FROM p") == [{"m": 2.0}]
        # Spark pruned row groups with the same statistics (its parquet filter pushdown, now off)
        on_spark = Query(name="s", path=Path("s.sql"), dialect="spark", sql="SELECT count(*) AS c FROM n WHERE f > 6")
        assert session.run(on_spark, "spark").to_pylist() == [{"c": 1}]
        query = Query(name="q", path=Path("q.sql"), dialect="spark", sql="SELECT sign(f), ln(f) FROM n LIMIT 3")
        rows = session.run(query, "duckdb").to_pylist()
        # Spark's CEIL is a saturated BIGINT, also under a CAST to DOUBLE (Spark's answer, seed 106)
        ceil = Query(name="c", path=Path("c.sql"), dialect="spark",
                     sql="SELECT CAST(CEIL(CAST('-Infinity' AS DOUBLE)) AS DOUBLE) FROM n WHERE f = 0")
        assert session.run(ceil, "duckdb").column(0).to_pylist() == [-9.223372036854776e18]
    signs, logs = [list(r.values())[0] for r in rows], [list(r.values())[1] for r in rows]
    assert signs[0] != signs[0] and signs[1:] == [0.0, -1.0]  # NaN, then as usual
    assert logs[0] != logs[0] and logs[1:] == [None, None]


# Spark's CAST of text (ANSI off), as Spark 4 answered for each text: (INT, DOUBLE, DECIMAL(10, 2)).
# Integers: blanks and control characters (and DEL) trimmed, a fraction dropped, the digits may be
# missing ('.'). Doubles: blanks up to ' ' trimmed, Java's forms ('1d', '+inf'), no '_' or '+-'.
# Decimals: Java's BigDecimal, rounded half up.
D = Decimal
SPARK_TEXT_CASTS = {
    ".": (0, None, None), "-.": (0, None, None), ".5": (0, 0.5, D("0.50")), "\x0b12": (12, 12.0, D("12.00")),
    "\x7f12": (12, None, None), "12\x00": (12, 12.0, D("12.00")), "1e3": (None, 1000.0, D("1000.00")),
    "1d": (None, 1.0, None), "+-7": (None, None, None), "1_000": (None, None, None),
    "+inf": (None, float("inf"), None), " +7 ": (7, 7.0, D("7.00")), "- 7": (None, None, None),
    "1.e1": (None, 10.0, D("10.00")), "9223372036854775807": (None, 9.223372036854776e18, None),
    "12.345": (12, 12.345, D("12.35")), "99999999.995": (99999999, 99999999.995, None),
}


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_spark_text_casts(tmp_path, engine):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sqlrun.config import Project, Source

    texts = list(SPARK_TEXT_CASTS)
    pq.write_table(pa.table({"i": range(len(texts)), "s": texts}), tmp_path / "x.parquet")
    sources = {"x": Source(name="x", path=str(tmp_path / "x.parquet"), format="parquet")}
    project = Project(root=tmp_path, dialect="spark", engine="duckdb", queries_dir=tmp_path, sources=sources)
    sql = ("SELECT CAST(s AS INT), CAST(s AS DOUBLE), CAST(s AS DECIMAL(10, 2)), CAST(SUBSTRING(s, 2) AS BIGINT)"
           " FROM x ORDER BY i")
    with Session(project) as session:
        table = session.run(Query(name="q", path=Path("q.sql"), dialect="spark", sql=sql), engine)
    got = list(zip(*[table.column(n).to_pylist() for n in range(3)]))
    assert got == list(SPARK_TEXT_CASTS.values())
    assert table.column(3).to_pylist()[2] == 5  # SUBSTRING('.5', 2) is '5' (the fuzzer's '2.5' -> '.5' is 0 above)


# Spark's grammar: `predicated: valueExpression predicate?`, the comparisons inside the
# valueExpression (checked on Spark: `1 = 1 LIKE 't%'` is TRUE, `'a' LIKE 'a' LIKE 'b'` and
# `3 IS NULL = FALSE` fail to parse).
SPARK_READINGS = {
    "b = s LIKE 'a%'": "(b = s) LIKE 'a%'",
    "big > big NOT IN (TRUE)": "NOT (big > big) IN (TRUE)",
    "NOT i = k LIKE 'f%'": "NOT (i = k) LIKE 'f%'",
    "i < k BETWEEN FALSE AND b": "(i < k) BETWEEN FALSE AND b",
    "s LIKE 'a%' <> TRUE": "s LIKE ('a%' <> TRUE)",
    "i = k IS NOT DISTINCT FROM b = b": "(i = k) IS NOT DISTINCT FROM (b = b)",
    "b <> s < t = b": "((b <> s) < t) = b",
}


@pytest.mark.parametrize("text", SPARK_READINGS)
def test_spark_predicates_take_a_comparison(text):
    from sqlrun.engine.parse import parse_query
    from sqlrun.engine.rewrites.coercion import nested_comparisons

    tree = parse_query(Query(name="q", path=Path("q.sql"), dialect="spark", sql=f"SELECT {text}"))
    # the tree as written for another engine: every operand that is a comparison or predicate in ()
    assert nested_comparisons(tree, None).expressions[0].sql("spark") == SPARK_READINGS[text]

