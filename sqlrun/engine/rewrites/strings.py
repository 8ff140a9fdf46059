"""Strings: LISTAGG, SUBSTRING positions, CONCAT and NULL, regular expressions, FORMAT."""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import SPARK, Refused, is_null, replace_all
from sqlrun.engine.rewrites.null_arguments import is_constant
from sqlrun.engine.rewrites.substrings import int_literal

# --- strings ---


def redshift_listagg(tree, ctx):
    """LISTAGG(DISTINCT x, sep) WITHIN GROUP (ORDER BY k) -> one aggregate with its order."""

    def build(node):
        if not (isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.GroupConcat)):
            return node
        agg = node.this.copy()
        inner = agg.this
        separator = agg.args.get("separator")
        if isinstance(inner, exp.Distinct) and len(inner.expressions) == 2 and separator is None:
            # sqlglot reads Redshift's separator into the DISTINCT list.
            separator = inner.expressions[1]
            inner = exp.Distinct(expressions=[inner.expressions[0]])
        keys = node.expression.expressions if isinstance(node.expression, exp.Order) else []
        if isinstance(inner, exp.Distinct) and any(
            k.this != inner.expressions[0] for k in keys
        ):
            raise Refused(node, "LISTAGG(DISTINCT x) may only be ordered by x itself")
        def spark():
            # Spark 4 has LISTAGG ... WITHIN GROUP; make the DISTINCT/ORDER shape explicit.
            order = exp.Order(expressions=[k.copy() for k in keys])
            func = exp.Anonymous(this="LISTAGG", expressions=[inner, separator or exp.Literal.string("")])
            return exp.WithinGroup(this=func, expression=order)

        def group_concat():
            ordered = exp.Order(this=inner, expressions=[k.copy() for k in keys]) if keys else inner
            return exp.GroupConcat(this=ordered, separator=separator or exp.Literal.string(""))

        return ctx.per_engine(node, spark=spark, duckdb=group_concat, polars=group_concat)()

    return replace_all(tree, exp.WithinGroup, build)


# --- CONCAT: Redshift's propagates NULL; sqlglot reads it as PostgreSQL's, which skips NULLs ---


def redshift_concat(tree, ctx):
    if ctx.source != "redshift":
        return tree
    for node in tree.find_all(exp.Concat):
        node.set("coalesce", False)
        node.set("safe", False)
    return tree


# --- regular expressions ---


def _plain(text: exp.Expression | None) -> bool:
    """A literal replacement with no group references or escapes, read alike everywhere."""
    return text is None or (text.is_string and not set(text.name) & {"\\", "$"})


def regexp_replace(tree, ctx):
    # Redshift and Spark replace every match; DuckDB only the first unless flagged 'g'
    # (sqlglot reads Redshift like PostgreSQL, first match only).
    def build(node):
        replacement = node.args.get("replacement")
        if node.args.get("position") or node.args.get("occurrence"):
            raise Refused(node, "REGEXP_REPLACE with a position or occurrence is not translated")
        if not _plain(replacement):
            raise Refused(node, "group references and escapes in a REGEXP_REPLACE replacement differ between engines")
        if ctx.source == "redshift":
            node.set("single_replace", None)
            return node
        modifiers = node.args.get("modifiers")
        flags = modifiers.name if isinstance(modifiers, exp.Literal) else ("" if modifiers is None else None)
        if ctx.source != "duckdb" or ctx.engine != "spark" or not node.args.get("single_replace"):
            return node
        if flags is None or not set(flags) <= {"c", "g", "i"}:
            raise Refused(node, "REGEXP_REPLACE options other than 'c', 'g', 'i' are not translated")
        if "g" in flags:
            return node.set("modifiers", None) or node
        pattern = node.expression
        if not pattern.is_string:
            raise Refused(node, "DuckDB replaces only the first match; Spark needs a constant pattern to do that")
        # Spark replaces every match: anchor one match after the shortest prefix, keep the prefix.
        inline = "(?i)" if "i" in flags else ""
        rest = replacement.name if replacement is not None else ""
        if rest[:1].isdigit():
            raise Refused(node, "a replacement starting with a digit would read as a group number on Spark")
        # $1, not ${name}: Spark substitutes ${...} in SQL text as a variable.
        anchored = f"{inline}^([\\s\\S]*?)(?:{pattern.name})"
        text = "$1" + rest
        return exp.RegexpReplace(this=node.this.copy(), expression=exp.Literal.string(anchored),
                                 replacement=exp.Literal.string(text))

    return replace_all(tree, exp.RegexpReplace, build)


def regexp_substr(tree, ctx):
    # Redshift REGEXP_SUBSTR returns the whole match; Spark's REGEXP_EXTRACT defaults to group 1.
    for node in tree.find_all(exp.RegexpExtract):
        if node.args.get("group") is None:
            node.set("group", exp.Literal.number(0))
    return tree


# --- FORMAT: Spark's format_string is printf-style, DuckDB's format is fmt-style ('{}') ---

_FMT_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}%]")


def _fmt_to_printf(text: str) -> str | None:
    """'{}-{{x}}' -> '%s-{x}'; None for fields with a spec ('{:03d}') or a stray brace."""
    plain = {"{{": "{", "}}": "}", "{}": "%s", "%": "%%"}
    tokens = _FMT_FIELD.findall(text)
    if any(t not in plain for t in tokens):
        return None
    return _FMT_FIELD.sub(lambda m: plain[m.group(0)], text)


