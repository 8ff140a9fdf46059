"""The Python API (for notebooks and the CLI): run, compile, parity."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlrun.adapters import LOCAL_ENGINES, create_engine, engine_class
from sqlrun.config import Project, load_project
from sqlrun.engine.catalog import Catalog, Query
from sqlrun.engine.compile import compile_query, compile_tree, generate, where
from sqlrun.engine.parity import Comparison, compare, is_ordered
from sqlrun.errors import CatalogError, SqlrunError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.adapters.base import Engine


def referenced_tables(query: Query, tree) -> dict[str, object]:
    """Tables the query reads (CTE names excluded), with a node to point at in errors."""
    from sqlglot import exp

    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    tables = {}
    for table in tree.find_all(exp.Table):
        if not table.name or isinstance(table.this, exp.Func):
            continue
        name = table.name.lower()
        if name not in ctes:
            tables.setdefault(name, table)
    return tables


class Session:
    """A project with its open engines; one engine instance per name for the session."""

    def __init__(self, project: Project | str | Path | None = None):
        self.project = project if isinstance(project, Project) else load_project(project)
        self.catalog = Catalog(self.project)
        self._engines: dict[str, Engine] = {}
        self._registered: dict[str, set[str]] = {}

    def engine(self, name: str | None = None) -> Engine:
        name = name or self.project.engine
        if name not in self._engines:
            self._engines[name] = create_engine(name, self.project.engine_settings(name))
            self._registered[name] = set()
        return self._engines[name]

    def query(self, ref: str | Query) -> Query:
        return ref if isinstance(ref, Query) else self.catalog.get(ref)

    def compile(self, ref: str | Query, engine: str | None = None, params: dict | None = None) -> str:
        engine = engine or self.project.engine
        engine_class(engine)
        return compile_query(self.query(ref), engine, _strings(params))

    def _prepare(self, query: Query, tree, engine_name: str) -> Engine:
        """Check that every table the query reads is a source; register those on the engine."""
        needed = referenced_tables(query, tree)
        sources = self.project.sources
        for name, node in needed.items():
            if name not in sources:
                known = ", ".join(sorted(sources)) or "none"
                raise CatalogError(f"{where(query, node)}: unknown table '{name}' (sources: {known})")
        engine = self.engine(engine_name)
        for name in needed:
            if name not in self._registered[engine_name]:
                engine.register_source(name, sources[name])
                self._registered[engine_name].add(name)
        return engine

    def run(self, ref: str | Query, engine: str | None = None, params: dict | None = None) -> pa.Table:
        """Run a catalog query (or .sql path) on an engine; the result as a pyarrow Table."""
        query = self.query(ref)
        engine_name = engine or self.project.engine
        tree = compile_tree(query, engine_name, _strings(params))
        sql = generate(query, tree, engine_name)
        return self._prepare(query, tree, engine_name).to_arrow(sql)

    def parity(
        self, refs: list[str], engines: list[str] | None = None, params: dict | None = None
    ) -> list[ParityResult]:
        """Run each query on each engine and compare every result with the first engine's."""
        engines = engines or list(LOCAL_ENGINES)
        for name in engines:
            engine_class(name)
        results = []
        for ref in refs:
            query = self.query(ref)
            ordered = is_ordered(query.ast())
            reference = None
            for name in engines:
                started = time.perf_counter()
                try:
                    table = self.run(query, name, params)
                except SqlrunError as exc:
                    results.append(ParityResult(query.name, name, False, 0.0, str(exc)))
                    continue
                seconds = time.perf_counter() - started
                if reference is None:
                    reference = (name, table)
                    results.append(ParityResult(query.name, name, True, seconds, "reference", rows=table.num_rows))
                    continue
                cmp = compare(reference[1], table, ordered)
                results.append(ParityResult(query.name, name, cmp.equal, seconds, cmp.reason, cmp, table.num_rows))
        return results

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class ParityResult:
    query: str
    engine: str
    ok: bool
    seconds: float
    detail: str = ""
    comparison: Comparison | None = None
    rows: int = 0


def _strings(params: dict | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (params or {}).items()}


def run(query: str, engine: str | None = None, params: dict | None = None, project=None) -> pa.Table:
    with Session(project) as session:
        return session.run(query, engine, params)


def compile(query: str, engine: str | None = None, params: dict | None = None, project=None) -> str:
    return Session(project).compile(query, engine, params)


def parity(queries: list[str], engines: list[str] | None = None, params: dict | None = None, project=None):
    with Session(project) as session:
        return session.parity(list(queries), engines, params)
