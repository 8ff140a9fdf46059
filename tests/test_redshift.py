"""The Redshift engine over the wire: the real redshift-connector against a real PostgreSQL
server started by the suite (through tests/redshift/wire_shim.py, which only smooths the
Redshift-only startup handshake). Results are compared with DuckDB by sqlrun's parity rules.
"""

# ruff: noqa: F811  (the pytest fixtures imported from tests/redshift/fixtures.py)
from __future__ import annotations

import dataclasses
import os
import signal
import threading
import time

import pyarrow as pa
import pytest

from sqlrun.adapters.redshift import RedshiftEngine
from sqlrun.api import Session
from sqlrun.config import load_project
from sqlrun.engine.catalog import Query
from sqlrun.engine.compile import compile_query
from sqlrun.engine.parity import compare, is_ordered
from sqlrun.engine.target import target
from sqlrun.errors import CatalogError, EngineError
from tests.redshift.fixtures import (  # noqa: F401  (pytest fixtures)
    MAPPED,
    connect,
    needs_postgres,
    password_env,
    pg_password,
    pg_server,
    redshift_demo,
    redshift_tpch,
    shim,
    wire_settings,
)

pytestmark = needs_postgres

CATALOG = ("charts_by_age", "pr_curve", "taxi_features")
TPCH = tuple(f"q{i:02d}" for i in range(1, 23))
# Redshift SQL that PostgreSQL cannot run: checked by exact SQL and the DuckDB round trip.
NOT_POSTGRES = {
    "pr_curve": "TRY_CAST is Redshift-only",
    "taxi_features": "TRY_CAST and HOUR() are Redshift-only",
}


@pytest.fixture(scope="module")
def demo(redshift_demo):
    with Session(redshift_demo) as session:
        yield session


@pytest.fixture(scope="module")
def tpch(redshift_tpch):
    with Session(redshift_tpch) as session:
        yield session


def case(name: str):
    reason = NOT_POSTGRES.get(name)
    # PostgreSQL stands in for Redshift here and refuses these functions at run time.
    marks = [pytest.mark.notyet, pytest.mark.xfail(strict=True, raises=EngineError, reason=reason)] if reason else []
    return pytest.param(name, marks=marks)


def assert_same(session: Session, name: str) -> pa.Table:
    query = session.query(name)
    expected = session.run(query, "duckdb")
    actual = session.run(query, "redshift")
    result = compare(expected, actual, is_ordered(query.ast()))
    assert result.equal, f"{name}: {result.reason} {result.left_rows} {result.right_rows}"
    assert actual.num_rows > 0
    return actual


@pytest.mark.parametrize("name", [case(n) for n in CATALOG])
def test_catalog_query_matches_duckdb(demo, name):
    assert_same(demo, name)


@pytest.mark.parametrize("name", [case(n) for n in TPCH])
def test_tpch_query_matches_duckdb(tpch, name):
    assert_same(tpch, name)


@pytest.mark.parametrize("name", CATALOG + TPCH)
def test_redshift_sql_round_trips_through_duckdb(demo, tpch, name):
    """The compiled Redshift SQL, read back as Redshift and run on DuckDB, gives the same rows."""
    session = demo if name in CATALOG else tpch
    query = session.query(name)
    redshift_sql = compile_query(query, target("redshift"))  # before table mapping: catalog names
    back = Query(name=f"{name}_rs", path=query.path, dialect="redshift", sql=redshift_sql)
    expected, actual = session.run(query, "duckdb"), session.run(back, "duckdb")
    result = compare(expected, actual, is_ordered(query.ast()))
    assert result.equal, f"{name}: {result.reason}"


def test_sql_on_the_wire_is_the_compiled_sql_with_mapped_tables(demo, shim):
    engine = demo.engine("redshift")
    demo.run("charts_by_age", "redshift")  # connected and registered: this run sends the query alone
    sql = demo.compile("charts_by_age", "redshift")
    expected = engine.statements(sql)
    before = len(shim.sent_sql)
    demo.run("charts_by_age", "redshift")
    sent = shim.sent_sql[before:]
    assert sent == expected  # 10-row result: one FETCH is enough
    assert "FROM analytics.play_logs AS p" in sql
    assert "JOIN analytics.track_catalog AS t" in sql
    assert "JOIN users AS u" in sql  # unmapped: same name


