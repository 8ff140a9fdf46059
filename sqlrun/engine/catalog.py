"""The query catalog: one SQL statement per file, with optional header lines."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlrun.adapters import ENGINES
from sqlrun.config import DIALECTS, Project
from sqlrun.engine.versions import check_name
from sqlrun.errors import CatalogError

PARAM_TYPES = ("date", "timestamp", "int", "float", "decimal", "string", "bool")
HEADER_KEYS = ("name", "dialect", "description", "engines", "param", "materialize", "partition_by", "chart",
               "incremental")
_HEADER = re.compile(r"^--\s*(param\s+(?=\w)|[a-z_]+\s*:)\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_]\w*)\s*:\s*(\w+)\s*(?:=\s*(.+))?$")
_SKIP_DIRS = {".sqlrun", ".venv", "data", "__pycache__"}
_NAME_HEADER = re.compile(r"^--[ \t]*name[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.MULTILINE)


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
    unsafe_sql: bool = False  # the project's [project] unsafe_sql: effects and file access allowed

    def ast(self):
        """The parsed statement, shared: read it, do not change it."""
        from sqlrun.engine.parse import parse_query

        return parse_query(self, copy=False)


def _parse_param(path: Path, value: str) -> Param:
    match = _PARAM.match(value)
    if not match:
        raise CatalogError(f"{path}: bad param header '{value}' (want: -- param NAME: TYPE [= DEFAULT])")
    name, type_, default = match.groups()
    if type_ not in PARAM_TYPES:
        raise CatalogError(f"{path}: param {name} has unknown type '{type_}' ({', '.join(PARAM_TYPES)})")
    return Param(name, type_, default.strip() if default else None)


def read_sql(path: Path) -> str:
    """The file's text: UTF-8, a leading byte-order mark dropped."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def load_query(path: Path, default_dialect: str = "spark", unsafe_sql: bool = False) -> Query:
    """Read one .sql file and its header comments."""
    sql = read_sql(path)
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
            param = _parse_param(path, value)
            if any(p.name == param.name for p in params):  # never silently the last one
                raise CatalogError(f"{path}: header 'param {param.name}' given twice")
            params.append(param)
        elif key in headers:
            raise CatalogError(f"{path}: header '{key}' given twice")
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
    # Names become directory names in the store (a step's results, a model): one safe rule.
    name = check_name(headers.get("name", path.stem), "query name", str(path))
    for column in headers.get("partition_by", "").split(","):
        if column.strip():
            check_name(column.strip(), "partition_by column", str(path))
    return Query(
        name=name,
        path=path,
        dialect=dialect,
        sql=sql,
        description=headers.get("description", ""),
        params=tuple(params),
        engines=engines,
        headers=headers,
        unsafe_sql=unsafe_sql,
    )


class Catalog:
    """All queries of a project, by name.

    A file that cannot be loaded (not UTF-8, a bad header or name) and a directory that cannot
    be read do not make the other queries unusable: each is reported when its name is asked
    for (or read by a pipeline) and by `problems()` (which `sqlrun list` prints)."""

    def __init__(self, project: Project):
        self.project = project
        self._queries: dict[str, Query] | None = None
        self._broken: dict[str, CatalogError] = {}  # by the name(s) the file claims, lower case
        self._unreadable: list[CatalogError] = []

    @property
    def queries(self) -> dict[str, Query]:
        if self._queries is None:
            queries: dict[str, Query] = {}
            for path in self.files(".sql"):
                try:
                    query = load_query(path, self.project.dialect, self.project.unsafe_sql)
                except CatalogError as exc:
                    for name in _claimed_names(path):
                        self._broken.setdefault(name.lower(), exc)
                    continue
                if query.name in queries:
                    other = queries[query.name].path
                    raise CatalogError(f"query name '{query.name}' is used by {other} and {path}")
                queries[query.name] = query
            self._queries = queries
        return self._queries

    def files(self, suffix: str) -> list[Path]:
        """The catalog directory's files whose names end in `suffix`, sorted (data/, .sqlrun/ skipped)."""
        root = self.project.queries_dir or self.project.root
        if not root.is_dir():
            reason = "does not exist" if not root.exists() else "is not a directory"
            raise CatalogError(f"catalog directory {root} {reason}")

        def unreadable(exc: OSError) -> None:
            if Path(exc.filename or root) == root:
                raise CatalogError(f"cannot read catalog directory {root}: {exc.strerror}")
            problem = CatalogError(f"cannot read catalog directory {exc.filename}: {exc.strerror}")
            if str(problem) not in map(str, self._unreadable):  # once, however often the files are listed
                self._unreadable.append(problem)

        found, seen = [], set()
        for parent, dirs, names in os.walk(root, onerror=unreadable, followlinks=True):
            stat = os.stat(parent)
            if (stat.st_dev, stat.st_ino) in seen:  # a symlink loop
                dirs.clear()
                continue
            seen.add((stat.st_dev, stat.st_ino))
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
            found.extend(Path(parent, n) for n in names if n.endswith(suffix))
        return sorted(found)

    def problems(self) -> list[CatalogError]:
        """Files that could not be loaded and directories that could not be read."""
        _ = self.queries
        unique = {id(e): e for e in self._broken.values()}
        return [*unique.values(), *self._unreadable]

    def problem(self, name: str) -> CatalogError | None:
        """Why `name` is not a query, if a broken file claims it."""
        _ = self.queries
        return self._broken.get(name.lower())

    def get(self, ref: str) -> Query:
        """A query by catalog name, or by path to a .sql file."""
        if ref.endswith(".sql") or "/" in ref:
            path = Path(ref)
            if not path.is_file():
                raise CatalogError(f"no such SQL file: {ref}")
            return load_query(path.resolve(), self.project.dialect, self.project.unsafe_sql)
        if ref not in self.queries:
            if self.problem(ref) is not None:
                raise self.problem(ref)
            names = ", ".join(sorted(self.queries)) or "none"
            unread = "".join(f"; {e}" for e in self._unreadable)
            raise CatalogError(f"unknown query {ref!r} (catalog has: {names}){unread}")
        return self.queries[ref]


def _claimed_names(path: Path) -> list[str]:
    """The names a file that failed to load may be asked for: its stem, its `-- name:`."""
    names = [path.stem]
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return names
    header = _NAME_HEADER.search(text)
    return [*names, header.group(1)] if header else names


_CREATE_MODEL = re.compile(r"^\s*CREATE\s+MODEL\b", re.IGNORECASE)


def is_create_model(sql: str) -> bool:
    """Whether a catalog file holds a CREATE MODEL statement (after its header comments)."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return bool(_CREATE_MODEL.match(body))
