"""DuckDB source, Spark engine: what Spark means otherwise (found by tests/fuzz, findings.md)."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, annotate, replace_all, spelled, typed_nodes


def duckdb_left_right_negative(tree, ctx):
    # DuckDB's LEFT(s, -n) drops n characters from the end (RIGHT(s, -n) from the start); Spark's
    # gives ''. A count not known to be >= 0 keeps |s| + n characters: the same text on Spark.
    def build(node):
        count = node.expression
        known = count.to_py() if count.is_int else None
        if known is not None and known >= 0:
            return node
        kept = exp.func("GREATEST", exp.Add(this=exp.Length(this=node.this.copy()), expression=count.copy()),
                        exp.Literal.number(0))
        negative = exp.LT(this=count.copy(), expression=exp.Literal.number(0))
        dropped = type(node)(this=node.this.copy(), expression=kept)
        if known is not None:
            return dropped
        return exp.Case(ifs=[exp.If(this=negative, true=dropped)], default=node.copy())

    return replace_all(tree, (exp.Left, exp.Right), build)



_NO_SPARK_PARTS = {"MILLENNIUM", "MILLENNIA", "MILLENNIUMS", "MIL", "MILS", "CENTURY", "CENTURIES", "C", "CENT",
                   "CENTS", "DECADE", "DECADES", "DEC", "DECS"}


def duckdb_calls_on_spark(tree, ctx):
    """DuckDB calls Spark means otherwise (found by the DuckDB corpus cases)."""
    for node in list(tree.find_all(exp.Extract)):
        if node.this.name.upper() in _NO_SPARK_PARTS:  # Spark's EXTRACT has no such field
            raise Refused(node, f"DuckDB's date part {node.this.name} is not translated for spark")
    for node in list(tree.find_all(exp.Escape)):
        escape = node.expression
        if not (isinstance(escape, exp.Literal) and len(escape.name) == 1):
            raise Refused(node, "LIKE ... ESCAPE with other than one character is not translated for spark")
    moments = (exp.DType.DATE, exp.DType.TIMESTAMP, exp.DType.TIMESTAMPTZ, exp.DType.TIMESTAMPNTZ)
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(*moments)):
        kind = node.this.type
        if kind is not None and kind.is_type(*exp.DataType.NUMERIC_TYPES):
            if not isinstance(node, exp.TryCast):
                raise Refused(node, "DuckDB has no CAST from a number to a DATE or TIMESTAMP")
            node.replace(exp.cast(exp.null(), node.to.copy()))  # DuckDB's TRY_CAST of a number: NULL
    # DuckDB's SIGN is a TINYINT (Spark's: the argument's type, 1.0 for a double)
    tree = replace_all(tree, exp.Sign, lambda n: n if isinstance(n.parent, exp.Cast) and n.parent.to.is_type(
        exp.DType.TINYINT) else exp.cast(n.copy(), "tinyint"))
    # DuckDB's ATAN2 keeps the sign of a zero (atan2(-0.0, -1) is -pi); Spark adds 0.0 to both first
    return replace_all(tree, exp.Atan2, lambda n: exp.Paren(this=spelled(
        "CASE WHEN {y} = 0 AND NOT ISNAN({x}) THEN"
        " (CASE WHEN CAST(CAST({y} AS DOUBLE) AS STRING) LIKE '-%' THEN CAST(-1 AS DOUBLE) ELSE CAST(1 AS DOUBLE) END)"
        " * (CASE WHEN {x} < 0 OR ({x} = 0 AND CAST(CAST({x} AS DOUBLE) AS STRING) LIKE '-%') THEN PI()"
        " ELSE CAST(0 AS DOUBLE) END) ELSE ATAN2({y}, {x}) END", y=n.this, x=n.expression)))


ORDERED = (exp.In, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Between)
_QUANTIFIED = (exp.All, exp.Any, exp.Subquery)  # (sqlglot types `x >= ALL (...)`'s operand BOOLEAN)


def duckdb_booleans_among_numbers(tree, ctx):
    """DuckDB compares a boolean with a number as the number 1 or 0 (`2 IN (TRUE)` is false);
    Spark does so for = only and fails at run time on IN, <, BETWEEN (Polars refuses IN to plan):
    the boolean is CAST."""
    annotate(tree, ctx)
    for node in sorted(tree.find_all(ORDERED), key=lambda n: -n.depth):  # innermost first: outer ones copy them
        if isinstance(node, exp.In) and node.args.get("query"):
            continue
        operands = [node.this, *node.expressions] if isinstance(node, exp.In) else [
            node.args[k] for k in ("this", "expression", "low", "high") if node.args.get(k) is not None]
        kinds = [o.type for o in operands]
        if not any(k is not None and k.is_type(*exp.DataType.NUMERIC_TYPES) for k in kinds):
            continue
        for operand, kind in zip(operands, kinds):
            if kind is not None and kind.is_type(exp.DType.BOOLEAN) and not isinstance(operand, _QUANTIFIED):
                operand.replace(exp.cast(operand.copy(), "int"))
    return tree


def duckdb_int_div_of_fractions(tree, ctx):
    """DuckDB's // of a DECIMAL or DOUBLE divides as DOUBLE without truncating (21.5 // 2 is
    10.75); Spark's DIV truncates (decimals) or fails (doubles): a DOUBLE division there."""
    for node in typed_nodes(tree, ctx, exp.IntDiv, operands=("this", "expression")):
        kinds = [node.this.type, node.expression.type]
        if any(k is None or k.is_type(exp.DType.UNKNOWN) for k in kinds):
            raise Refused(node, "DuckDB's // truncates integers and divides fractions; the operands' types are"
                                " unknown here: CAST them")
        if all(k.is_type(*exp.DataType.INTEGER_TYPES) for k in kinds):
            continue
        left, right = (exp.cast(side.copy(), "double") for side in (node.this, node.expression))
        node.replace(exp.Div(this=left, expression=right))
    return tree


