"""Spark answers at the edges that DuckDB and Polars give otherwise, spelled out or refused:
POWER of NaN and infinity (Java's Math.pow), SPLIT_PART by '', `div` of fractions, TO_BINARY,
DATE_FROM_UNIX_DATE, TIMESTAMPADD of a DATE, text read as a number (Spark trims blanks)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all, typed_nodes

_DOUBLE = exp.DataType.build("double")
_BLANK = r"[\x00-\x20]+"  # what Spark trims before reading text as a number


def _double(text: str) -> exp.Expression:
    return exp.cast(exp.Literal.string(text), _DOUBLE.copy())


def spark_power(tree, ctx):
    # Java: |x| = 1 and y infinite or NaN is NaN (C, so DuckDB and Polars: 1). ABS(NaN) is above
    # +Infinity in DuckDB's and Polars' comparisons.
    def build(node):
        edge = exp.and_(
            exp.EQ(this=exp.Abs(this=node.this.copy()), expression=exp.Literal.number(1)),
            exp.GTE(this=exp.Abs(this=node.expression.copy()), expression=_double("Infinity")),
        )
        return exp.paren(exp.case().when(edge, _double("NaN")).else_(node.copy()))

    return replace_all(tree, exp.Pow, build)


def spark_split_part(tree, ctx):
    # Spark does not split by '': the whole text is part 1 (and -1), any other part ''.
    for node in list(tree.find_all(exp.SplitPart)):
        delimiter, index = node.args.get("delimiter"), node.args.get("part_index")
        if delimiter is None or index is None:
            continue
        whole = exp.case().when(exp.In(this=index.copy(), expressions=[exp.Literal.number(1), exp.Literal.number(-1)]),
                                node.this.copy()).else_(exp.Literal.string(""))
        if isinstance(delimiter, exp.Literal):
            if delimiter.name == "":
                node.replace(exp.paren(whole))
            continue
        empty = exp.EQ(this=delimiter.copy(), expression=exp.Literal.string(""))
        node.replace(exp.paren(exp.case().when(empty, whole).else_(node.copy())))
    return tree


def spark_div_of_fractions(tree, ctx):
    # Spark's `div` truncates the exact quotient to a BIGINT; DuckDB's // of DECIMALs is a plain
    # division (51 // 2 is 25.5). DECIMALs with s places: both sides times 10^s as HUGEINTs, whose
    # // truncates (when every value fits 38 digits); other fractions are refused.
    for node in typed_nodes(tree, ctx, exp.IntDiv, operands=("this", "expression")):
        sides = [(side, side.type) for side in (node.this, node.expression)]
        places = max((_scale(k) for _, k in sides if k is not None and k.is_type(exp.DType.DECIMAL)), default=0)
        for side, kind in sides:
            if kind is None or kind.is_type(exp.DType.NULL):
                continue
            if kind.is_type(*exp.DataType.INTEGER_TYPES):
                if places:  # (a BIGINT times 10^18 fits a HUGEINT)
                    power = exp.Literal.number(10**places)
                    side.replace(exp.Mul(this=exp.cast(side.copy(), "hugeint"), expression=power))
            elif (kind.is_type(exp.DType.DECIMAL) and places <= 18 and _precision(kind) - _scale(kind) + places <= 38
                  and all(isinstance(s, (exp.Column, exp.Cast)) or not k.is_type(exp.DType.DECIMAL) for s, k in sides
                          if k is not None)):  # (sqlglot's sizes of decimal arithmetic are not Spark's)
                wide = exp.Mul(this=exp.cast(side.copy(), f"decimal(38, {places})"),
                               expression=exp.Literal.number(10**places))
                side.replace(exp.cast(wide, "hugeint"))
            else:
                raise Refused(node, f"Spark's `div` of a {kind.sql()} truncates to a BIGINT; {ctx.engine}"
                              " divides otherwise: cast the operands to BIGINT first")
    return tree


def _precision(decimal: exp.DataType) -> int:
    params = decimal.expressions
    return int(params[0].this.name) if params else 18


def _scale(decimal: exp.DataType) -> int:
    params = decimal.expressions
    return int(params[1].this.name) if len(params) > 1 else 0


def spark_to_binary(tree, ctx):
    # TO_BINARY(s) without a format reads s as hex: said so, for the translation of 'hex'.
    for node in tree.find_all(exp.ToBinary):
        if node.args.get("format") is None:
            node.set("format", exp.Literal.string("hex"))
    return tree


def spark_date_from_unix_date(tree, ctx):
    for node in list(tree.find_all(exp.DateFromUnixDate)):
        if not isinstance(node.parent, exp.Cast):
            node.replace(exp.Cast(this=node.copy(), to=exp.DataType.build("date")))
    return tree


def spark_timestampadd_of_date(tree, ctx):
    # Spark's TIMESTAMPADD of a DATE is a TIMESTAMP; Polars keeps the DATE.
    for node in typed_nodes(tree, ctx, exp.TimestampAdd):
        arg = node.this
        if arg.type is not None and arg.type.is_type(exp.DType.DATE):
            arg.replace(exp.Cast(this=arg.copy(), to=exp.DataType.build("timestamp")))
    return tree


_DECIMAL_TEXT = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?"
_SPECIAL_TEXT = r"[+-]?(inf|infinity|nan)"


def spark_text_to_number(tree, ctx):
    # Spark trims blanks and control characters (up to ' ') before reading text as a number, reads
    # a double as Java does ('1d', '2.5F'; 'inf', '-Infinity', 'NaN' in any case) and a decimal as
    # Java's BigDecimal. Polars gives NULL for ' 1', DuckDB reads '1_000' and '+-7'. Text that is
    # no number is NULL (ANSI off), also for double('x'), which sqlglot reads as a CAST.
    floats = (exp.DType.DOUBLE, exp.DType.FLOAT)
    for node in typed_nodes(tree, ctx, (exp.Cast, exp.TryCast), lambda c: c.to.is_type(*floats, exp.DType.DECIMAL)):
        arg = node.this.type
        if arg is None or not arg.is_type(*exp.DataType.TEXT_TYPES):
            continue
        if isinstance(node.this, exp.Literal) and node.this.is_string:
            node.replace(_text_number(node.this.this, node.to))
            continue
        text = exp.Lower(this=node.this.copy())
        for pattern in (f"^{_BLANK}", f"{_BLANK}$"):
            text = exp.RegexpReplace(this=text, expression=exp.Literal.string(pattern),
                                     replacement=exp.Literal.string(""))
        case = exp.case()
        if node.to.is_type(*floats):
            case = case.when(_like(text, f"^{_SPECIAL_TEXT}$"), exp.TryCast(this=text.copy(), to=node.to.copy()))
            number = _like(text, f"^{_DECIMAL_TEXT}[df]?$")
            suffix = exp.Literal.string("[df]$")
            text = exp.RegexpReplace(this=text, expression=suffix, replacement=exp.Literal.string(""))
        else:
            number = _like(text, f"^{_DECIMAL_TEXT}$")
            if ctx.engine == "polars":  # Polars rounds a tie to even: a 1 past the scale rounds it up
                scale = ([int(e.name) for e in node.to.expressions] + [0, 0])[1]
                past = exp.DPipe(this=text.copy(), expression=exp.Literal.string("0" * scale + "1"))
                text = exp.case().when(_like(text, r"\.[0-9]*$"), past).else_(text)
        node.replace(exp.paren(case.when(number, exp.TryCast(this=text, to=node.to.copy()))))
    return tree


def _text_number(text: str, to: exp.DataType) -> exp.Expression:
    """A text literal read as Spark reads it, folded: CAST('1000.0' AS DOUBLE), or a NULL."""
    text = re.sub(f"^{_BLANK}|{_BLANK}$", "", text).lower()
    value = None
    if to.is_type(exp.DType.DECIMAL):
        if re.fullmatch(_DECIMAL_TEXT, text):  # rounded half up to the scale, NULL if too wide
            precision, scale = ([int(e.name) for e in to.expressions] + [10, 0][len(to.expressions):])[:2]
            with localcontext() as exact:  # 38 digits and more: the default context has 28
                exact.prec = 80
                try:
                    number = Decimal(text).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
                except InvalidOperation:  # wider than 80 digits: past any DECIMAL
                    number = None
            value = str(number) if number is not None and number.adjusted() < precision - scale else None
    elif re.fullmatch(_SPECIAL_TEXT, text):
        value = "NaN" if "nan" in text else ("-Infinity" if text.startswith("-") else "Infinity")
    elif re.fullmatch(f"{_DECIMAL_TEXT}[df]?", text):
        value = text.rstrip("df")
    literal = exp.null() if value is None else exp.Literal.string(value)
    return exp.TryCast(this=literal, to=to.copy())


def _like(text: exp.Expression, pattern: str) -> exp.Expression:
    return exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(pattern))


# Spark to Spark: a datetime pattern goes back as written. sqlglot reads it into strftime and
# writes it back its own way ('y' comes back as 'yyyy', which reads and writes years otherwise).
PATTERN_CALLS = (exp.StrToTime, exp.StrToDate, exp.TimeToStr, exp.TsOrDsToDate, exp.StrToUnix, exp.UnixToStr)
_NEXT_TEXT = re.compile(r"""\s*,\s*(?:'((?:[^'\\]|\\.|'')*)'|"((?:[^"\\]|\\.)*)")""")


def spark_patterns_as_written(tree, ctx):
    for node in list(tree.find_all(PATTERN_CALLS)):
        form = node.args.get("format")
        if not isinstance(form, exp.Literal) or not form.is_string:
            continue
        ends = [n.meta["end"] for n in node.this.walk() if n._meta and "end" in n.meta]
        match = _NEXT_TEXT.match(ctx.query.sql, max(ends) + 1) if ends else None
        if match is None:
            continue
        text = match.group(1) if match.group(1) is not None else match.group(2)
        if "\\" in text or "%" in text or "''" in text:
            continue  # escapes: left to sqlglot's reading
        form.replace(exp.Literal.string(text))
    return tree
