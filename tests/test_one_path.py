"""`compile` shows exactly what `run` sends, by construction: both take it from engine/outgoing.py,
from one plan that checks the parameters once. So for every catalog query the SQL `run` hands the
engine is the SQL `compile` prints, and a parameter mistake is the same error from both."""

from __future__ import annotations

import shutil

import pytest

from sqlrun.api import Session
from sqlrun.errors import SqlrunError
from tests.conftest import engine_params
from tests.test_cli import assert_one_line_error, sqlrun

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def project(demo_project, tmp_path_factory):
    """A copy of the demo project: the models trained here stay here."""
    root = tmp_path_factory.mktemp("one_path") / "demo"
    shutil.copytree(demo_project, root, ignore=shutil.ignore_patterns(".sqlrun"))
    return root


def _outcome(call) -> str:
    try:
        return call()
    except SqlrunError as exc:
        return f"error: {exc}"


SCORES = "\n-- then the model's scores"


def _sent_by_run(session: Session, name: str, engine: str, last: int = 1):
    """The last SQL the engine got from `run` (the query itself; upstream steps come first);
    with `last`, the last statements as a list."""
    adapter = session.engine(engine)
    sent: list[str] = []
    original = adapter.to_arrow

    def recording(sql):
        sent.append(sql)
        return original(sql)

    adapter.to_arrow = recording
    try:
        session.run(name, engine, refresh=True)
    except SqlrunError as exc:
        return f"error: {exc}" if last == 1 else [f"error: {exc}"]
    finally:
        del adapter.to_arrow
    return sent[-1] if last == 1 else sent[-last:]


@pytest.mark.parametrize("engine", engine_params(("duckdb", "polars")))
def test_run_sends_what_compile_shows_for_every_catalog_query(project, engine):
    with Session(project) as session:
        # Models first (their training query is what compile shows), then the queries scoring them.
        names = sorted(session.catalog.queries, key=lambda n: ("model" not in n, n))
        compared = 0
        for name in names:
            shown = _outcome(lambda name=name: session.compile(name, engine))
            sent = _sent_by_run(session, name, engine, last=2)
            if SCORES in shown:  # two statements around the models' scores (outer_scores.py)
                first, rest = shown.split(SCORES, 1)
                assert sent == [first, rest.split(":\n", 1)[1]], name
            else:
                assert sent[-1] == shown, name
            compared += not shown.startswith("error: ")
        assert compared == len(names)


@pytest.mark.spark
def test_run_sends_what_compile_shows_on_spark(project):
    with Session(project) as session:
        sent = _sent_by_run(session, "charts_by_age", "spark")
        assert sent == session.compile("charts_by_age", "spark")
        assert sent != session.compile("charts_by_age", "spark", {"top_n": "3"})  # (the default is 10)


BAD_PARAMS = [
    ({"typo": "1"}, "unknown parameter(s): typo"),
    ({"ds": "2025-13-40"}, "parameter ds='2025-13-40' is not a valid date"),
    ({"top_n": "ten"}, "parameter top_n='ten' is not a valid int"),
    ({"top_n": "1", "cutoff": "2025-01-01"}, "unknown parameter(s): cutoff"),
]


@pytest.mark.parametrize("params, message", BAD_PARAMS)
def test_a_parameter_mistake_is_one_error_for_compile_and_run(project, params, message):
    with Session(project) as session:
        errors = []
        for call in (session.compile, session.dry_run, session.run):
            with pytest.raises(SqlrunError) as caught:
                call("charts_by_age", "duckdb", params)
            errors.append(str(caught.value))
        assert errors[0] == errors[1] == errors[2]
        assert message in errors[0]


def test_a_placeholder_without_a_header_is_one_error_for_compile_and_run(project):
    (project / "no_header.sql").write_text("SELECT * FROM users WHERE signup_date >= :ds\n")
    try:
        with Session(project) as session:
            errors = [_outcome(lambda c=c: c("no_header", "duckdb", {"ds": "2025-08-01"}))
                      for c in (session.compile, session.run)]
        assert errors[0] == errors[1]
        assert "unknown parameter(s): ds" in errors[0]
    finally:
        (project / "no_header.sql").unlink()


@pytest.mark.parametrize("params, message", BAD_PARAMS[:2])
def test_the_cli_says_the_same_for_compile_and_run(project, params, message):
    args = [arg for name, value in params.items() for arg in ("--param", f"{name}={value}")]
    lines = [
        assert_one_line_error(sqlrun(command, "charts_by_age", "-p", str(project), *args), message)
        for command in ("compile", "run")
    ]
    assert lines[0] == lines[1]
