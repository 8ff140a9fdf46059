"""The one place SQL is generated: parse, bind, rewrite, generate - or raise."""

from __future__ import annotations

import functools
import logging
import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError, UnsupportedError

from sqlrun import dialects  # noqa: F401  (registers the Polars dialect)
from sqlrun.deep import MAX_DEPTH, deep, nesting, run_deep, tree_depth
from sqlrun.engine import rewrites
from sqlrun.engine.catalog import Param, Query
from sqlrun.engine.models.spec import is_create_model
from sqlrun.engine.rewrites.base import replace_all
from sqlrun.engine.rewrites.functions import known
from sqlrun.engine.safety import refusal
from sqlrun.engine.target import Target
from sqlrun.errors import CatalogError, CompileError

# sqlglot logs a warning before falling back to Command; we raise instead.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

def position(node: exp.Expression) -> tuple[int, int] | None:
    """The (line, column) of the first token under node, where sqlglot kept one."""
    best = None
    for sub in node.walk():
        meta = sub.meta if sub._meta else None
        if meta and "line" in meta:
            # sqlglot's col is where the token ends; start/end give its width.
            width = meta["end"] - meta["start"] if "start" in meta and "end" in meta else 0
            key = (meta["line"], meta["col"] - width)
            best = key if best is None or key < best else best
    return best


def where(query: Query, node: exp.Expression | None = None) -> str:
    pos = position(node) if node is not None else None
    return f"{query.path}:{pos[0]}:{pos[1]}" if pos else str(query.path)


def construct(node: exp.Expression) -> str:
    """A short human name for a syntax node: the function name or the SQL it came from."""
    if isinstance(node, exp.Anonymous):
        return f"function {node.name.upper()}()"
    if isinstance(node, exp.Func):
        return f"function {node.sql_name()}()"
    text = node.sql()
    return text if len(text) <= 60 else text[:57] + "..."


def fail(query: Query, node: exp.Expression | None, engine: str, reason: str) -> CompileError:
    what = f"{construct(node)}: " if node is not None else ""
    return CompileError(
        f"{where(query, node)}: {what}{reason} ({query.dialect} -> {engine})"
    )


@functools.lru_cache(maxsize=256)
def _parse(sql: str, dialect: str) -> tuple[exp.Expression, ...]:
    # A run parses each file for the plan and again to compile it: parse once per text.
    depth = nesting(sql)
    if depth > MAX_DEPTH:
        raise RecursionError(depth)
    if depth > SHALLOW_TEXT:
        return run_deep(_parse_text, sql, dialect)
    return _parse_text(sql, dialect)


@deep
def _parse_text(sql: str, dialect: str) -> tuple[exp.Expression, ...]:
    return tuple(s for s in sqlglot.parse(sql, read=dialect) if s is not None)


@functools.lru_cache(maxsize=256)
def _refusal(sql: str, dialect: str) -> tuple[exp.Expression, str] | None:
    return refusal(_parse(sql, dialect)[0])


# Measured: sqlglot's parser takes ~20 Python frames per level of parentheses, its generator up to
# ~6 per tree level; Python's default limit is 1000 frames. Within these, no thread is needed (a
# thread costs milliseconds); past them, or on a RecursionError, the work runs in deep.run_deep.
SHALLOW_TEXT = 15  # deep.nesting() of the text
SHALLOW_TREE = 60  # deep.tree_depth() of the tree


def _too_deep(query: Query) -> CompileError:
    return CompileError(f"{query.path}: the statement nests more than {MAX_DEPTH} levels deep")


def parse_query(query: Query, copy: bool = True) -> exp.Expression:
    """Parse the file in its source dialect; exactly one statement, no opaque Command.

    The tree is a fresh copy that callers may change, or with copy=False the shared parse,
    only to be read."""
    try:
        statements = _parse(query.sql, query.dialect)
    except RecursionError:
        raise _too_deep(query) from None
    except ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        loc = f"{query.path}:{err.get('line', '?')}:{err.get('col', '?')}"
        msg = str(err.get("description") or exc).split("\n")[0]
        raise CompileError(f"{loc}: syntax error in {query.dialect} SQL: {msg}") from None
    except TokenError as exc:
        raise CompileError(f"{query.path}: cannot tokenize {query.dialect} SQL: {exc}") from None
    if len(statements) != 1:
        raise CompileError(f"{query.path}: expected one statement, found {len(statements)}")
    if not query.unsafe_sql and (found := _refusal(query.sql, query.dialect)) is not None:
        node, reason = found
        allow = "unsafe_sql = true in [project] allows it"
        raise CompileError(f"{where(query, node)}: {construct(node)}: {reason} ({allow})")
    return statements[0].copy() if copy else statements[0]


