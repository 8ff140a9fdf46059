"""Spark's split(s, regex, limit) with limit > 0 on DuckDB: at most `limit` parts, the last one
the rest of s after the first limit - 1 matches.

DuckDB splits at every match; the rest starts after the first limit - 1 parts and as many
matches (REGEXP_EXTRACT_ALL scans as the split does). Only for a literal pattern that cannot
match the empty text (or is ''), where each part is followed by exactly one match.
"""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context, Refused


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    # DuckDB's own functions: no rule of Spark's meaning reads them
    return exp.Anonymous(this=name, expressions=list(args))


def _simple_pattern(pattern: exp.Expression) -> bool:
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        return False
    if pattern.name == "":
        return True
    try:
        return re.compile(pattern.name).search("") is None
    except re.error:
        return False


def _limited(node: exp.RegexpSplit, n: int) -> exp.Expression:
    text, pattern = node.this, node.expression
    parts = exp.RegexpSplit(this=text.copy(), expression=pattern.copy())  # Spark's split, no limit
    first = _call("LIST_SLICE", parts.copy(), exp.Literal.number(1), exp.Literal.number(n - 1))
    matches = _call("REGEXP_EXTRACT_ALL", text.copy(), pattern.copy())
    used = [first.copy(), _call("LIST_SLICE", matches, exp.Literal.number(1), exp.Literal.number(n - 1))]
    lengths = [_call("LENGTH", _call("ARRAY_TO_STRING", u, exp.Literal.string(""))) for u in used]
    start = exp.Add(this=exp.Literal.number(1), expression=exp.Add(this=lengths[0], expression=lengths[1]))
    rest = exp.Array(expressions=[_call("SUBSTRING", text.copy(), start)])
    few = exp.LTE(this=_call("LEN", parts.copy()), expression=exp.Literal.number(n))
    return exp.paren(
        exp.case()
        .when(exp.Is(this=parts.copy(), expression=exp.null()), exp.null())
        .when(few, parts.copy())
        .else_(_call("LIST_CONCAT", first, rest))
    )


def spark_split_limit(tree: exp.Expression, ctx: Context) -> exp.Expression:
    for node in list(tree.find_all(exp.RegexpSplit)):
        limit = node.args.get("limit")
        if not (isinstance(limit, exp.Literal) and limit.is_int and int(limit.name) > 0):
            continue  # none, or <= 0 (no limit): spark_call_details; not a literal: refused there
        if not _simple_pattern(node.expression):
            raise Refused(node, "Spark's split with a limit above 0 is only translated for a literal pattern")
        new = _limited(node, int(limit.name))
        new.meta.update(node.meta)
        if node is tree:
            return new
        node.replace(new)
    return tree
