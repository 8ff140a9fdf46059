"""Reading a query file: parse it once per text (deep statements on a deep stack), refuse what
must not run, and say where in the file a node is."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from sqlrun import dialects  # noqa: F401  (registers the Polars dialect)
from sqlrun.deep import MAX_DEPTH, deep, nesting, run_deep
from sqlrun.engine.safety import refusal
from sqlrun.errors import CompileError

if TYPE_CHECKING:
    from sqlrun.engine.catalog import Query

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
    return tuple(s for s in sqlglot.parse(sql, read=_reader(dialect)) if s is not None)


@functools.lru_cache(maxsize=8)
def _reader(dialect: str):
    """The dialect sqlglot reads with. Spark reads '' inside a '...' literal as one quote ('O''x'
    is O'x); sqlglot's Spark reads two literals and concatenates them. Spark's grammar
    (SqlBaseParser.g4) is taught here: `predicated: valueExpression predicate?`, where a
    valueExpression holds the comparisons (= <> < <= > >= <=>, one precedence, left to right) and
    the predicate (LIKE, ILIKE, RLIKE, IN, BETWEEN, IS ...) takes it whole, once, with
    valueExpressions as its other operands: `b <> s < t` is (b <> s) < t, `b = s LIKE 'a%'` is
    (b = s) LIKE 'a%' and `s LIKE 'a' = b` is s LIKE ('a' = b); sqlglot binds them the other way."""
    if dialect not in ("spark", "databricks", "hive"):
        return dialect
    base = type(sqlglot.Dialect.get_or_raise(dialect))

    class Tokenizer(base.Tokenizer):
        STRING_ESCAPES = [*base.Tokenizer.STRING_ESCAPES, "'"]

    return type(f"{base.__name__}SqlrunQuotes", (base,), {"Tokenizer": Tokenizer, "Parser": _spark_parser(base)})()


def _spark_parser(base):
    def operand(klass):
        def parse(self, this):
            return self._parse_escape(self.expression(klass(this=this, expression=self._parse_equality(False))))

        return parse

    def between(self, this):
        low = self._parse_equality(False)
        self._match(TokenType.AND)
        return self.expression(exp.Between(this=this, low=low, high=self._parse_equality(False)))

    class Parser(base.Parser):
        EQUALITY = {**base.Parser.EQUALITY, **base.Parser.COMPARISON}
        COMPARISON = {}
        RANGE_PARSERS = {
            **base.Parser.RANGE_PARSERS,
            TokenType.LIKE: operand(exp.Like),
            TokenType.ILIKE: operand(exp.ILike),
            TokenType.RLIKE: operand(exp.RegexpLike),
            TokenType.BETWEEN: between,
        }

        def _parse_equality(self, parse_is: bool = True):
            # valueExpression: arithmetic, then the comparisons left to right
            this = self._parse_bitwise()
            while self._match_set(self.EQUALITY):
                klass, comments = self.EQUALITY[self._prev.token_type], self._prev_comments
                this = self._build_predicate(klass, this, self._parse_bitwise(), comments=comments)
            if not parse_is:
                return this
            # predicate?: one of them, NOT before it or (IS NOT) inside it
            index = self._index
            negate = self._match(TokenType.NOT)
            if not self._match_set(self.RANGE_PARSERS):
                self._retreat(index)
                return this
            found = self.RANGE_PARSERS[self._prev.token_type](self, this)
            if not found:
                self._retreat(index)
                return this
            return self._negate_range(found) if negate else found

    return Parser


@functools.lru_cache(maxsize=256)
def _refusal(sql: str, dialect: str) -> tuple[exp.Expression, str] | None:
    return refusal(_parse(sql, dialect)[0])


# Measured: sqlglot's parser takes ~20 Python frames per level of parentheses, its generator up to
# ~6 per tree level; Python's default limit is 1000 frames. Within these, no thread is needed (a
# thread costs milliseconds); past them, or on a RecursionError, the work runs in deep.run_deep.
SHALLOW_TEXT = 15  # deep.nesting() of the text
SHALLOW_TREE = 60  # deep.tree_depth() of the tree


def too_deep(query: Query) -> CompileError:
    return CompileError(f"{query.path}: the statement nests more than {MAX_DEPTH} levels deep")


def parse_query(query: Query, copy: bool = True) -> exp.Expression:
    """Parse the file in its source dialect; exactly one statement, no opaque Command.

    The tree is a fresh copy that callers may change, or with copy=False the shared parse,
    only to be read."""
    try:
        statements = _parse(query.sql, query.dialect)
    except RecursionError:
        raise too_deep(query) from None
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