@pytest.mark.parametrize("name", sorted(NOT_POSTGRES))
def test_redshift_only_sql_is_sent_exactly_as_compiled(demo, shim, name):
    """PostgreSQL rejects these, so check the exact statements that reached the server."""
    engine = demo.engine("redshift")
    expected = engine.statements(demo.compile(name, "redshift"))[:2]  # BEGIN, DECLARE ... FOR <sql>
    before = len(shim.sent_sql)
    with pytest.raises(EngineError, match=r"\.sql: redshift: (syntax error|function .* does not exist)"):
        demo.run(name, "redshift")
    assert shim.sent_sql[before:][-3:] == [*expected, "ROLLBACK"]


def test_unaliased_mapped_table_keeps_its_catalog_name(demo):
    tree = Query("q", demo.project.root / "q.sql", "spark", "SELECT tracks.title FROM tracks").ast()
    mapped = RedshiftEngine.map_tables(tree, demo.project.sources)
    assert mapped.sql("redshift") == "SELECT tracks.title FROM analytics.track_catalog AS tracks"


def test_source_without_redshift_table_fails_before_sending(redshift_demo, shim, tmp_path):
    text = (redshift_demo / "sqlrun.toml").read_text()
    (tmp_path / "sqlrun.toml").write_text(
        text.replace("[sources.users]\n", "[sources.users]\nredshift = false\n")
    )
    for path in redshift_demo.glob("*.sql"):
        (tmp_path / path.name).write_text(path.read_text())
    (tmp_path / "data").symlink_to(redshift_demo / "data")
    before = len(shim.sent_sql)
    with Session(tmp_path) as session:
        with pytest.raises(CatalogError, match="source 'users' has no Redshift table"):
            session.compile("charts_by_age", "redshift")
        with pytest.raises(CatalogError, match="source 'users' has no Redshift table"):
            session.run("charts_by_age", "redshift")
        assert session.run("charts_by_age", "duckdb").num_rows > 0
    assert shim.sent_sql[before:] == []


def test_path_less_source_is_a_redshift_table_only(tmp_path, wire_settings):
    (tmp_path / "sqlrun.toml").write_text(
        '[sources.events]\nredshift = "analytics.play_logs"\n'
    )
    (tmp_path / "count.sql").write_text("SELECT COUNT(*) AS n FROM events")
    with Session(dataclasses.replace(load_project(tmp_path), engines={"redshift": wire_settings})) as session:
        assert session.run("count", "redshift").column("n").to_pylist() == [3000]
        with pytest.raises(Exception, match="has no path: it is only a Redshift table"):
            session.run("count", "duckdb")


def test_result_types_come_from_the_column_metadata(wire_settings):
    sql = """SELECT 1::SMALLINT AS i2, 2::INTEGER AS i4, 3::BIGINT AS i8, 1.5::REAL AS f4,
        2.25::DOUBLE PRECISION AS f8, 12.34::NUMERIC(10, 2) AS dec, SUM(1.5::NUMERIC(10, 1)) AS dsum,
        TRUE AS b, DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 23:59:58.123456' AS ts,
        TIMESTAMPTZ '2024-02-29 23:59:58+00' AS tstz, 'x'::VARCHAR(5) AS v, 'ab'::CHAR(3) AS c,
        NULL::INTEGER AS n, NULL::NUMERIC(5, 1) AS ndec"""
    with RedshiftEngine(wire_settings) as engine:
        table = engine.to_arrow(sql)
    assert table.schema.types == [
        pa.int16(), pa.int32(), pa.int64(), pa.float32(), pa.float64(), pa.decimal128(10, 2),
        table.schema.field("dsum").type, pa.bool_(), pa.date32(), pa.timestamp("us"),
        pa.timestamp("us", tz="UTC"), pa.string(), pa.string(), pa.int32(), pa.decimal128(5, 1),
    ]
    assert pa.types.is_decimal(table.schema.field("dsum").type)
    row = table.to_pylist()[0]
    assert str(row["dec"]) == "12.34" and str(row["dsum"]) == "1.5"
    assert row["ts"].isoformat() == "2024-02-29T23:59:58.123456"
    assert row["tstz"].isoformat() == "2024-02-29T23:59:58+00:00"
    assert (row["c"], row["n"], row["ndec"]) == ("ab ", None, None)


