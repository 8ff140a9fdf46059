"""The catalog's test files: found beside the queries, checked against the catalog (the query,
the tables it reads, its parameters, type names) and their given rows made into Arrow tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlrun.engine.catalog import is_create_model
from sqlrun.engine.pipeline import build_dag
from sqlrun.errors import SqlrunError
from sqlrun.user_tests.spec import Case, Given, read_cases
from sqlrun.user_tests.values import array, arrow_type, canonical

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.config import Project, Source
    from sqlrun.engine.catalog import Catalog

SUFFIX = ".test.yaml"


@dataclass(frozen=True)
class Ready:
    """A test checked against the catalog: its given rows as tables, its expected types canonical."""

    case: Case
    tables: dict[str, pa.Table]  # by lower-case table name
    expect_types: dict[str, str]  # column -> canonical type


def find_cases(catalog: Catalog, names: list[str] | None = None) -> list[Case]:
    """Every test of the catalog's test files, or those a name selects (a test's or a query's)."""
    cases = [case for path in catalog.files(SUFFIX) for case in read_cases(path)]
    root = catalog.project.queries_dir or catalog.project.root
    if not cases:
        raise SqlrunError(f"no tests: no *{SUFFIX} files in {root}")
    if not names:
        return cases
    for name in names:
        if not any(name in (c.name, c.query) for c in cases):
            known = ", ".join(sorted({c.name for c in cases} | {c.query for c in cases}))
            raise SqlrunError(f"no test or tested query named {name!r} (known: {known})")
    return [c for c in cases if c.name in names or c.query in names]


def prepare(project: Project, catalog: Catalog, case: Case) -> Ready:
    """The test checked against the catalog, or a one-line error naming its file and test."""
    if case.query not in catalog.queries:
        if catalog.problem(case.query) is not None:
            raise case.error(str(catalog.problem(case.query)))
        raise case.error(f"query: no catalog query named {case.query!r}")
    query = catalog.queries[case.query]
    if is_create_model(query.sql):
        raise case.error(f"query: {case.query} is a CREATE MODEL file; tests run queries")
    try:
        steps = build_dag(catalog, project.sources, query)
    except SqlrunError as exc:
        raise case.error(str(exc)) from None
    sources, upstream, needed = _reads(steps, query.name, case.given)
    extra = sorted(set(case.given) - sources - upstream)
    if extra:
        reads = ", ".join(sorted(sources | upstream))
        raise case.error(f"given {extra[0]}: {case.query} does not read it (it reads: {reads})")
    missing = sorted(sources - set(case.given))
    if missing:
        raise case.error(f"given: {case.query} reads {', '.join(missing)}; give rows for each source ([] for none)")
    declared = {p.name for name in needed for p in steps[name].query.params}
    unknown = sorted(set(case.params) - declared)
    if unknown:
        raise case.error(f"params: {case.query} has no parameter {unknown[0]!r}")
    tables = {
        table: _table(case, table, given, project.dialect, project.sources.get(table))
        for table, given in case.given.items()
    }
    expect_types = {}
    for column, name in case.expect_types.items():
        try:
            expect_types[column] = canonical(name, project.dialect)
        except ValueError as exc:
            raise case.error(f"expect_types: {column}: {exc}") from None
    return Ready(case, tables, expect_types)


def _reads(steps: dict, target: str, given: dict[str, Given]) -> tuple[set[str], set[str], list[str]]:
    """The sources and upstream steps (lower case) the target reads, a given step standing for
    itself (it is not computed, nor what it reads); and the steps that run."""
    sources, upstream, needed, todo = set(), set(), [], [target]
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.append(name)
        sources.update(steps[name].sources)
        for step in steps[name].inputs:
            upstream.add(step.lower())
            if step.lower() not in given:
                todo.append(step)
    return sources, upstream, needed


def _table(case: Case, name: str, given: Given, dialect: str, source: Source | None) -> pa.Table:
    """Given rows as a table. Each column's type: `types:`, else the real source's (from its
    files, when it has local ones), else from the values."""
    import pyarrow as pa

    where = f"given {name}"
    types = {}
    for column, type_name in given.types.items():
        try:
            types[column.lower()] = arrow_type(canonical(type_name, dialect))
        except ValueError as exc:
            raise case.error(f"{where}: types: {column}: {exc}") from None
    real = _real_schema(source)
    if given.rows:
        columns = list(given.rows[0])
    elif given.types:
        columns = list(given.types)
    elif real is not None:
        return real.empty_table()
    else:
        raise case.error(f"{where}: no rows and no types: say its columns under types: (column: TYPE)")
    real_types = {f.name.lower(): f.type for f in real} if real is not None else {}
    arrays = []
    for column in columns:
        kind = types.get(column.lower(), real_types.get(column.lower()))
        try:
            arrays.append(array(column, [row[column] for row in given.rows], kind))
        except ValueError as exc:
            raise case.error(f"{where}: {exc}") from None
    return pa.table(arrays, names=columns)


def _real_schema(source: Source | None) -> pa.Schema | None:
    """The schema of a source's local files (footers only), or None: no such source (a step),
    S3 (not contacted for a test), or no readable files."""
    if source is None or source.s3 is not None or not source.path:
        return None
    from sqlrun.engine.schema import file_schema

    try:
        return file_schema(source.files(), source.format)
    except Exception:  # missing or unreadable data: the rows' own types then
        return None
