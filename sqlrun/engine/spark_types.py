"""Spark SQL's result types, as rules over sqlglot's type annotation (result_types.py uses them).

sqlglot's annotate_types in the Spark dialect, with the annotators below where Spark differs
from it or sqlglot has no answer: literals, decimal arithmetic (DecimalPrecision), SUM and AVG,
CASE/COALESCE/IF widening (TypeCoercion), ROUND/CEIL/FLOOR, date parts, datediff, ranking
functions and a few functions sqlglot does not know. UNKNOWN where a rule is not written.
"""

from __future__ import annotations

import functools

from sqlglot import exp

SPARK = ("spark", "spark2", "databricks")  # the source dialects whose rules are written below
T = exp.DType
INTS = {T.TINYINT: 3, T.SMALLINT: 5, T.INT: 10, T.BIGINT: 20}  # digits, as Spark widens them to decimals
FLOATS = (T.FLOAT, T.DOUBLE)
MAX_PRECISION = 38
SECOND = ("SECOND", "SECONDS", "S", "SEC", "SECS")


def _decimal(precision: int, scale: int, bounded: bool = False) -> exp.DataType:
    """DECIMAL(p, s); over 38 digits Spark keeps the integer digits and at least 6 of the scale
    (adjustPrecisionScale), or cuts both to 38 (`bounded`, DecimalType.bounded)."""
    if precision > MAX_PRECISION:
        if bounded:
            precision, scale = MAX_PRECISION, min(scale, MAX_PRECISION)
        else:
            scale = max(MAX_PRECISION - (precision - scale), min(scale, 6))
            precision = MAX_PRECISION
    return exp.DataType.build(f"DECIMAL({precision}, {scale})")


def precision_scale(type_: exp.DataType) -> tuple[int, int] | None:
    """(precision, scale) of a decimal or integer type; None for a decimal of unknown size."""
    if type_.this == T.DECIMAL:
        params = type_.expressions
        return (int(params[0].name), int(params[1].name) if len(params) > 1 else 0) if params else None
    return (INTS[type_.this], 0) if type_.this in INTS else None


def _ps(node: exp.Expression) -> tuple[int, int] | None:
    """(precision, scale) of an operand; an integer literal counts its own digits."""
    if node.type and node.type.this in INTS and isinstance(node, exp.Literal) and node.is_int:
        return (len(node.name.lstrip("-").lstrip("0")) or 1, 0)
    return precision_scale(node.type) if node.type else None


def literal_type(e: exp.Literal) -> exp.DataType | None:
    """Spark: an integer literal is INT, BIGINT or DECIMAL by size; 1.5 is DECIMAL(2,1); 1e3 DOUBLE
    (None: as sqlglot types it)."""
    text = e.name
    if e.is_string or not text:
        return None
    if e.is_int:
        value = int(text)
        if not -(2**31) <= value < 2**31:
            return exp.DataType.build("BIGINT" if -(2**63) <= value < 2**63 else f"DECIMAL({len(text.lstrip('-'))}, 0)")
    elif "e" not in text.lower():
        whole, _, fraction = text.lstrip("-").partition(".")
        digits = (whole + fraction).lstrip("0")
        scale = len(fraction)
        return _decimal(max(len(digits) or 1, scale), scale)
    return None


def _literal(self, e: exp.Literal) -> exp.Literal:
    self._annotate_literal(e)
    kind = literal_type(e)
    if kind is not None:
        self._set_type(e, kind)
    return e


def _arithmetic_type(op: type, left: exp.Expression, right: exp.Expression) -> exp.DataType | T | None:
    """+ - * / %: integers widen, a float makes DOUBLE, decimals follow Spark's DecimalPrecision;
    None for operands that are not both numbers."""
    kinds = [n.type.this if n.type else T.UNKNOWN for n in (left, right)]
    if not all(k in INTS or k in FLOATS or k == T.DECIMAL for k in kinds):
        return None
    division = issubclass(op, exp.Div)
    if any(k in FLOATS for k in kinds) or (division and T.DECIMAL not in kinds):
        return T.DOUBLE if T.DOUBLE in kinds or T.DECIMAL in kinds or division else T.FLOAT
    if T.DECIMAL not in kinds:
        return max(kinds, key=lambda k: INTS[k])
    a, b = _ps(left), _ps(right)
    if a is None or b is None:
        return T.UNKNOWN
    (p1, s1), (p2, s2) = a, b
    if issubclass(op, (exp.Add, exp.Sub)):
        return _decimal(max(p1 - s1, p2 - s2) + max(s1, s2) + 1, max(s1, s2))
    if issubclass(op, exp.Mul):
        return _decimal(p1 + p2 + 1, s1 + s2)
    if division:
        scale = max(6, s1 + p2 + 1)
        return _decimal(p1 - s1 + s2 + scale, scale)
    return _decimal(min(p1 - s1, p2 - s2) + max(s1, s2), max(s1, s2))  # exp.Mod, pmod