def test_results_are_fetched_in_batches_of_fetch_rows(wire_settings, shim):
    with RedshiftEngine({**wire_settings, "fetch_rows": 7}) as engine:
        sql = "SELECT g FROM generate_series(1, 20) AS g ORDER BY g"
        before = len(shim.sent_sql)
        batches = list(engine.batches(sql))
        sent = shim.sent_sql[before:]
    assert [b.num_rows for b in batches] == [7, 7, 6]
    assert pa.Table.from_batches(batches).column("g").to_pylist() == list(range(1, 21))
    fetch = "FETCH FORWARD 7 FROM sqlrun_cursor_1"
    assert sent == ["SELECT pg_backend_pid()",  # once per connection, for cancelling
                    "BEGIN", f"DECLARE sqlrun_cursor_1 CURSOR FOR {sql}", fetch, fetch, fetch,
                    "CLOSE sqlrun_cursor_1", "COMMIT"]


def test_statement_timeout_cancels_on_the_server(wire_settings):
    with RedshiftEngine({**wire_settings, "statement_timeout": 0.5}) as engine:
        started = time.monotonic()
        with pytest.raises(EngineError, match=r"statement_timeout \(0.5 s\)"):
            engine.to_arrow("SELECT pg_sleep(10)")
        assert time.monotonic() - started < 5
        assert engine.to_arrow("SELECT 1 AS one").column("one").to_pylist() == [1]


def active_sqlrun_statements(settings: dict) -> int:
    """Statements running for sqlrun connections (application_name "sqlrun") on the server."""
    con = connect(settings)  # application_name "sqlrun-tests": not counted
    cursor = con.cursor()
    cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND application_name = 'sqlrun'")
    count = cursor.fetchone()[0]
    con.close()
    return count


def test_ctrl_c_cancels_the_running_statement_on_the_server(wire_settings):
    engine = RedshiftEngine(wire_settings)
    main = threading.main_thread().ident
    running_before = []

    def press_ctrl_c() -> None:
        running_before.append(active_sqlrun_statements(wire_settings))
        signal.pthread_kill(main, signal.SIGINT)

    timer = threading.Timer(1.0, press_ctrl_c)
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        engine.to_arrow("SELECT pg_sleep(30) AS slept")
    assert time.monotonic() - started < 10
    assert running_before == [1]
    deadline = time.monotonic() + 5
    while active_sqlrun_statements(wire_settings) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert active_sqlrun_statements(wire_settings) == 0, "the statement kept running on the server"
    # The engine reconnects on the next statement.
    assert engine.to_arrow("SELECT 2 AS two").column("two").to_pylist() == [2]
    engine.close()


def test_errors_are_engine_errors_with_the_server_message(wire_settings):
    with RedshiftEngine(wire_settings) as engine:
        with pytest.raises(EngineError, match='relation "nope" does not exist'):
            engine.to_arrow("SELECT * FROM nope")
        assert engine.to_arrow("SELECT 3 AS three").num_rows == 1


def test_wrong_password_is_a_clear_error(wire_settings, monkeypatch):
    monkeypatch.setenv("WRONG_PW", "not-the-password")
    with pytest.raises(EngineError, match="cannot connect to 127.0.0.1.*password authentication failed"):
        RedshiftEngine({**wire_settings, "password_env": "WRONG_PW"}).to_arrow("SELECT 1")


@pytest.mark.redshift_cluster
@pytest.mark.skipif(not os.environ.get("SQLRUN_REDSHIFT_HOST"), reason="no Redshift cluster configured")
def test_real_cluster_runs_a_query():
    settings = {
        "host": os.environ["SQLRUN_REDSHIFT_HOST"],
        "port": int(os.environ.get("SQLRUN_REDSHIFT_PORT", "5439")),
        "database": os.environ.get("SQLRUN_REDSHIFT_DATABASE", "dev"),
        "user": os.environ["SQLRUN_REDSHIFT_USER"],
        "password_env": "SQLRUN_REDSHIFT_PASSWORD",
    }
    with RedshiftEngine(settings) as engine:
        table = engine.to_arrow("SELECT 1::INT AS one, 1.5::NUMERIC(5, 2) AS d, CURRENT_DATE AS today")
    assert table.schema.types[:2] == [pa.int32(), pa.decimal128(5, 2)]
