"""No secret reaches any output: the test password is grepped for in everything sqlrun prints,
logs (redshift-connector's DEBUG log included), raises or reprs, through the API and the CLI."""

# ruff: noqa: F811  (the pytest fixtures imported from tests/redshift/fixtures.py)
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sqlrun.adapters.redshift import RedshiftEngine
from sqlrun.api import Session
from sqlrun.errors import SqlrunError
from tests.redshift.fixtures import (  # noqa: F401  (pytest fixtures)
    needs_postgres,
    password_env,
    pg_password,
    pg_server,
    redshift_demo,
    shim,
    wire_settings,
)

pytestmark = needs_postgres
SQLRUN = str(Path(sys.executable).with_name("sqlrun"))


def cli(*args: str) -> str:
    done = subprocess.run([SQLRUN, *args], capture_output=True, text=True, env=os.environ, timeout=120)
    return f"rc={done.returncode}\n{done.stdout}\n{done.stderr}"


def test_the_password_appears_in_no_output(redshift_demo, wire_settings, pg_password, pg_server, caplog):
    seen: list[str] = []
    caplog.set_level(logging.DEBUG)  # every logger, redshift_connector's wire-level debug too
    with Session(redshift_demo) as session:
        seen.append(session.compile("charts_by_age", "redshift"))
        seen.append(str(session.run("charts_by_age", "redshift").to_pylist()))
        engine = session.engine("redshift")
        seen += [repr(engine), str(engine.settings), str(vars(engine))]
        for sql in ("SELECT * FROM missing_table", "SELECT 1/0"):
            with pytest.raises(SqlrunError) as failed:
                engine.to_arrow(sql)
            seen.append(str(failed.value))
    with pytest.raises(SqlrunError) as failed:  # the right password, the wrong user
        RedshiftEngine({**wire_settings, "user": "nobody_here"}).to_arrow("SELECT 1")
    seen.append(str(failed.value))
    project = str(redshift_demo)
    seen.append(cli("compile", "charts_by_age", "--project", project, "--engine", "redshift"))
    ran = cli("run", "charts_by_age", "--project", project, "--engine", "redshift")
    assert "rc=0" in ran and "Artist" in ran, ran  # the CLI really ran it on the server
    seen.append(ran)
    seen.append(cli("run", "charts_by_age", "--project", project, "--engine", "redshift", "--param", "ds=bad"))
    seen.append(caplog.text)
    seen.append(pg_server.server_log())
    assert "password authentication failed" in seen[-5] or "nobody_here" in " ".join(seen)
    leaks = [text[:200] for text in seen if pg_password in text]
    assert not leaks, f"the password leaked into: {leaks}"
    assert len(caplog.text) > 1000, "the driver's debug log was not captured"


def test_a_password_in_sqlrun_toml_is_refused():
    with pytest.raises(SqlrunError, match="must not hold a password"):
        RedshiftEngine({"host": "h", "user": "u", "password": "hunter2"})


def test_a_missing_password_variable_is_named_by_its_key_only(monkeypatch):
    # Not by its value: password_env may hold the password itself, by mistake (issue 11, class 4).
    monkeypatch.delenv("NOT_SET_PW", raising=False)
    with pytest.raises(SqlrunError, match="password_env: the environment variable it names is not set"):
        RedshiftEngine({"host": "127.0.0.1", "user": "u", "password_env": "NOT_SET_PW"}).to_arrow("SELECT 1")


def test_unknown_settings_are_refused():
    with pytest.raises(SqlrunError, match="unknown key\\(s\\): hots"):
        RedshiftEngine({"hots": "typo"})