def _arithmetic(self, e: exp.Binary) -> exp.Binary:
    type_ = _arithmetic_type(type(e), e.left, e.right)
    if type_ is None:
        return self._annotate_div(e) if isinstance(e, exp.Div) else self._annotate_binary(e)
    return self._set_type(e, type_)


def _function(self, e: exp.Anonymous) -> exp.Anonymous:
    """Spark functions sqlglot does not know: weekday, date_part, pmod, octet_length, the
    type-named integer casts, bround of an integer or float, get of an array."""
    name, args = e.name.lower(), e.expressions
    if name in ("weekday", "octet_length"):
        return self._set_type(e, T.INT)
    if name in ("tinyint", "smallint", "bigint"):
        return self._set_type(e, T[name.upper()])
    if name == "bround" and args and args[0].type and (args[0].type.this in INTS or args[0].type.this in FLOATS):
        return self._set_type(e, args[0].type)
    if name == "get" and args and args[0].type and args[0].type.is_type(T.ARRAY) and args[0].type.expressions:
        return self._set_type(e, args[0].type.expressions[0])
    if name == "date_part" and args and args[0].is_string:
        return self._set_type(e, _decimal(8, 6) if args[0].name.upper() in SECOND else T.INT)
    if name == "pmod" and len(args) == 2:
        return self._set_type(e, _arithmetic_type(exp.Mod, *args) or T.UNKNOWN)
    return self._set_type(e, T.UNKNOWN)


def _wider(types: list[exp.DataType]) -> exp.DataType | T:
    """Spark's wider common type of CASE/COALESCE/IF branches; UNKNOWN where not decided here."""
    kinds = {t.this for t in types if t.this != T.NULL}
    if not kinds:
        return T.NULL
    if len(kinds) == 1 and kinds != {T.DECIMAL}:
        return next(t for t in types if t.this != T.NULL)
    if kinds <= set(INTS):
        return max(kinds, key=lambda k: INTS[k])
    if kinds <= {*INTS, *FLOATS, T.DECIMAL}:
        if kinds & set(FLOATS):
            return T.DOUBLE if T.DOUBLE in kinds or T.DECIMAL in kinds or T.BIGINT in kinds else T.FLOAT
        pairs = [precision_scale(t) for t in types if t.this != T.NULL]
        if any(p is None for p in pairs):
            return T.UNKNOWN
        scale = max(s for _, s in pairs)
        return _decimal(max(p - s for p, s in pairs) + scale, scale, bounded=True)
    if kinds <= set(exp.DataType.TEXT_TYPES):
        return T.VARCHAR
    return T.UNKNOWN


def _branches(e: exp.Expression) -> list[exp.Expression]:
    """The values a CASE, IF or COALESCE can return."""
    if isinstance(e, exp.Case):
        values = [i.args.get("true") for i in e.args.get("ifs") or []] + [e.args.get("default")]
    elif isinstance(e, exp.If):
        values = [e.args.get("true"), e.args.get("false")]
    else:
        values = [e.this, *e.expressions]
    return [v for v in values if v is not None]


def _unified(self, e: exp.Expression) -> exp.Expression:
    types = [b.type if b.type else exp.DataType.build("UNKNOWN") for b in _branches(e)]
    return self._set_type(e, _wider(types))


def _sum(self, e: exp.Sum) -> exp.Sum:
    kind, ps = e.this.type.this if e.this.type else T.UNKNOWN, _ps(e.this)
    if kind in INTS:
        return self._set_type(e, T.BIGINT)
    if kind in FLOATS:
        return self._set_type(e, T.DOUBLE)
    return self._set_type(e, _decimal(ps[0] + 10, ps[1], bounded=True) if kind == T.DECIMAL and ps else T.UNKNOWN)


