"""Pipelines: DAG from catalog references, materialized steps in .sqlrun/, freshness, atomic writes."""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.digest import digest
from sqlrun.engine import store as store_module
from sqlrun.engine.parity import compare, type_name
from sqlrun.errors import CatalogError, CompileError

CHURN = ["churn_plays", "churn_user_plays", "churn_activity", "churn_training"]
TAXI = ["taxi_clean", "taxi_onehot", "taxi_zscore"]


@pytest.fixture
def project(demo_project, tmp_path) -> Path:
    """A writable copy of the demo project (runs write .sqlrun/ into it)."""
    root = tmp_path / "project"
    shutil.copytree(demo_project, root, ignore=shutil.ignore_patterns(".sqlrun"))
    return root


def statuses(session: Session, query: str, **kwargs) -> dict[str, str]:
    reports = []
    session.run(query, "duckdb", on_step=reports.append, **kwargs)
    return {r.step: r.status for r in reports}


def write(root: Path, name: str, sql: str) -> Path:
    path = root / f"{name}.sql"
    path.write_text(textwrap.dedent(sql).lstrip())
    return path


def test_dag_lists_upstream_steps_first(demo_session):
    assert list(demo_session.plan("churn_training").steps) == CHURN
    assert list(demo_session.plan("taxi_zscore").steps) == TAXI
    step = demo_session.plan("churn_user_plays").steps["churn_user_plays"]
    assert step.inputs == ("churn_plays",)
    assert sorted(step.sources) == ["tracks", "users"]


def test_the_digest_behind_stored_fingerprints_does_not_change():
    """Steps, sources and models are stored under it: another encoding would make them all stale."""
    value = {"b": [1, datetime.date(2024, 1, 2)], "a": "\u00e9"}
    assert digest(value) == "e063536785c5ed097d96b032f9689224ff3579d07396aed465d39f05d5cc168f"


def test_cte_names_are_not_pipeline_references(project):
    # `taxi_clean` here is a CTE of this file, not the catalog step of the same name.
    write(project, "local_cte", "WITH taxi_clean AS (SELECT 1 AS x) SELECT x FROM taxi_clean")
    plan = Session(project).plan("local_cte")
    assert list(plan.steps) == ["local_cte"]


def test_cycle_is_refused_naming_file_and_line(project):
    write(project, "loop_a", "SELECT x\nFROM loop_b")
    write(project, "loop_b", "SELECT x\nFROM loop_a")
    with pytest.raises(CatalogError, match=r"loop_b\.sql:2:\d+: cycle in the pipeline: loop_a -> loop_b -> loop_a"):
        Session(project).plan("loop_a")


def test_self_reference_is_a_cycle_too(project):
    write(project, "self_loop", "SELECT 1 AS x\nUNION ALL\nSELECT x FROM self_loop")
    with pytest.raises(CatalogError, match=r"self_loop\.sql:3:\d+: cycle in the pipeline: self_loop -> self_loop"):
        Session(project).plan("self_loop")


def test_unknown_name_is_refused_naming_file_and_line(project):
    write(project, "reads_typo", "SELECT *\nFROM churn_playz")
    with pytest.raises(CatalogError, match=r"reads_typo\.sql:2:\d+: unknown table 'churn_playz'"):
        Session(project).run("reads_typo", "duckdb")


def test_name_of_both_a_source_and_a_query_is_refused(project):
    write(project, "users", "SELECT 1 AS user_id")
    write(project, "reads_users", "SELECT * FROM users")
    with pytest.raises(CatalogError, match="'users' is both a source and a catalog query"):
        Session(project).plan("reads_users")


def test_second_run_recomputes_nothing(project):
    session = Session(project)
    assert statuses(session, "churn_training") == dict(zip(CHURN, ["ran", "view", "view", "ran"]))
    stored = session.store.current("churn_training")
    first = stored.read()
    again = Session(project)
    assert statuses(again, "churn_training") == dict(zip(CHURN, ["fresh", "view", "view", "fresh"]))
    assert again.store.current("churn_training").path == stored.path
    assert again.run("churn_training", "duckdb").equals(first)


def test_changed_source_file_recomputes_its_readers(project):
    session = Session(project)
    statuses(session, "churn_training")
    source = project / "data" / "users.parquet"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 1_000_000_000))
    # churn_plays does not read users: it stays fresh.
    assert statuses(Session(project), "churn_training") == dict(zip(CHURN, ["fresh", "view", "view", "ran"]))
    day = project / "data" / "play_logs" / "ds=2025-08-07.parquet"
    pq.write_table(pq.read_table(day).slice(0, 100), day)
    assert statuses(Session(project), "churn_training")["churn_plays"] == "ran"


def test_changed_sql_or_parameter_recomputes_only_downstream(project):
    statuses(Session(project), "churn_training")
    path = project / "churn_activity.sql"
    path.write_text(path.read_text() + "\n-- a trailing comment changes the step's text\n")
    assert statuses(Session(project), "churn_training") == dict(zip(CHURN, ["fresh", "view", "view", "ran"]))
    changed = statuses(Session(project), "churn_training", params={"cutoff": "2025-08-05"})
    assert changed == dict(zip(CHURN, ["fresh", "view", "view", "ran"]))


