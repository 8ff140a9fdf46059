"""Incremental steps (`-- incremental: ds`) and backfills, on the example catalog's daily steps."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.daily import find_backfill, stored_days
from sqlrun.engine.parity import compare
from sqlrun.errors import CatalogError, SqlrunError
from tests.test_cli import assert_one_line_error, sqlrun

DAYS = [f"2025-08-0{d}" for d in range(1, 8)]
WEEK = "ds=2025-08-01..2025-08-07"


@pytest.fixture
def project(demo_project, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(demo_project, root, ignore=shutil.ignore_patterns(".sqlrun"))
    return root


DAILY_COUNTS = """
    -- materialize: parquet
    -- incremental: ds
    -- param ds: date
    SELECT :ds AS ds, COUNT(*) AS plays FROM play_logs WHERE ds = :ds
"""


def write(root: Path, name: str, sql: str) -> None:
    (root / f"{name}.sql").write_text(textwrap.dedent(sql).lstrip())


def days_of(session: Session, step: str) -> dict[str, str]:
    return {d.value: d.status for d in stored_days(session, step, {}) if d.step == step}


def backfill_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("[")]


def test_a_week_backfills_day_by_day_and_downstream_reads_every_stored_day(project):
    result = sqlrun("run", "pr_auc_by_day", "--param", WEEK, "-p", str(project), "-f", "csv")
    assert result.returncode == 0, result.stderr
    lines = backfill_lines(result)
    assert [line.split()[1] for line in lines] == [f"ds={d}" for d in DAYS]
    assert all("pr_curve_daily: 2" in line or "pr_curve_daily: 19" in line for line in lines), lines
    assert "backfilled 7 values of ds: 7 computed, 0 fresh" in result.stderr
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows[0] == ["ds", "auc", "thresholds"] and [r[0] for r in rows[1:]] == DAYS
    with Session(project) as session:
        assert days_of(session, "pr_curve_daily") == dict.fromkeys(DAYS, "fresh")
        # Each day's curve is the one a run of that day alone gives (its own day's predictions only).
        for day in ("2025-08-02", "2025-08-06"):
            alone = session.run("pr_curve_daily", "polars", {"ds": day}, refresh=True)
            assert {str(v) for v in alone.column("ds").to_pylist()} == {day}
        assert session.run("pr_auc_by_day", "duckdb").num_rows == 7
    charts = sqlrun("run", "charts_by_age_daily", "--param", WEEK, "--param", "top_n=3", "-p", str(project))
    assert charts.returncode == 0 and len(backfill_lines(charts)) == 7, charts.stderr
    with Session(project) as session:
        stored = session.store.all_days("charts_by_age_daily")
        assert list(stored) == DAYS and all(s.rows == 15 for s in stored.values())  # 5 age groups x top 3
    again = sqlrun("run", "pr_curve_daily", "--param", WEEK, "-p", str(project))
    assert again.returncode == 0, again.stderr
    assert all(line.endswith("fresh (stored)") for line in backfill_lines(again)), again.stderr
    assert "7 values of ds: 0 computed, 7 fresh" in again.stderr


def test_a_run_computes_its_day_only_and_recomputes_it_when_inputs_change(project):
    with Session(project) as session:
        reports = []
        session.run("charts_by_age_daily", "duckdb", {"ds": "2025-08-03"}, on_step=reports.append)
        assert [(r.step, r.status) for r in reports] == [("charts_by_age", "view"), ("charts_by_age_daily", "ran")]
        session.run("charts_by_age_daily", "duckdb", {"ds": "20250804"})  # one spelling per day
        assert days_of(session, "charts_by_age_daily") == {"2025-08-03": "fresh", "2025-08-04": "fresh"}
        reports.clear()
        again = session.run("charts_by_age_daily", "duckdb", {"ds": "2025-08-03"}, on_step=reports.append)
        assert [r.status for r in reports] == ["view", "fresh"]
        assert {str(v) for v in again.column("ds").to_pylist()} == {"2025-08-03"}
        # An input changes: every stored day is stale; a run recomputes its own day only.
        users = project / "data" / "users.parquet"
        os.utime(users, ns=(time.time_ns(), time.time_ns() + 10**9))
        assert days_of(session, "charts_by_age_daily") == {"2025-08-03": "stale", "2025-08-04": "stale"}
        reports.clear()
        session.run("charts_by_age_daily", "duckdb", {"ds": "2025-08-03"}, on_step=reports.append)
        assert [r.status for r in reports] == ["view", "ran"]
        assert days_of(session, "charts_by_age_daily") == {"2025-08-03": "fresh", "2025-08-04": "stale"}
    plan = sqlrun("plan", "charts_by_age_daily", "--param", "ds=2025-08-02..2025-08-04", "-p", str(project))
    assert plan.returncode == 0, plan.stderr
    assert "1 fresh, 1 stale, 1 missing" in plan.stdout, plan.stdout
    for day, status in [("2025-08-02", "missing"), ("2025-08-03", "fresh"), ("2025-08-04", "stale")]:
        assert any(day in line and status in line for line in plan.stdout.splitlines()), plan.stdout


def test_a_new_days_file_leaves_the_stored_days_fresh(project):
    """charts_by_age reads play_logs only through `p.ds = :ds`, and the files are named ds=<day>:
    a day's fingerprint covers its own file (engine/pruning.py), so new or changed files of other
    days leave it fresh; a file that names no day makes every day stale."""
    logs = project / "data" / "play_logs"
    with Session(project) as session:
        for day in DAYS[:3]:
            session.run("charts_by_age_daily", "duckdb", {"ds": day})
        later = time.time_ns() + 10**9
        os.utime(logs / "ds=2025-08-05.parquet", ns=(later, later))
        shutil.copy(logs / "ds=2025-08-07.parquet", logs / "ds=2025-08-08.parquet")
        assert days_of(session, "charts_by_age_daily") == dict.fromkeys(DAYS[:3], "fresh")
        os.utime(logs / "ds=2025-08-02.parquet", ns=(later, later))
        assert days_of(session, "charts_by_age_daily") == {DAYS[0]: "fresh", DAYS[1]: "stale", DAYS[2]: "fresh"}
        shutil.copy(logs / "ds=2025-08-07.parquet", logs / "late-arrivals.parquet")
        assert set(days_of(session, "charts_by_age_daily").values()) == {"stale"}


HIVE = ["d/ds=2025-08-02/part-0.parquet", "d/ds=2025-08-03/part-0.parquet", "d/ds=2025-08-03/part-1.parquet"]


@pytest.mark.parametrize("sql, files, kept", [
    ("SELECT * FROM logs WHERE ds = :ds", HIVE, HIVE[1:]),
    ("SELECT * FROM logs AS l JOIN u ON l.k = u.k WHERE l.x > 0 AND (l.ds = :ds)", HIVE, HIVE[1:]),
    ("SELECT * FROM logs WHERE :ds = ds", ["ds=2025-08-03.orc", "ds=2025-08-04.orc"], ["ds=2025-08-03.orc"]),
    ("SELECT * FROM logs WHERE ds = :ds", ["d/ds=2025-08-03/a.parquet", "d/other.parquet"], None),  # no day named
    ("SELECT * FROM logs WHERE ds = :ds OR x > 0", HIVE, None),
    ("SELECT * FROM logs WHERE ds BETWEEN :ds - 6 AND :ds", HIVE, None),  # a window reads other days
    ("SELECT * FROM logs AS l JOIN u ON l.k = u.k WHERE ds = :ds", HIVE, None),  # whose ds?
    ("SELECT * FROM logs WHERE ds = :ds UNION ALL SELECT * FROM logs", HIVE, None),  # one read unfiltered
    ("SELECT * FROM (SELECT * FROM logs) AS t WHERE t.ds = :ds", HIVE, None),
    ("SELECT * FROM logs WHERE ds = :ds", ["ds=__HIVE_DEFAULT_PARTITION__/a.parquet"] + HIVE, None),
    ("SELECT * FROM logs WHERE hour = :hour", ["h/hour=03/a.parquet", "h/hour=3/b.parquet", "h/hour=4/c.parquet"],
     ["h/hour=03/a.parquet", "h/hour=3/b.parquet"]),
])
def test_a_days_fingerprint_covers_only_the_files_it_can_read(sql, files, kept):
    from sqlrun.engine.catalog import Param
    from sqlrun.engine.pruning import day_files
    from tests.semantics import query

    q = query(sql, "spark")
    q = type(q)(q.name, q.path, q.dialect, q.sql, params=[Param("ds", "date"), Param("hour", "int")])
    assert day_files(q, {"ds": "2025-08-03", "hour": "3"}, "logs", files) == (files if kept is None else kept)


@pytest.mark.spark
def test_the_same_answer_whichever_engine_computed_which_day(project):
    with Session(project) as session:
        for day, engine in zip(DAYS, ["duckdb", "polars", "spark", "duckdb", "polars", "polars", "duckdb"]):
            session.run("pr_curve_daily", engine, {"ds": day})
        for day, engine in zip(DAYS, ["spark", "polars", "duckdb"]):
            session.run("charts_by_age_daily", engine, {"ds": day, "top_n": "3"})
        mixed = {e: session.run("pr_auc_by_day", e) for e in ("duckdb", "polars", "spark")}
        charts = session.run("charts_by_age", "duckdb", {"ds": "2025-08-01", "top_n": "3"})
        stored = session.store.all_days("charts_by_age_daily")["2025-08-01"].read()
        assert compare(charts, stored.drop_columns(["ds"]), ordered=False).equal
        days = session.store.all_days("pr_curve_daily").values()
        schemas = {str(pq.read_schema(s.source().files()[0])) for s in days}
        assert len(schemas) == 1, schemas  # stored in one set of types, whichever engine wrote the day
    with Session(project) as session:  # now one engine computes every day
        for day in DAYS:
            session.run("pr_curve_daily", "duckdb", {"ds": day}, refresh=True)
        single = session.run("pr_auc_by_day", "duckdb")
    for engine, table in mixed.items():
        assert table.num_rows == 7
        assert compare(single, table, ordered=True).equal, engine


def interrupt_at(project: Path, marker: str) -> list[str]:
    """Run the week's backfill of `hangs` and Ctrl-C it (SIGINT to its process group, as a
    terminal does) once a stderr line starts with `marker`; its stderr lines."""
    command = [sys.executable, "-m", "sqlrun", "run", "hangs", "--param", WEEK, "-p", str(project)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen = []
    for line in process.stderr:
        seen.append(line.rstrip("\n"))
        if line.startswith(marker):
            time.sleep(0.5)  # into the next day's query
            os.killpg(process.pid, signal.SIGINT)
            break
    seen += process.stderr.read().splitlines()
    assert process.wait(timeout=120) == 130, seen
    assert seen[-1] == "interrupted", seen
    return seen


def test_a_backfill_stopped_by_ctrl_c_resumes_where_it_stopped(project):
    # Days 1-3 are quick; from day 4 on, a cross product of the play logs with themselves runs for hours.
    write(project, "hangs", """
        -- materialize: parquet
        -- incremental: ds
        -- param ds: date
        SELECT :ds AS ds, COUNT(*) AS n
        FROM play_logs AS a CROSS JOIN play_logs AS b CROSS JOIN play_logs AS c
        WHERE a.ds = :ds AND (:ds >= DATE '2025-08-04' OR (b.ms_played < 0 AND c.ms_played < 0))
    """)
    first = interrupt_at(project, "[3/7]")
    assert [line.split()[-1] for line in first if line.startswith("[")] == ["s"] * 3  # "... in 0.05 s"
    with Session(project) as session:
        assert days_of(session, "hangs") == dict.fromkeys(DAYS[:3], "fresh")
    again = interrupt_at(project, "[3/7]")  # the done days are not redone: it goes on at day 4
    assert [line for line in again if line.startswith("[")] == [
        f"[{i}/7] ds={day} hangs: fresh (stored)" for i, day in enumerate(DAYS[:3], 1)
    ]


def test_a_failing_day_stops_the_backfill_with_one_line_and_a_rerun_resumes(project):
    write(project, "daily_counts", DAILY_COUNTS)
    # Day 4 cannot be stored (a file is in the way of its directory), as on a full or read-only disk.
    blocker = project / ".sqlrun" / "increments" / "daily_counts" / "2025-08-04"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("in the way")
    result = sqlrun("run", "daily_counts", "--param", WEEK, "-p", str(project))
    line = assert_one_line_error_after_progress(result)
    assert "backfill stopped at ds=2025-08-04 (3 of 7 values done; run the same command again to resume)" in line
    assert len(backfill_lines(result)) == 3
    blocker.unlink()
    resumed = sqlrun("run", "daily_counts", "--param", WEEK, "-p", str(project))
    assert resumed.returncode == 0, resumed.stderr
    assert ["fresh" if line.endswith("(stored)") else "ran" for line in backfill_lines(resumed)] == (
        ["fresh"] * 3 + ["ran"] * 4
    )
    with Session(project) as session:
        assert days_of(session, "daily_counts") == dict.fromkeys(DAYS, "fresh")
        assert session.run("daily_counts", "duckdb", {"ds": "2025-08-04"}).column("plays").to_pylist()[0] > 0
    missing = sqlrun("run", "daily_counts", "-p", str(project))
    assert_one_line_error(missing, "daily_counts is stored by ds: give --param ds=VALUE")


def test_a_damaged_stored_day_is_named_and_a_run_of_that_day_recomputes_it(project):
    write(project, "daily_counts", DAILY_COUNTS)
    write(project, "all_counts", "SELECT COUNT(*) AS days, SUM(plays) AS plays FROM daily_counts")
    assert sqlrun("run", "daily_counts", "--param", "ds=2025-08-01..2025-08-03", "-p", str(project)).returncode == 0
    pointer = project / ".sqlrun" / "increments" / "daily_counts" / "2025-08-02" / "current.json"
    pointer.write_text("{not json")
    # Day 3's run reads day 2 downstream: it is not left out of the union, it is named.
    damaged = sqlrun("run", "all_counts", "--param", "ds=2025-08-03", "-p", str(project))
    assert_one_line_error(damaged, "daily_counts': its stored value 2025-08-02 is damaged")
    again = sqlrun("run", "daily_counts", "--param", "ds=2025-08-02", "-p", str(project))
    assert again.returncode == 0 and "recomputing it" in again.stderr, again.stderr
    with Session(project) as session:
        assert days_of(session, "daily_counts") == dict.fromkeys(DAYS[:3], "fresh")
        assert session.run("all_counts", "duckdb", {"ds": "2025-08-03"}).column("days").to_pylist() == [3]


def assert_one_line_error_after_progress(result) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith(("[", "warning: "))]
    assert len(errors) == 1 and errors[0].startswith("error: "), result.stderr
    return errors[0]


@pytest.mark.parametrize("header, message", [
    ("-- incremental: ds\n-- param ds: date", "incremental needs '-- materialize: parquet'"),
    ("-- materialize: parquet\n-- incremental: day\n-- param ds: date", "'day' is not one of its parameters"),
])
def test_bad_incremental_headers_are_one_line(project, header, message):
    (project / "bad_daily.sql").write_text(f"{header}\nSELECT :ds AS ds\n")
    assert_one_line_error(sqlrun("run", "bad_daily", "--param", "ds=2025-08-01", "-p", str(project)), message)


@pytest.mark.parametrize("args, message", [
    (["charts_by_age", "--param", WEEK], "a range backfills the steps stored by ds"),
    (["pr_curve_daily", "--param", "ds=2025-08-07..2025-08-01"], "the range 2025-08-07..2025-08-01 is empty"),
    (["pr_curve_daily", "--param", "ds=2025-08-01..2025-13-01"], "is not a valid date"),
    (["pr_curve_daily", "--param", "ds=2000-01-01..2099-01-01"], "at most 10,000"),
    (["pr_curve_daily", "--param", WEEK, "-o", "x.csv"], "--output needs one value"),
    (["pr_curve_daily", "--param", WEEK, "--dry-run"], "--dry-run needs one value"),
])
def test_bad_ranges_are_one_line_before_anything_runs(project, args, message):
    assert_one_line_error(sqlrun("run", *args, "-p", str(project)), message)
    assert not (project / ".sqlrun" / "increments").exists()


def test_ranges_of_ints_take_a_step_and_other_types_are_refused(project):
    write(project, "by_hour", """
        -- materialize: parquet
        -- incremental: hour
        -- param hour: int
        SELECT :hour AS hour, COUNT(*) AS plays FROM play_logs WHERE hour(played_at) = :hour
    """)
    write(project, "by_name", """
        -- materialize: parquet
        -- incremental: name
        -- param name: string
        SELECT :name AS name
    """)
    with Session(project) as session:
        job = find_backfill(session, "by_hour", {"hour": "0..23/6"})
        assert job.values == ["0", "6", "12", "18"]
        with pytest.raises(CatalogError, match="a range A..B needs a date or int"):
            find_backfill(session, "by_name", {"name": "a..b"})
        # A value that is not a safe directory name is stored under a digest of it, inside the store.
        session.run("by_name", "duckdb", {"name": "../../x"})
        session.run("by_name", "duckdb", {"name": "a..b/../c"})
        assert sorted(session.store.all_days("by_name")) == ["../../x", "a..b/../c"]
        assert {p.name for p in (project / ".sqlrun").iterdir()} <= {"increments", "schemas.json"}
        assert not (project / ".sqlrun" / "x").exists() and not (project / "x").exists()
        assert all(p.name.startswith("v_") for p in (project / ".sqlrun/increments/by_name").iterdir())
        total = session.run("by_hour", "duckdb", {"hour": "6"})
        assert total.column("hour").to_pylist() == [6]
    with pytest.raises(SqlrunError):
        Session(project).run("by_hour", "duckdb", {"hour": "0..23"})  # a range is for the CLI's backfill
