"""LIKE / ILIKE ... ESCAPE on Polars, which has no ESCAPE (DuckDB's sqllogictests, test_like_escape).

A constant pattern and escape become a regular expression matched whole (`~`): % is any text, _
one character, the escape character makes the next one literal; ILIKE matches without case. An
empty escape is no escape (a plain LIKE). A pattern or escape that is not a constant, an escape
of more than one character or a pattern ending in it (an error in DuckDB) is refused.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all

META = set("\\.+*?()|[]{}^$#&-~")  # escaped in Rust's regex syntax


def _regex(node: exp.Expression, pattern: str, escape: str) -> str:
    out, chars = [], iter(pattern)
    for c in chars:
        if escape and c == escape:
            c = next(chars, None)
            if c is None:
                raise Refused(node, "a LIKE pattern ending in its escape character is an error in DuckDB")
            out.append("\\" + c if c in META else c)
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append("\\" + c if c in META else c)
    return "".join(out)


def _build(node: exp.Escape) -> exp.Expression:
    like, escape = node.this, node.expression
    if not isinstance(like, exp.Like | exp.ILike):
        return node
    pattern = like.expression
    if any(isinstance(x, exp.Null) for x in (escape, pattern, like.this)):
        return exp.cast(exp.null(), exp.DType.BOOLEAN)
    if not (isinstance(escape, exp.Literal) and escape.is_string and isinstance(pattern, exp.Literal)
            and pattern.is_string):
        raise Refused(node, "Polars has no LIKE ... ESCAPE: translated only for a constant pattern and escape")
    if len(escape.name) > 1:
        raise Refused(node, "an ESCAPE of more than one character is an error in DuckDB")
    flags = "(?is)" if isinstance(like, exp.ILike) else "(?s)"
    regex = f"{flags}^{_regex(node, pattern.name, escape.name)}$"
    matched: exp.Expression = exp.RegexpLike(this=like.this.copy(), expression=exp.Literal.string(regex))
    if like.args.get("negate"):
        matched = exp.Not(this=exp.Paren(this=matched))
    return exp.Paren(this=matched)


def duckdb_like_escape_on_polars(tree, ctx):
    return replace_all(tree, exp.Escape, _build)