def test_run_parameters_reach_every_step_that_declares_them(project):
    session = Session(project)
    # cutoff is declared by the view churn_activity (inlined) and by churn_training.
    table = session.run("churn_training", "duckdb", {"cutoff": "2025-08-04"})
    assert max(table.column("active_days_before").to_pylist()) == 3
    with pytest.raises(CatalogError, match="unknown parameter"):
        session.run("churn_training", "duckdb", {"cuttoff": "2025-08-04"})


def test_refresh_recomputes_every_materialized_step(project):
    statuses(Session(project), "churn_training")
    assert statuses(Session(project), "churn_training", refresh=True) == dict(
        zip(CHURN, ["ran", "view", "view", "ran"])
    )
    assert Session(project).plan("churn_training", refresh=True).status("churn_plays") == "run"


def test_partition_by_writes_hive_directories(project):
    session = Session(project)
    statuses(session, "churn_plays")
    stored = session.store.current("churn_plays")
    days = sorted(p.name for p in stored.path.iterdir() if not p.name.startswith("."))  # .lock: readers' lock
    assert days == [f"ds=2025-08-0{d}" for d in range(1, 8)]
    part = pq.read_table(stored.path / "ds=2025-08-03" / "part-0.parquet")
    assert {d.isoformat() for d in part.column("ds").to_pylist()} == {"2025-08-03"}
    assert sum(pq.read_metadata(f).num_rows for f in stored.source().files()) == stored.rows


@pytest.mark.spark  # every engine reads it back, spark too
def test_step_stored_by_one_engine_is_read_back_by_every_engine(project, engine_name):
    """The store is engine-independent: churn_plays written by one engine feeds a view on each."""
    with Session(project) as session:
        reference = session.run("churn_activity", "duckdb", refresh=True)
        session.run("churn_plays", engine_name, refresh=True)
        assert session.store.current("churn_plays").engine == engine_name
        for reader in ("duckdb", "polars", "spark"):
            table = session.run("churn_activity", reader)
            result = compare(reference, table, ordered=False)
            assert result.equal, f"written by {engine_name}, read by {reader}: {result.reason}"
            assert table.num_rows == reference.num_rows > 0


def test_view_ctes_are_hoisted_and_renamed(project, engine_name):
    write(project, "v_counts", """
        WITH counts AS (SELECT payment_type, COUNT(*) AS n FROM taxi_trips GROUP BY payment_type)
        SELECT counts.payment_type, counts.n FROM counts
    """)
    write(project, "v_top", """
        WITH counts AS (SELECT MAX(n) AS n FROM v_counts)
        SELECT v.payment_type FROM v_counts AS v JOIN counts ON v.n = counts.n
    """)
    with Session(project) as session:
        sql = session.compile("v_top", "duckdb")
        assert "v_counts__counts" in sql
        top = session.run("v_top", engine_name).column("payment_type").to_pylist()
        counts = session.run("v_counts", "duckdb").to_pylist()
    assert top == [max(counts, key=lambda r: r["n"])["payment_type"]]


def test_cte_named_like_an_inlined_step_is_refused(project):
    write(project, "v_base", "SELECT trip_id FROM taxi_trips")
    write(project, "v_mid", "SELECT trip_id FROM v_base")
    write(project, "v_clash", "WITH v_base AS (SELECT 1 AS trip_id) SELECT trip_id FROM v_mid")
    with pytest.raises(CompileError, match="CTE 'v_base' has the name of a pipeline step"):
        Session(project).compile("v_clash", "duckdb")


