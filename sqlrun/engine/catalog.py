"""The query catalog: one SQL statement per file, with optional header lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.config import DIALECTS, ENGINES, Project
from sqlrun.errors import CatalogError

PARAM_TYPES = ("date", "timestamp", "int", "float", "decimal", "string", "bool")
HEADER_KEYS = ("name", "dialect", "description", "engines", "param", "materialize", "partition_by", "chart")
_HEADER = re.compile(r"^--\s*(param\s+(?=\w)|[a-z_]+\s*:)\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_]\w*)\s*:\s*(\w+)\s*(?:=\s*(.+))?$")
_SKIP_DIRS = {".sqlrun", ".venv", "data", "__pycache__"}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None


@dataclass(frozen=True)
class Query:
    """One catalog entry: frozen data, parsed lazily by .ast()."""

    name: str
    path: Path
    dialect: str
    sql: str
    description: str = ""
    params: tuple[Param, ...] = ()
    engines: tuple[str, ...] = ()
    headers: dict = field(default_factory=dict, compare=False, hash=False)

    def ast(self):
        """The parsed statement, shared: read it, do not change it."""
        from sqlrun.engine.compile import parse_query

        return parse_query(self, copy=False)


def _parse_param(path: Path, value: str) -> Param:
    match = _PARAM.match(value)
    if not match:
        raise CatalogError(f"{path}: bad param header '{value}' (want: -- param NAME: TYPE [= DEFAULT])")
    name, type_, default = match.groups()
    if type_ not in PARAM_TYPES:
        raise CatalogError(f"{path}: param {name} has unknown type '{type_}' ({', '.join(PARAM_TYPES)})")
    return Param(name, type_, default.strip() if default else None)


def load_query(path: Path, default_dialect: str = "spark") -> Query:
    """Read one .sql file and its header comments."""
    try:
        sql = path.read_text()
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from None
    headers: dict[str, str] = {}
    params: list[Param] = []
    for line in sql.splitlines():
        line = line.strip()
        if not line:
            continue
        if not line.startswith("--"):
            break
        match = _HEADER.match(line)
        key = match.group(1).rstrip(": \t") if match else ""
        if key not in HEADER_KEYS:
            continue  # an ordinary comment
        value = match.group(2)
        if key == "param":
            params.append(_parse_param(path, value))
        else:
            headers[key] = value
    dialect = headers.get("dialect", default_dialect)
    if dialect not in DIALECTS:
        raise CatalogError(f"{path}: dialect '{dialect}' is not one of {', '.join(DIALECTS)}")
    engines = tuple(e.strip() for e in headers.get("engines", "").split(",") if e.strip())
    for engine in engines:
        if engine not in ENGINES:
            raise CatalogError(f"{path}: unknown engine '{engine}' in engines header")
    if not sql.strip():
        raise CatalogError(f"{path}: the file is empty")
    return Query(
        name=headers.get("name", path.stem),
        path=path,
        dialect=dialect,
        sql=sql,
        description=headers.get("description", ""),
        params=tuple(params),
        engines=engines,
        headers=headers,
    )


class Catalog:
    """All queries of a project, by name."""

    def __init__(self, project: Project):
        self.project = project
        self._queries: dict[str, Query] | None = None

    @property
    def queries(self) -> dict[str, Query]:
        if self._queries is None:
            self._queries = {}
            root = self.project.queries_dir or self.project.root
            for path in sorted(root.rglob("*.sql")):
                if _SKIP_DIRS & set(path.relative_to(root).parts[:-1]):
                    continue
                query = load_query(path, self.project.dialect)
                if query.name in self._queries:
                    other = self._queries[query.name].path
                    raise CatalogError(f"query name '{query.name}' is used by {other} and {path}")
                self._queries[query.name] = query
        return self._queries

    def get(self, ref: str) -> Query:
        """A query by catalog name, or by path to a .sql file."""
        if ref.endswith(".sql") or "/" in ref:
            path = Path(ref)
            if not path.is_file():
                raise CatalogError(f"no such SQL file: {ref}")
            return load_query(path.resolve(), self.project.dialect)
        if ref not in self.queries:
            names = ", ".join(sorted(self.queries)) or "none"
            raise CatalogError(f"unknown query '{ref}' (catalog has: {names})")
        return self.queries[ref]
