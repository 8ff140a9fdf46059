# ruff: noqa: E501  (SQL reads best on one line)
"""Schema-qualified table names, as Redshift SQL (and AWS's own examples) write them: `public.t`
is the source `t` when `t` is public.t on Redshift, on every engine; another schema is refused at
compile time, never sent to fail at run time."""

from __future__ import annotations

import dataclasses

import pytest

from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.errors import CatalogError
from tests.conftest import engine_params
from tests.corpus.tables import make_project
from tests.semantics import query


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("qualified"))
    sources = dict(project.sources)
    sources["u"] = dataclasses.replace(sources["u"], redshift="analytics.dim_u")
    with Session(dataclasses.replace(project, sources=sources)) as s:
        yield s


def _query(sql: str) -> Query:
    return query(sql, "redshift")


@pytest.mark.parametrize("engine", engine_params())
def test_a_qualified_name_of_a_source_reads_the_source(session, engine):
    qualified = session.run(_query("SELECT COUNT(*) AS n FROM public.t JOIN analytics.dim_u AS u ON t.grp = u.grp"), engine)
    bare = session.run(_query("SELECT COUNT(*) AS n FROM t JOIN u ON t.grp = u.grp"), engine)
    assert qualified.to_pylist() == bare.to_pylist() == [{"n": 4}]


def test_on_redshift_it_is_the_source_s_table(session):
    sent = " ".join(session.compile(_query("SELECT u.k FROM analytics.dim_u AS u, PUBLIC.T"), "redshift").split())
    assert sent == "SELECT u.k FROM analytics.dim_u AS u, t"


@pytest.mark.parametrize("sql, written", [
    ("SELECT COUNT(*) FROM analytics.t", "analytics.t"),  # t is public.t on Redshift
    ("SELECT COUNT(*) FROM public.u", "public.u"),  # u is analytics.dim_u
])
@pytest.mark.parametrize("engine", ["duckdb", "polars", "redshift"])
def test_a_table_of_another_schema_is_refused_at_compile_time(session, sql, written, engine):
    with pytest.raises(CatalogError, match=rf"^q\.sql:1:\d+: unknown table '{written}' .*the source whose table it is on Redshift"):
        session.compile(_query(sql), engine)