def _avg(self, e: exp.Avg) -> exp.Avg:
    kind, ps = e.this.type.this if e.this.type else T.UNKNOWN, _ps(e.this)
    if kind in INTS or kind in FLOATS:
        return self._set_type(e, T.DOUBLE)
    return self._set_type(e, _decimal(ps[0] + 4, ps[1] + 4, bounded=True) if kind == T.DECIMAL and ps else T.UNKNOWN)


def rounded_decimal(p: int, s: int, d: int) -> exp.DataType:
    """Spark's ROUND of a DECIMAL(p, s) to d places: its integer digits and one more (RoundBase)."""
    if d < 0:
        return _decimal(max(p - s + 1, 1 - d), 0, bounded=True)
    return _decimal(p - s + 1 + min(s, d), min(s, d), bounded=True)


def _round(self, e: exp.Round | exp.Ceil | exp.Floor) -> exp.Expression:
    """ROUND keeps an integer or float type; a decimal keeps its integer digits and one more
    (RoundBase). CEIL and FLOOR: BIGINT, or DECIMAL(p - s + 1, 0) of a decimal."""
    kind, ps, digits = e.this.type.this if e.this.type else T.UNKNOWN, _ps(e.this), e.args.get("decimals")
    if isinstance(e, exp.Round) and digits is None:
        digits = exp.Literal.number(0)
    if digits is None:  # one-argument CEIL/FLOOR
        if kind == T.DECIMAL and ps:
            return self._set_type(e, _decimal(ps[0] - ps[1] + 1, 0, bounded=True))
        return self._set_type(e, T.BIGINT if kind in INTS or kind in FLOATS else T.UNKNOWN)
    if kind == T.DECIMAL and ps and digits.is_int:
        return self._set_type(e, rounded_decimal(*ps, int(digits.to_py())))
    plain = isinstance(e, exp.Round) and (kind in INTS or kind in FLOATS)
    return self._set_type(e, e.this.type if plain else T.UNKNOWN)


def _cast(self, e: exp.Cast) -> exp.Cast:
    """Spark's DECIMAL without a size is DECIMAL(10, 0)."""
    to = e.to
    return self._set_type(e, _decimal(10, 0) if to.this == T.DECIMAL and not to.expressions else to)


def _date_diff(self, e: exp.DateDiff) -> exp.DateDiff:
    """datediff(end, start) is INT; date_diff(unit, start, end) and timestampdiff are BIGINT."""
    return self._set_type(e, T.BIGINT if e.args.get("unit") is not None else T.INT)


def _extract(self, e: exp.Extract) -> exp.Extract:
    """EXTRACT(SECOND ...) keeps the fraction, DECIMAL(8, 6); any other field is INT."""
    return self._set_type(e, _decimal(8, 6) if e.this.name.upper() in SECOND else T.INT)


def _returns(kind: T):
    return lambda self, e: self._set_type(e, kind)


DATE_PARTS = (exp.Year, exp.Quarter, exp.Month, exp.Week, exp.WeekOfYear, exp.Day, exp.DayOfMonth, exp.DayOfWeek,
              exp.DayOfWeekIso, exp.DayOfYear, exp.Hour, exp.Minute, exp.Second)


@functools.cache
def metadata(dialect: str) -> dict:
    """The dialect's sqlglot annotators with the rules above in place of its own."""
    from sqlglot.dialects.dialect import Dialect

    own = {
        exp.Literal: _literal, exp.Sum: _sum, exp.Avg: _avg, exp.Cast: _cast, exp.TryCast: _cast,
        exp.Round: _round, exp.Ceil: _round, exp.Floor: _round, exp.DateDiff: _date_diff,
        exp.TimestampDiff: _returns(T.BIGINT), exp.ArrayPosition: _returns(T.BIGINT), exp.Extract: _extract,
        exp.Anonymous: _function,
        **dict.fromkeys((exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile, *DATE_PARTS), _returns(T.INT)),
        exp.Coalesce: _unified, exp.If: _unified, exp.Case: _unified, exp.Greatest: _unified, exp.Least: _unified,
        **dict.fromkeys((exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod), _arithmetic),
    }
    return {**Dialect.get_or_raise(dialect).EXPRESSION_METADATA, **{k: {"annotator": f} for k, f in own.items()}}
