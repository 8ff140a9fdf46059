"""A fifth engine needs an adapter and a registry line (and, shipped, its corpus marker column):
tests/stub_engine.py adds SQLite that way and nothing else, and sqlrun takes it everywhere a
name is taken. A rule written for other engines never hands it their spelling: it refuses."""

from __future__ import annotations

import pytest

from sqlrun import adapters
from sqlrun.api import Session
from sqlrun.config import load_project
from sqlrun.errors import CompileError, ConfigError
from tests.corpus import all_cases
from tests.corpus.runner import query_of
from tests.corpus.tables import make_project
from tests.semantics import query
from tests.stub_engine import SQLiteEngine


@pytest.fixture
def sqlite(monkeypatch):
    monkeypatch.setitem(adapters.ENGINES, "sqlite", SQLiteEngine)  # the registry line


@pytest.fixture
def session(sqlite, tmp_path):
    with Session(make_project(tmp_path / "corpus")) as session:
        yield session


def test_sqlrun_toml_takes_it_and_checks_its_table(sqlite, tmp_path):
    (tmp_path / "sqlrun.toml").write_text('[project]\nengine = "sqlite"\n\n[engines.sqlite]\n')
    assert load_project(tmp_path).engine == "sqlite"
    (tmp_path / "sqlrun.toml").write_text('[project]\nengine = "sqlite"\n\n[engines.sqlite]\nthreads = 4\n')
    with pytest.raises(ConfigError, match=r"\[engines\.sqlite\] unknown key\(s\): threads"):
        load_project(tmp_path)


def test_it_runs_queries_with_the_answer_of_the_other_engines(session):
    queries = [
        query("SELECT grp, COUNT(*) AS n, SUM(x) AS total FROM t GROUP BY grp ORDER BY grp", "spark"),
        query("SELECT u.k, u.name, COUNT(t.id) AS n FROM u LEFT JOIN t ON t.grp = u.grp GROUP BY u.k, u.name"
              " ORDER BY u.k", "duckdb"),
        query("SELECT id, CASE WHEN x > 5 THEN 'big' ELSE 'small' END AS size FROM t ORDER BY id", "redshift"),
    ]
    for q in queries:
        results = session.parity([q], ["duckdb", "sqlite"])
        assert [r.ok for r in results] == [True, True], [r.detail for r in results]
        assert results[1].rows > 0
        assert "sqlite" in session._engines


@pytest.mark.parametrize(
    "sql, message",
    [
        # an arm per engine: the percentile spellings are written for duckdb, polars and spark only
        ("SELECT percentile(x, 0.5) FROM t", r"not translated for sqlite \(written for duckdb, polars, spark\)"),
        # a meaning rule restricted to engines: whether SQLite needs it is not decided yet
        ("SELECT dayofweek(d) FROM t", r"rule spark_\w+ \(for [a-z, ]+\) is not decided for sqlite"),
    ],
)
def test_a_rule_written_for_other_engines_refuses_it(session, sql, message):
    with pytest.raises(CompileError, match=rf"q\.sql:1:\d+: .*{message}.*\(spark -> sqlite\)"):
        session.compile(query(sql, "spark"), "sqlite")


def test_every_corpus_query_compiles_for_it_or_is_refused_naming_it(session):
    compiled = refused = 0
    for case in all_cases():
        try:
            session.compile(query_of(case), "sqlite")
            compiled += 1
        except CompileError as exc:
            assert str(exc).endswith(f"({case.dialect} -> sqlite)"), str(exc)
            refused += 1
    assert compiled > 0 and refused > 0
