"""DuckDB's string_split / string_split_regex on Spark.

string_split(s, NULL) is [s] in DuckDB (NULL in Spark); string_split(s, '') is s's characters,
where Spark's split by the quoted empty text adds an empty last element (its split by the empty
pattern gives the characters, and [''] for ''). A regular expression that can match the empty text splits
otherwise in Spark (empty pieces at each empty match): refused.
"""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, is_null, replace_all


def _characters(text: exp.Expression) -> exp.Expression:
    """Spark's split by the empty pattern gives each character, and [''] for '' (DuckDB: [])."""
    piece = exp.to_identifier("c")
    return exp.ArrayFilter(
        this=exp.RegexpSplit(this=text.copy(), expression=exp.Literal.string("")),
        expression=exp.Lambda(this=exp.NEQ(this=exp.column(piece), expression=exp.Literal.string("")),
                              expressions=[piece]),
    )


def _whole(text: exp.Expression) -> exp.Expression:
    return exp.If(this=is_null(text), true=exp.null(), false=exp.Array(expressions=[text.copy()]))


def _split(node: exp.Split) -> exp.Expression:
    text, sep = node.this, node.expression
    if isinstance(sep, exp.Null):
        return _whole(text)
    if isinstance(sep, exp.Literal) and sep.is_string:
        if sep.name == "":
            return _characters(text)
        if r"\E" in sep.name:
            raise Refused(node, r"string_split by a text holding \E (sent as a quoted pattern)")
        return node
    return exp.Case(ifs=[
        exp.If(this=is_null(sep), true=_whole(text)),
        exp.If(this=exp.EQ(this=sep.copy(), expression=exp.Literal.string("")),
               true=_characters(text)),
    ], default=node.copy())


def _regexp_split(node: exp.RegexpSplit) -> exp.Expression:
    pattern = node.expression
    if isinstance(pattern, exp.Literal) and pattern.is_string and pattern.name:
        try:
            empty = any(m.group(0) == "" for m in re.finditer(pattern.name, "a, b;1\t-"))
        except re.error:
            empty = True  # not read here: not known to be safe
        if empty or re.fullmatch(pattern.name, "") is not None:
            raise Refused(node, "string_split_regex by a pattern that may match the empty text: Spark"
                                " splits at such matches otherwise")
    return node


def duckdb_splits_on_spark(tree, ctx):
    tree = replace_all(tree, exp.RegexpSplit, _regexp_split)
    return replace_all(tree, exp.Split, _split)