def format_styles(tree, ctx):
    def build(node):
        text = node.this.name if node.this.is_string else ""
        if ctx.source in SPARK and re.search(r"%[-#+ 0,(]*\d*(\.\d+)?[^-#+ 0,(\dsdS%]", text):
            raise Refused(node, "only %s and %d fields are translated (engines round %f differently)")
        if any(not isinstance(e, exp.Literal) for e in node.expressions):
            # Spark prints a NULL argument as 'null' (cut to the field's precision).
            raise Refused(node, "FORMAT/format_string is only translated for constant, non-NULL arguments")
        if ctx.source in SPARK:  # printf-style, which DuckDB spells PRINTF
            printf = exp.Anonymous(this="PRINTF", expressions=[node.this.copy(), *[e.copy() for e in node.expressions]])
            return ctx.per_engine(node, duckdb=printf, polars=node, redshift=node)
        text = node.this
        printf = _fmt_to_printf(text.name) if text.is_string else None
        if printf is None:
            raise Refused(node, "only a constant DuckDB format string with plain {} fields is translated")
        return exp.Format(this=exp.Literal.string(printf), expressions=[e.copy() for e in node.expressions])

    return replace_all(tree, exp.Format, build)


# --- LPAD / RPAD: Polars pads with one character only ---


def polars_padding(tree, ctx):
    def build(node):
        fill = node.args.get("fill_pattern")
        if int_literal(node.expression) is None or int_literal(node.expression) < 0:
            # A negative width pads to '' elsewhere; Polars fails at run time (found by tests/fuzz).
            negative = exp.LT(this=node.expression.copy(), expression=exp.Literal.number(0))
            node.set("expression", exp.Case(ifs=[exp.If(this=negative, true=exp.Literal.number(0))],
                                            default=node.expression.copy()))
        if fill is None or (fill.is_string and len(fill.name) == 1):
            return node
        width = int_literal(node.expression)
        if not fill.is_string or not fill.name or width is None:
            raise Refused(node, "Polars pads with one character; a longer fill needs constant width and fill")
        s = node.this
        pad = exp.Literal.string((fill.name * (width // len(fill.name) + 1))[:width])
        missing = exp.Sub(this=exp.Literal.number(width), expression=exp.Length(this=s.copy()))
        if node.args.get("is_left"):
            padded = exp.DPipe(this=exp.Left(this=pad, expression=missing), expression=s.copy(), safe=False)
        else:
            padded = exp.DPipe(this=s.copy(), expression=exp.Left(this=pad, expression=missing), safe=False)
        too_long = exp.GTE(this=exp.Length(this=s.copy()), expression=exp.Literal.number(width))
        return exp.case().when(too_long, exp.Left(this=s.copy(), expression=exp.Literal.number(width))).else_(padded)

    return replace_all(tree, exp.Pad, build)


# --- INSTR / LOCATE / CHARINDEX / STRPOS on Polars: its STRPOS gives 0 for a NULL string
# and takes no start position ---


def _characters_position(s, sub) -> exp.Expression:
    """Polars' STRPOS counts bytes before the match (STRPOS('ñb', 'b') is 3): the characters
    before it are the first part of s split by sub."""
    at = exp.StrPosition(this=s.copy(), substr=sub.copy())
    before = exp.Anonymous(this="SPLIT_PART", expressions=[s.copy(), sub.copy(), exp.Literal.number(1)])
    chars = exp.Add(this=exp.Length(this=before), expression=exp.Literal.number(1))
    empty = exp.EQ(this=sub.copy(), expression=exp.Literal.string(""))
    zero = exp.EQ(this=at.copy(), expression=exp.Literal.number(0))
    return exp.Case(ifs=[exp.If(this=exp.or_(zero, empty), true=at)], default=chars)


def polars_strpos(tree, ctx):
    def build(node):
        s, sub, start = node.this, node.args["substr"], node.args.get("position")
        if node.args.get("occurrence") is not None:
            raise Refused(node, "Polars has no n-th occurrence search")
        found = _characters_position(s, sub)
        if start is not None:
            if ctx.source not in SPARK:
                raise Refused(node, f"a {ctx.source} search from a start position is not translated for Polars")
            # Spark LOCATE(sub, s, pos): 0 for a NULL or < 1 start, else found at or after pos.
            tail = exp.Substring(this=s.copy(), start=start.copy())
            at = _characters_position(tail, sub)
            shifted = exp.Sub(this=exp.Add(this=at.copy(), expression=start.copy()), expression=exp.Literal.number(1))
            found = (
                exp.case()
                .when(is_null(start), exp.Literal.number(0))
                .when(exp.LT(this=start.copy(), expression=exp.Literal.number(1)), exp.Literal.number(0))
                .when(exp.EQ(this=at, expression=exp.Literal.number(0)), exp.Literal.number(0))
                .else_(shifted)
            )
        unknown = exp.or_(*[is_null(a) for a in (s, sub)])
        return exp.case().when(unknown, exp.Null()).else_(found)

    return replace_all(tree, exp.StrPosition, build)


# --- LEFT / RIGHT on Polars (found by tests/fuzz) ---


def polars_left_right(tree, ctx):
    # Polars' LEFT(NULL, 0) and RIGHT(NULL, 0) are '' and LEFT('abc', NULL) 'abc' (NULL in every
    # other engine), and its RIGHT('Zz', 3) is 'z': a count past the start gives the whole text elsewhere.
    def build(node):
        count = node.expression
        null = is_null(node.this) if is_constant(count) else exp.or_(is_null(node.this), is_null(count))
        ifs = [exp.If(this=null, true=exp.null())]
        if isinstance(node, exp.Right):
            whole = exp.LTE(this=exp.Length(this=node.this.copy()), expression=node.expression.copy())
            ifs.append(exp.If(this=whole, true=node.this.copy()))
        return exp.Case(ifs=ifs, default=node.copy())

    return replace_all(tree, (exp.Left, exp.Right), build)
