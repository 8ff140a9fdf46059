"""CREATE MODEL on Redshift, over the wire to the PostgreSQL test server.

PostgreSQL has no CREATE/SHOW/DROP MODEL: this suite's own shim rewrites those statements
(after recording them as sent) into calls of PL/pgSQL functions that play Redshift's model
states from a script (TRAINING ... READY or FAILED). Everything else is the real driver,
the real wire protocol and a real server; the tests assert the exact SQL sent.
"""

# ruff: noqa: F811  (pytest fixtures imported from tests/redshift/fixtures.py)
from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest

from sqlrun.api import Session
from sqlrun.errors import CatalogError, EngineError
from tests.redshift.fixtures import (  # noqa: F401  (pytest fixtures)
    connect,
    needs_postgres,
    password_env,
    pg_password,
    pg_server,
    write_project,
)
from tests.redshift.wire_shim import WireShim

pytestmark = needs_postgres

FAKE = """
CREATE SCHEMA IF NOT EXISTS sqlrun_fake;
CREATE TABLE IF NOT EXISTS sqlrun_fake.script (states text[], reason text);
CREATE TABLE IF NOT EXISTS sqlrun_fake.models (name text PRIMARY KEY, states text[], pos int, reason text);
CREATE OR REPLACE FUNCTION sqlrun_fake.create_model(n text) RETURNS int AS $$
BEGIN
  INSERT INTO sqlrun_fake.models SELECT n, states, 1, reason FROM sqlrun_fake.script;
  RETURN 1;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION sqlrun_fake.show_model(n text) RETURNS TABLE(key text, value text) AS $$
DECLARE m sqlrun_fake.models;
BEGIN
  SELECT * INTO m FROM sqlrun_fake.models WHERE name = n;
  IF NOT FOUND THEN RAISE EXCEPTION 'Model "%" does not exist', n; END IF;
  UPDATE sqlrun_fake.models SET pos = LEAST(pos + 1, array_length(states, 1)) WHERE name = n;
  RETURN QUERY SELECT 'Model Name'::text, n UNION ALL SELECT 'Model State', m.states[m.pos]
    UNION ALL SELECT 'Failure Reason', m.reason WHERE m.states[m.pos] = 'FAILED';
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION sqlrun_fake.drop_model(n text) RETURNS int AS $$
BEGIN DELETE FROM sqlrun_fake.models WHERE name = n; RETURN 1; END $$ LANGUAGE plpgsql;
"""
MODEL = """-- dialect: redshift
CREATE MODEL points_model
FROM (SELECT x1, x2, flag FROM points WHERE id % 5 <> 0)
TARGET flag
FUNCTION predict_points
IAM_ROLE default
AUTO OFF
MODEL_TYPE XGBOOST
OBJECTIVE 'binary:logistic'
PREPROCESSORS 'none'
HYPERPARAMETERS DEFAULT  -- kept: the reference requires it with AUTO OFF
SETTINGS (S3_BUCKET 'bucket', MAX_RUNTIME 1800);
"""
# As written, comments and all (not the final ';'), the training query compiled for Redshift.
CREATE = """CREATE MODEL points_model
FROM (
  SELECT
    x1,
    x2,
    flag
  FROM points
  WHERE
    id % 5 <> 0
)
TARGET flag
FUNCTION predict_points
IAM_ROLE default
AUTO OFF
MODEL_TYPE XGBOOST
OBJECTIVE 'binary:logistic'
PREPROCESSORS 'none'
HYPERPARAMETERS DEFAULT  -- kept: the reference requires it with AUTO OFF
SETTINGS (S3_BUCKET 'bucket', MAX_RUNTIME 1800)"""


def fake_models(sql: str) -> str | None:
    match = re.match(r"\s*(SHOW|CREATE|DROP) MODEL (\w+)", sql)
    if not match:
        return None
    verb, name = match.group(1).lower(), match.group(2)
    if verb == "show":
        return f"SELECT * FROM sqlrun_fake.show_model('{name}')"
    return f"SELECT sqlrun_fake.{verb}_model('{name}')"


@pytest.fixture(scope="module")
def model_shim(pg_server):
    proxy = WireShim(("127.0.0.1", pg_server.port))
    proxy.rewrite = fake_models
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory, model_shim, password_env, pg_server):
    from tests.redshift.load import load_table
    from tests.redshift.pg_server import DATABASE, USER

    settings = {"host": "127.0.0.1", "port": model_shim.port, "database": DATABASE, "user": USER,
                "password_env": password_env, "ssl": False}
    root = tmp_path_factory.mktemp("redshift-models")
    rng = np.random.default_rng(3)
    data = pa.table({"id": np.arange(200, dtype=np.int64), "x1": rng.normal(size=200), "x2": rng.normal(size=200)})
    data = data.append_column("flag", pa.array((data["x1"].to_numpy() > 0).astype(np.int32)))
    (root / "data").mkdir()
    import pyarrow.parquet as pq

    pq.write_table(data, root / "data" / "points.parquet")
    con = connect(settings)
    load_table(con, "points", data, pg_server.dir)
    for statement in re.split(r";\n(?=CREATE|$)", FAKE.strip() + "\n"):
        if statement.strip():
            con.cursor().execute(statement)
    con.commit()
    con.close()
    write_project(root, {"points": {"path": "data/points.parquet", "format": "parquet"}}, settings)
    (root / "points_model.sql").write_text(MODEL)
    (root / "points_scores.sql").write_text("SELECT id, predict_points(x1, x2) AS p FROM points")
    return root