def test_failed_write_leaves_previous_result(project, monkeypatch):
    session = Session(project)
    statuses(session, "taxi_clean")
    before = session.store.current("taxi_clean")
    expected = before.read()

    def broken(table, directory, partition_by, step):
        directory.mkdir(parents=True)
        (directory / "part-0.parquet").write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(store_module, "write_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        session.run("taxi_clean", "duckdb", refresh=True)
    after = session.store.current("taxi_clean")
    assert after == before
    assert after.read().equals(expected)
    assert [p.name for p in after.path.parent.iterdir() if p.name.startswith(".tmp")] == []


KILLED_RUN = """
import sys, time
import sqlrun.engine.store as store
real = store.write_parquet
def slow(table, directory, partition_by, step):
    real(table, directory, partition_by, step)
    print("writing", flush=True)
    time.sleep(120)
store.write_parquet = slow
from sqlrun.api import Session
Session(sys.argv[1]).run("taxi_clean", "duckdb", refresh=True)
"""


def test_run_killed_mid_write_leaves_previous_result(project):
    session = Session(project)
    statuses(session, "taxi_clean")
    before = session.store.current("taxi_clean")
    expected = before.read()
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(project)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    step_dir = before.path.parent
    assert any(p.name.startswith(".tmp-") for p in step_dir.iterdir())  # the dead writer's leftovers
    current = Session(project).store.current("taxi_clean")
    assert current == before and current.read().equals(expected)
    assert statuses(Session(project), "taxi_zscore")["taxi_clean"] == "fresh"
    # The next write cleans up after the dead writer.
    statuses(Session(project), "taxi_clean", refresh=True)
    assert not any(p.name.startswith(".tmp-") for p in step_dir.iterdir())


def test_bad_materialize_header_is_refused(project):
    write(project, "bad_mode", "-- materialize: csv\nSELECT 1 AS x")
    with pytest.raises(CatalogError, match="materialize must be one of view, parquet"):
        Session(project).plan("bad_mode")


def test_cli_plan_and_run_show_progress_per_step(project, tmp_path):
    def sqlrun(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "sqlrun", *args, "--project", str(project)], capture_output=True, text=True
        )

    planned = sqlrun("plan", "taxi_zscore")
    assert planned.returncode == 0, planned.stderr
    assert "taxi_clean" in planned.stdout and "will run" in planned.stdout and "inlined" in planned.stdout
    output = tmp_path / "features.parquet"
    first = sqlrun("run", "taxi_zscore", "--output", str(output))
    assert first.returncode == 0, first.stderr
    assert "taxi_clean: " in first.stderr and " rows in " in first.stderr
    rows = pq.read_table(output).num_rows
    second = sqlrun("run", "taxi_zscore", "--format", "csv")
    assert "taxi_clean: fresh" in second.stderr
    assert second.stdout.count("\n") == rows + 1
    assert "fresh" in sqlrun("plan", "taxi_zscore").stdout
    refreshed = sqlrun("run", "taxi_zscore", "--refresh", "--format", "csv")
    assert "taxi_clean: fresh" not in refreshed.stderr and "taxi_clean: " in refreshed.stderr


@pytest.mark.spark  # every engine stores it and every engine reads it back
def test_stored_step_has_the_source_types_whichever_engine_wrote_it(project, engine_name):
    """Spark's SUM of integers is BIGINT (DuckDB's own is HUGEINT, a DECIMAL(38,0) in the store):
    stored by any engine it stays BIGINT, so a downstream ratio is Spark's exact DOUBLE on every
    engine, not a DECIMAL(38,6) rounded to 6 digits."""
    write(project, "tx_counts", """
        -- materialize: parquet
        SELECT payment_type, SUM(CASE WHEN passenger_count = 1 THEN 1 ELSE 0 END) AS app_tx, COUNT(*) AS n_tx
        FROM taxi_trips GROUP BY payment_type
    """)
    write(project, "tx_share", "SELECT payment_type, app_tx / n_tx AS share FROM tx_counts")
    with Session(project) as session:
        counts = session.run("tx_counts", engine_name, refresh=True)
        assert session.store.current("tx_counts").engine == engine_name
        stored = session.store.current("tx_counts").read()
        for table in (counts, stored):
            assert [type_name(t) for t in table.schema.types] == ["string", "int64", "int64"], table.schema
        exact = {r["payment_type"]: r["app_tx"] / r["n_tx"] for r in counts.to_pylist()}
        assert any(len(repr(v)) > 10 for v in exact.values())  # more digits than a DECIMAL(38,6) keeps
        for reader in ("duckdb", "polars", "spark"):
            share = session.run("tx_share", reader)
            assert share.schema.field("share").type == pa.float64(), reader
            assert {r["payment_type"]: r["share"] for r in share.to_pylist()} == exact, reader


@pytest.mark.spark
def test_stored_redshift_step_has_redshift_types_whichever_engine_wrote_it(project, engine_name):
    """Redshift's SUM of integers is BIGINT (r_SUM), stored as such by every engine; so a downstream
    `app_tx / n_tx` is Redshift's integer division (BIGINT / BIGINT truncates) on every engine, not
    a DECIMAL division of DuckDB's HUGEINT."""
    write(project, "rs_counts", """
        -- dialect: redshift
        -- materialize: parquet
        SELECT payment_type, SUM(CASE WHEN passenger_count = 1 THEN 1 ELSE 0 END) AS app_tx, COUNT(*) AS n_tx
        FROM taxi_trips GROUP BY payment_type
    """)
    write(project, "rs_share", "-- dialect: redshift\nSELECT payment_type, app_tx / n_tx AS whole FROM rs_counts")
    with Session(project) as session:
        counts = session.run("rs_counts", engine_name, refresh=True)
        stored = session.store.current("rs_counts").read()
        for table in (counts, stored):
            assert [type_name(t) for t in table.schema.types] == ["string", "int64", "int64"], table.schema
        whole = {r["payment_type"]: int(r["app_tx"] / r["n_tx"]) for r in counts.to_pylist()}
        for reader in ("duckdb", "polars", "spark"):
            share = session.run("rs_share", reader)
            assert share.schema.field("whole").type == pa.int64(), reader
            assert {r["payment_type"]: r["whole"] for r in share.to_pylist()} == whole, reader
