"""DuckDB texts that Polars reads otherwise (duckdb -> polars).

A text compared with a BOOLEAN is cast to BOOLEAN in DuckDB ('1', 't', 'yes'... are true; any
other text is an error), where Polars compares the two as they are (never equal): a text literal
becomes its BOOLEAN, any other text operand is refused. The texts 'infinity', '-infinity', 'inf'
and 'epoch' cast to a DATE or TIMESTAMP are DuckDB's special values; Polars and Spark read NULL
or fail: refused."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes

COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)
TRUE, FALSE = {"1", "t", "true", "y", "yes"}, {"0", "f", "false", "n", "no"}
SPECIAL = {"infinity", "-infinity", "inf", "-inf", "epoch"}
MOMENTS = (*exp.DataType.TEMPORAL_TYPES,)


def _text_literal(node: exp.Expression) -> exp.Literal | None:
    while isinstance(node, (exp.Cast, exp.Paren)) and not isinstance(node, exp.TryCast):
        if isinstance(node, exp.Cast) and not node.to.is_type(*exp.DataType.TEXT_TYPES):
            return None
        node = node.this
    return node if isinstance(node, exp.Literal) and node.is_string else None


def _is_text(node: exp.Expression) -> bool:
    return node.type is not None and node.type.is_type(*exp.DataType.TEXT_TYPES)


def _is_bool(node: exp.Expression) -> bool:
    if isinstance(node, (exp.Any, exp.All, exp.Subquery, exp.Query)):  # compared with what they hold
        return False
    return isinstance(node, exp.Boolean) or (node.type is not None and node.type.is_type(exp.DType.BOOLEAN))


def boolean_text_comparisons(tree, ctx):
    for node in typed_nodes(tree, ctx, COMPARISONS, operands=("this", "expression")):
        for text, other in ((node.left, node.right), (node.right, node.left)):
            if not (_is_bool(other) and (_is_text(text) or _text_literal(text) is not None)):
                continue
            literal = _text_literal(text)
            value = literal.name.lower() if literal is not None else None
            if value not in TRUE | FALSE:
                raise Refused(node, "DuckDB casts a text compared with a BOOLEAN to BOOLEAN; Polars does not")
            text.replace(exp.Boolean(this=value in TRUE))
            break
    return tree


# a part of an infinite moment is NULL in DuckDB, as Spark's of its NULL (the special text cast)
PARTS = (exp.Year, exp.Quarter, exp.Month, exp.Week, exp.WeekOfYear, exp.Day, exp.DayOfMonth, exp.DayOfWeek,
         exp.DayOfWeekIso, exp.DayOfYear, exp.Hour, exp.Minute, exp.Second, exp.TimeToUnix, exp.LastDay,
         exp.Monthname, exp.Dayname)


def special_moments(tree, ctx):
    for node in tree.find_all(exp.Cast):
        literal = node.this
        if ctx.engine == "spark" and isinstance(node.parent, PARTS) and literal.name.strip().lower() != "epoch":
            continue
        if node.to.is_type(*MOMENTS) and isinstance(literal, exp.Literal) and literal.is_string:
            if literal.name.strip().lower() in SPECIAL:
                why = f"'{literal.name}' is a special value of DuckDB's {node.to.sql('duckdb')}; {ctx.engine} has none"
                raise Refused(node, why)
    return tree