def _literal(query: Query, param: Param, raw: str) -> exp.Expression:
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    bad = CatalogError(f"{query.path}: parameter {param.name}={shown!r} is not a valid {param.type}")
    try:
        if param.type == "date":
            return exp.cast(exp.Literal.string(date.fromisoformat(raw).isoformat()), "date")
        if param.type == "timestamp":
            return exp.cast(exp.Literal.string(_timestamp(raw)), "timestamp")
        if param.type == "int":
            value = int(raw)
            if not -(2**63) <= value < 2**63:
                raise CatalogError(f"{query.path}: parameter {param.name}={shown!r} is out of the 64-bit int range")
            return exp.convert(value)
        if param.type == "float":
            value = float(raw)
            if not math.isfinite(value):
                raise bad
            # A bare 0.5 is a DECIMAL literal in Spark and DuckDB; a float parameter is a DOUBLE.
            return exp.cast(exp.Literal.number(repr(abs(value))), "double") if value >= 0 else exp.Neg(
                this=exp.cast(exp.Literal.number(repr(-value)), "double")
            )
        if param.type == "decimal":
            return _decimal(query, param, shown, Decimal(raw.strip()))
        if param.type == "bool":
            flags = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
            return exp.Boolean(this=flags[raw.strip().lower()])
    except (ValueError, KeyError, InvalidOperation):
        raise bad from None
    return exp.Literal.string(raw)


def _timestamp(raw: str) -> str:
    """A timestamp parameter as UTC wall time: every engine runs in UTC, and a TIMESTAMP literal
    with an offset means 10:00 to DuckDB and Polars but 05:00 to Spark; so the offset is applied here."""
    value = datetime.fromisoformat(raw)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def _decimal(query: Query, param: Param, shown: str, value: Decimal) -> exp.Expression:
    """A decimal parameter keeps every digit: CAST('<digits>' AS DECIMAL(p, s)) with the precision and
    scale of its digits (a bare literal over 38 digits is a DOUBLE to Spark), or an error past 38."""
    if not value.is_finite():
        raise InvalidOperation
    _, digits, exponent = value.as_tuple()
    scale = max(0, -exponent)
    precision = max(len(digits) + max(exponent, 0), scale, 1)
    if precision > 38:
        raise CatalogError(
            f"{query.path}: parameter {param.name}={shown!r} needs {precision} digits; decimals hold at most 38"
        )
    text = format(value, "f")
    return exp.cast(exp.Literal.string(text), exp.DataType.build(f"DECIMAL({precision}, {scale})"))


def _placeholder_at(query: Query, name: str) -> str:
    """sqlglot keeps no position for placeholders: find the first `:name` in the text."""
    match = re.search(rf"(?<![:\w]):{re.escape(name)}\b", query.sql)
    if not match:
        return str(query.path)
    line = query.sql.count("\n", 0, match.start()) + 1
    col = match.start() - (query.sql.rfind("\n", 0, match.start()) + 1) + 1
    return f"{query.path}:{line}:{col}"