# DuckDB reads text as a DATE with '-', '/', '\' or ' ' between year, month and day (the same one
# twice), blanks around, and a valid time after it; Spark only with '-'. Found by tests/fuzz, seed
# 204: TRY_CAST(strftime(d, '%Y/%m/%d') AS DATE) was NULL on Spark. The fields are read and
# written as 'yyyy-mm-dd'. (Polars, open: it has no REGEXP_EXTRACT, reads ' ' as NULL, '.' as a day.)
_SEP = r"[-/\\ ]"
_DUCKDB_DATE = (r"^\s*[0-9]+(-[0-9]{1,2}-|/[0-9]{1,2}/|\\[0-9]{1,2}\\| [0-9]{1,2} )[0-9]{1,2}"
                r"(\s*|[ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?\s*)$")
_FIELDS = (r"^\s*([0-9]+)", rf"^\s*[0-9]+{_SEP}([0-9]+)", rf"^\s*[0-9]+{_SEP}[0-9]+{_SEP}([0-9]+)")


def duckdb_text_to_date(tree, ctx):
    keep = lambda c: c.to.is_type(exp.DType.DATE)  # noqa: E731
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), keep):
        kind = node.this.type
        if kind is None or not kind.is_type(*exp.DataType.TEXT_TYPES) or isinstance(node.this, exp.Literal):
            continue
        text = node.this
        valid = exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(_DUCKDB_DATE))
        year, month, day = (_field(text, pattern, width) for pattern, width in zip(_FIELDS, (4, 2, 2)))
        iso = spelled("{y} || '-' || {m} || '-' || {d}", y=year, m=month, d=day)
        node.replace(exp.Paren(this=exp.case().when(valid, exp.TryCast(this=iso, to=exp.DataType.build("date")))))
    return tree


def _field(text: exp.Expression, pattern: str, width: int) -> exp.Expression:
    part = exp.RegexpExtract(this=text.copy(), expression=exp.Literal.string(pattern), group=exp.Literal.number(1))
    wide = exp.Greatest(this=exp.Length(this=part.copy()), expressions=[exp.Literal.number(width)])  # LPAD cuts
    return exp.Pad(this=part, expression=wide, fill_pattern=exp.Literal.string("0"), is_left=True)


def duckdb_modulo_of_doubles(tree, ctx):
    """DuckDB's x % 0 of doubles is NaN (fmod); Spark's NULL (found by tests/fuzz, seed 204)."""
    floats = (exp.DType.DOUBLE, exp.DType.FLOAT)
    for node in typed_nodes(tree, ctx, exp.Mod, operands=("this", "expression")):
        kinds = [node.this.type, node.expression.type]
        if not any(k is not None and k.is_type(*floats) for k in kinds):
            continue
        nan = exp.cast(exp.Literal.string("NaN"), "double")
        zero = exp.EQ(this=node.expression.copy(), expression=exp.Literal.number(0))
        node.replace(exp.Paren(this=exp.case().when(zero, nan).else_(node.copy())))
    return tree
