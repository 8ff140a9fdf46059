"""Which files of a source a step can read, when its SQL says so: for fingerprints only.

A step that reads a source only through `WHERE src.ds = :ds`, over files named Hive-style
(`.../ds=2025-08-03/part-0.parquet` or `ds=2025-08-03.parquet`), reads nothing from the other
days' files. Its fingerprint then covers that day's files alone, so a new day's file does not
make every stored day stale. Whenever that cannot be shown for every reference to the source and
every file, the answer is "all files".
"""

from __future__ import annotations

from urllib.parse import unquote

from sqlglot import exp

from sqlrun.engine.catalog import Param, Query
from sqlrun.engine.params import canonical
from sqlrun.errors import CatalogError


def day_files(query: Query, values: dict[str, str | None], source: str, files: list[str]) -> list[str]:
    """The files of `source` that can hold rows `query` reads, given its bound parameter values."""
    tree = query.ast()
    refs = [t for t in tree.find_all(exp.Table) if t.name.lower() == source and not t.args.get("db")]
    filters = [_filter(table, query) for table in refs]
    if not refs or any(f is None for f in filters) or len(set(filters)) != 1:
        return files
    column, param = filters[0]
    if values.get(param.name) is None:
        return files
    try:
        wanted = canonical(query, param, values[param.name])
        marked = [(_marker(path, column), path) for path in files]
        if any(value is None for value, _ in marked):
            return files
        return [path for value, path in marked if canonical(query, param, value) == wanted]
    except CatalogError:  # a directory value that is not a value of the parameter's type
        return files


def _filter(table: exp.Table, query: Query) -> tuple[str, Param] | None:
    """(column, parameter) when the table's SELECT keeps only rows with `column = :parameter`."""
    select = table.parent.parent if isinstance(table.parent, (exp.From, exp.Join)) else None
    if not isinstance(select, exp.Select) or select.args.get("where") is None:
        return None
    alias = (table.alias or table.name).lower()
    alone = not select.args.get("joins")
    params = {p.name: p for p in query.params if p.type in ("date", "int", "string")}
    for term in _conjuncts(select.args["where"].this):
        if not isinstance(term, exp.EQ):
            continue
        for column, other in ((term.this, term.expression), (term.expression, term.this)):
            if (
                isinstance(column, exp.Column) and isinstance(other, exp.Placeholder) and other.name in params
                and (column.table.lower() == alias or (not column.table and alone))
            ):
                return column.name.lower(), params[other.name]
    return None


def _conjuncts(node: exp.Expression):
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        yield from _conjuncts(node.this)
        yield from _conjuncts(node.expression)
    else:
        yield node


def _marker(path: str, column: str) -> str | None:
    """The value of `column=` in the path's directories or file stem, if exactly one is there."""
    parts = path.replace("\\", "/").split("/")
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    found = [unquote(p.split("=", 1)[1]) for p in parts if "=" in p and p.split("=", 1)[0].lower() == column]
    return found[0] if len(found) == 1 else None
