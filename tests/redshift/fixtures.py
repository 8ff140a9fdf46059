"""pytest fixtures: a PostgreSQL server, the wire shim, and demo/TPC-H data loaded into it.

Test modules import these names (`from tests.redshift.fixtures import ...`).
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest

from tests.redshift.pg_server import DATABASE, USER, PostgresServer, find_binary
from tests.redshift.wire_shim import WireShim

REPO = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "SQLRUN_TEST_REDSHIFT_PASSWORD"
# Sources mapped to differently named tables, to test the mapping on the wire.
MAPPED = {"play_logs": "analytics.play_logs", "tracks": "analytics.track_catalog"}

needs_postgres = pytest.mark.skipif(
    find_binary("initdb") is None, reason="PostgreSQL binaries not installed (make setup installs them)"
)


@pytest.fixture(scope="session")
def pg_password() -> str:
    return f"pw-{secrets.token_hex(12)}"


@pytest.fixture(scope="session")
def pg_server(pg_password):
    if find_binary("initdb") is None:
        pytest.skip("PostgreSQL binaries not installed")
    server = PostgresServer(pg_password).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shim(pg_server):
    proxy = WireShim(("127.0.0.1", pg_server.port))
    yield proxy
    proxy.close()


@pytest.fixture(scope="session")
def password_env(pg_password):
    old = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = pg_password
    yield PASSWORD_ENV
    if old is None:
        os.environ.pop(PASSWORD_ENV, None)
    else:
        os.environ[PASSWORD_ENV] = old


@pytest.fixture(scope="session")
def wire_settings(shim, password_env) -> dict:
    """[engines.redshift] for the test server, as a user would write it."""
    return {
        "host": "127.0.0.1", "port": shim.port, "database": DATABASE, "user": USER,
        "password_env": password_env, "ssl": False,
    }


def connect(settings: dict):
    """A plain redshift-connector connection (for loading data and server-side checks)."""
    import redshift_connector

    return redshift_connector.connect(
        host=settings["host"], port=settings["port"], database=settings["database"],
        user=settings["user"], password=os.environ[settings["password_env"]], ssl=False,
        application_name="sqlrun-tests",
    )


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else f'"{value}"'


def write_project(root: Path, sources: dict[str, dict], settings: dict, dialect: str = "spark") -> None:
    lines = ["[project]", f'dialect = "{dialect}"', 'engine = "duckdb"', 'queries = "."', ""]
    for name, spec in sources.items():
        lines.append(f"[sources.{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in spec.items()]
        lines.append("")
    lines.append("[engines.redshift]")
    lines += [f"{k} = {toml_value(v)}" for k, v in settings.items()]
    (root / "sqlrun.toml").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="session")
def redshift_demo(tmp_path_factory, wire_settings, pg_server) -> Path:
    """The example catalog (3000 demo rows) as files for DuckDB and as tables on the server."""
    import pyarrow.dataset as ds

    from sqlrun.demo import generate
    from tests.redshift.load import load_table

    root = tmp_path_factory.mktemp("redshift-demo")
    for path in (REPO / "queries").glob("*.sql"):
        shutil.copy(path, root / path.name)
    generate(root / "data", rows=3000)
    files = {
        "play_logs": ("data/play_logs", "parquet"), "users": ("data/users.parquet", "parquet"),
        "tracks": ("data/tracks", "orc"), "predictions": ("data/predictions.parquet", "parquet"),
        "taxi_trips": ("data/taxi_trips.parquet", "parquet"),
    }
    con = connect(wire_settings)
    sources = {}
    for name, (path, fmt) in files.items():
        table = MAPPED.get(name, name)
        load_table(con, table, ds.dataset(root / path, format=fmt).to_table(), pg_server.dir)
        sources[name] = {"path": path, "format": fmt}
        if name in MAPPED:
            sources[name]["redshift"] = table
    con.close()
    write_project(root, sources, wire_settings)
    return root


@pytest.fixture(scope="session")
def redshift_tpch(wire_settings, pg_server):
    """TPC-H at scale 0.01, as parquet for DuckDB and as tables on the server."""
    try:
        from tpch.data import tpch_project
    except ImportError:
        pytest.skip("the tpch package is not available")
    import pyarrow.parquet as pq

    from tests.redshift.load import load_table

    try:
        project = tpch_project(0.01)
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"no TPC-H data: {exc}")
    con = connect(wire_settings)
    for name, source in project.sources.items():
        load_table(con, name, pq.read_table(source.path), pg_server.dir)
    # Q20's correlated subquery rescans lineitem per partsupp row without it (~70 s).
    con.cursor().execute("CREATE INDEX lineitem_part_supp ON lineitem (l_partkey, l_suppkey)")
    con.commit()
    con.close()
    import dataclasses

    return dataclasses.replace(project, engines={**project.engines, "redshift": wire_settings})