def script(project, states: list[str], reason: str | None = None) -> None:
    import json

    settings = json.loads(json.dumps(Session(project).project.engine_settings("redshift")))
    con = connect(settings)
    cursor = con.cursor()
    cursor.execute("DELETE FROM sqlrun_fake.script")
    cursor.execute(f"INSERT INTO sqlrun_fake.script VALUES (ARRAY{states!r}::text[], %s)", (reason,))
    con.commit()
    con.close()


def model_sql(shim: WireShim, start: int) -> list[str]:
    return [s for s in shim.sent_sql[start:] if "MODEL" in s]


def train(project, replace: bool = False, messages: list | None = None) -> pa.Table:
    with Session(project) as session:
        session.models.poll_seconds = 0
        session.models.progress = (messages if messages is not None else []).append
        return session.run("points_model", "redshift", replace=replace)


def test_create_polls_show_model_until_ready_then_is_idempotent(project, model_shim):
    script(project, ["TRAINING", "TRAINING", "READY"])
    start, messages = len(model_shim.sent_sql), []
    result = train(project, messages=messages)
    assert result.to_pylist()[0]["state"] == "READY"
    show = "SHOW MODEL points_model"
    assert model_sql(model_shim, start) == [show, CREATE, show, show, show]
    assert [m.split(":")[1].split("(")[0].strip() for m in messages] == ["TRAINING", "TRAINING", "READY"]
    start = len(model_shim.sent_sql)
    assert train(project).to_pylist()[0]["action"] == "unchanged"
    assert model_sql(model_shim, start) == [show]


def test_changed_model_is_refused_then_replaced(project, model_shim):
    path = project / "points_model.sql"
    path.write_text(MODEL.replace("MAX_RUNTIME 1800", "MAX_RUNTIME 3600"))
    script(project, ["TRAINING", "READY"])
    start = len(model_shim.sent_sql)
    with pytest.raises(CatalogError, match="already exists on Redshift and has a different spec.*--replace"):
        train(project)
    assert model_sql(model_shim, start) == ["SHOW MODEL points_model"]
    start = len(model_shim.sent_sql)
    assert train(project, replace=True).to_pylist()[0]["action"] == "created"
    new = CREATE.replace("MAX_RUNTIME 1800", "MAX_RUNTIME 3600")
    show = "SHOW MODEL points_model"
    assert model_sql(model_shim, start) == [show, "DROP MODEL points_model", new, show, show]


def test_failed_training_surfaces_the_reason(project, model_shim):
    (project / "points_model.sql").write_text(MODEL.replace("MAX_RUNTIME 1800", "MAX_RUNTIME 7200"))
    script(project, ["TRAINING", "FAILED"], "ClientError: target column flag has one class")
    with pytest.raises(EngineError, match="points_model FAILED: Failure Reason: ClientError: target column flag"):
        train(project, replace=True)
    with Session(project) as session:
        assert session.models.store.remote("points_model")["state"] == "FAILED"


def test_redshift_scoring_calls_the_models_own_function(project):
    with Session(project) as session:
        sql = session.compile("points_scores", "redshift")
        assert "PREDICT_POINTS(x1, x2) AS p" in sql
        assert session.dry_run("points_model", "redshift")[1].startswith("CREATE MODEL points_model\nFROM (")


def test_show_and_drop_model_files_are_sent_as_written(project, model_shim):
    script(project, ["TRAINING", "READY"])
    train(project, replace=True)
    (project / "show_points.sql").write_text("-- what Redshift knows of it\nSHOW MODEL points_model;\n")
    (project / "drop_points.sql").write_text("DROP MODEL points_model")
    start = len(model_shim.sent_sql)
    with Session(project) as session:
        shown = session.run("show_points", "redshift").to_pylist()
        dropped = session.run("drop_points", "redshift").to_pylist()
    assert model_sql(model_shim, start) == ["SHOW MODEL points_model", "DROP MODEL points_model"]
    assert shown[0] == {"key": "Model Name", "value": "points_model"}  # the fake's columns are lower case
    assert dropped == [{"model": "points_model", "action": "DROP MODEL sent"}]