def bind_params(query: Query, tree: exp.Expression, values: dict[str, str]) -> exp.Expression:
    """Replace :name placeholders by typed literals built in the syntax tree."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise CatalogError(f"{query.path}: unknown parameter(s): {', '.join(unknown)}")
    used = set()
    for node in list(tree.find_all(exp.Placeholder)):
        name = node.name
        if not name:
            raise CatalogError(f"{where(query, node)}: positional '?' parameters are not supported")
        if name not in declared:
            raise CatalogError(f"{_placeholder_at(query, name)}: :{name} has no '-- param {name}: TYPE' header")
        used.add(name)
    missing = [n for n in used if n not in values and declared[n].default is None]
    if missing:
        raise CatalogError(f"{query.path}: missing parameter(s): {', '.join(sorted(missing))}")
    literals = {
        name: _literal(query, declared[name], values.get(name, declared[name].default))
        for name in used
    }
    return replace_all(tree, exp.Placeholder, lambda n: literals[n.name].copy())


def check_tree(query: Query, tree: exp.Expression, engine: str, target: str) -> None:
    """Fail closed on constructs sqlglot itself could not understand."""
    for node in tree.walk():
        if isinstance(node, exp.Command):
            raise fail(query, node, engine, "statement is not understood by sqlglot")
        if (isinstance(node, exp.Anonymous) and query.dialect != target and "sqlrun_model" not in node.meta
                and not known(query.dialect, node.name)):
            raise fail(query, node, engine, f"unknown {query.dialect} function")


def compile_tree(
    query: Query, target: Target, params: dict[str, str] | None = None, schema: dict | None = None
) -> exp.Expression:
    """The bound and rewritten syntax tree that `target` will run.

    `schema` ({table: {column: type}}) lets type-dependent rules translate instead of refusing.
    """
    try:
        if nesting(query.sql) > SHALLOW_TEXT:
            return run_deep(_compile_tree, query, target, params, schema)
        return _compile_tree(query, target, params, schema)
    except RecursionError:
        raise _too_deep(query) from None


@deep
def _compile_tree(
    query: Query, target: Target, params: dict[str, str] | None = None, schema: dict | None = None
) -> exp.Expression:
    engine = target.name
    if query.engines and engine not in query.engines:
        raise CompileError(
            f"{query.path}: query '{query.name}' is limited to engines {', '.join(query.engines)}"
            f" (asked for {engine})"
        )
    if is_create_model(query.sql):
        raise CompileError(
            f"{query.path}: CREATE MODEL is not a query: `sqlrun run {query.name}` trains the model,"
            " and queries call its FUNCTION"
        )
    tree = bind_params(query, parse_query(query), params or {})
    if target.functions is not None:
        tree = target.functions(query, tree, target)
    try:
        check_tree(query, tree, engine, target.dialect)
        return rewrites.apply(query, tree, target, schema)
    except rewrites.Refused as exc:
        raise fail(query, exc.node, engine, exc.reason) from None


def generate(query: Query, tree: exp.Expression, target: Target, copy: bool = True) -> str:
    """Render a compiled tree for `target`; anything sqlglot cannot render is an error.

    copy=False lets sqlglot's generator change the tree instead of a copy of it: for a tree
    that is not used again (a copy is ~0.3 ms of a TPC-H query's ~1.5 ms compile)."""
    adapter, engine = target.adapter, target.name
    depth = tree_depth(tree)
    if adapter.MAX_NESTING is not None and depth > adapter.MAX_NESTING:
        raise CompileError(
            f"{query.path}: the statement nests {depth} levels deep; {engine}'s SQL parser stops at about"
            f" {adapter.MAX_NESTING} (write it flatter, or run it on another engine) ({query.dialect} -> {engine})"
        )
    try:
        # The generator recurses ~4 frames per level and may change the tree (copy=False): a deep
        # tree goes straight to the deep-stack thread rather than being retried there.
        if depth > SHALLOW_TREE:
            return run_deep(_render, query, tree, target, copy)
        return _render(query, tree, target, copy)
    except RecursionError:
        raise _too_deep(query) from None


def _render(query: Query, tree: exp.Expression, target: Target, copy: bool) -> str:
    try:
        return tree.sql(dialect=target.dialect, unsupported_level=ErrorLevel.RAISE, pretty=True, copy=copy)
    except UnsupportedError as exc:
        reason = str(exc).split("\n")[0]
        node = culprit(tree, target.dialect)
        raise fail(query, node, target.name, f"not supported by {target.name}: {reason}") from None


def culprit(tree: exp.Expression, target: str) -> exp.Expression | None:
    """The smallest subtree the generator refuses, to point the error at its line.

    The generator reports only a message; rendering subtrees bottom-up finds the node.
    This runs only on the error path.
    """
    for node in reversed(list(tree.walk(bfs=True))):
        if not isinstance(node, exp.Expression) or position(node) is None:
            continue
        try:
            node.sql(dialect=target, unsupported_level=ErrorLevel.RAISE)
        except UnsupportedError:
            return node
        except Exception:  # a fragment out of its context may not render at all
            continue
    return None


def compile_query(
    query: Query, target: Target, params: dict[str, str] | None = None, schema: dict | None = None
) -> str:
    """The SQL string `target` will run for `query` (one file, no pipeline), or a CompileError."""
    return generate(query, compile_tree(query, target, params, schema), target, copy=False)
