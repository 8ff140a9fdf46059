"""Amazon Redshift's result types, as rules over sqlglot's type annotation (result_types.py uses them).

Each rule cites the Redshift Database Developer Guide (docs.aws.amazon.com/redshift/latest/dg,
page named in brackets). Only what is written here or listed in TRUSTED is typed; anything
else is UNKNOWN, so the engine's own type stands (sqlglot's defaults differ from Redshift's
in places: SUM(DECIMAL(10, 2)) keeps (10, 2), AVG(INT) is DOUBLE, DATE_PART is INT).
"""

from __future__ import annotations

import functools

from sqlglot import exp

T = exp.DType
INTS = {T.SMALLINT: 5, T.INT: 10, T.BIGINT: 19}  # [r_numeric_computations201] "INT2 (SMALLINT) is cast
#   as DECIMAL(5,0)", "INT4 (INTEGER) is cast as DECIMAL(10,0)", "INT8 (BIGINT) is cast as DECIMAL(19,0)"
FLOATS = (T.FLOAT, T.DOUBLE)
MAX_PRECISION = 38  # [r_numeric_computations201] "the maximum result precision is 38"
MAX_SCALE = 37  # [r_numeric_computations201] "The maximum precision for all DECIMAL values is 38, and
#   the maximum scale is 37"


def _kind(node: exp.Expression) -> T:
    return node.type.this if node.type else T.UNKNOWN


def _decimal(precision: int, scale: int) -> exp.DataType | T:
    if scale > MAX_SCALE:
        return T.UNKNOWN
    return exp.DataType.build(f"DECIMAL({min(precision, MAX_PRECISION)}, {scale})")


def _ps(node: exp.Expression) -> tuple[int, int] | None:
    """(precision, scale) of a decimal or integer operand; None if not known."""
    kind = _kind(node)
    if kind in INTS:
        return INTS[kind], 0
    params = node.type.expressions if kind == T.DECIMAL else None
    return (int(params[0].name), int(params[1].name) if len(params) > 1 else 0) if params else None


def _literal(self, e: exp.Literal) -> exp.Literal:
    """An integer constant is INTEGER, or BIGINT past INTEGER's range (PostgreSQL's rule, which
    Redshift keeps; [r_numeric_literals201] gives no type). 1.5 is a DECIMAL ("Floating-point
    literals (also referred to as decimal, numeric, or fractional literals)") of a size not
    documented: a DECIMAL without precision, which no column is cast to."""
    if e.is_string:
        return self._set_type(e, T.VARCHAR)
    if not e.is_int:
        return self._set_type(e, T.DECIMAL if "e" not in e.name.lower() else T.UNKNOWN)
    value = int(e.name)
    kind = T.INT if -(2**31) <= value < 2**31 else T.BIGINT if -(2**63) <= value < 2**63 else T.UNKNOWN
    return self._set_type(e, kind)


def _arithmetic_type(op: type, left: exp.Expression, right: exp.Expression) -> exp.DataType | T:
    """[r_numeric_computations201] "Return types for computations" (+ - * /) and "Precision and
    scale of computed DECIMAL results"."""
    kinds = [_kind(left), _kind(right)]
    if not all(k in INTS or k in FLOATS or k == T.DECIMAL for k in kinds):
        return T.UNKNOWN
    if any(k in FLOATS for k in kinds):  # the table: FLOAT4 with FLOAT4 is FLOAT4, any other float FLOAT8
        return T.FLOAT if kinds == [T.FLOAT, T.FLOAT] else T.DOUBLE
    if T.DECIMAL not in kinds:  # INT2 op INT4 is INT4 ... INT4 op INT4 is INT4, division included
        return max(kinds, key=lambda k: INTS[k])
    a, b = _ps(left), _ps(right)
    if a is None or b is None:
        return T.DECIMAL  # of a size not known here
    (p1, s1), (p2, s2) = a, b
    if issubclass(op, (exp.Add, exp.Sub)):  # "Scale = max(s1,s2)", "precision = max(p1-s1,p2-s2)+1+scale"
        scale = max(s1, s2)
        return _decimal(max(p1 - s1, p2 - s2) + 1 + scale, scale)
    if issubclass(op, exp.Mul):  # "Scale = s1+s2", "precision = p1+p2+1"
        return _decimal(p1 + p2 + 1, s1 + s2)
    # "/": "Scale = max(4,s1+p2-s2+1)", "precision = p1-s1+ s2+scale"; "If the calculated precision is
    # greater than the maximum precision (38), the precision is reduced to 38, and the scale becomes
    # the result of: max(38 + scale - precision), min(4, 100))"
    scale = max(4, s1 + p2 - s2 + 1)
    precision = p1 - s1 + s2 + scale
    if precision > MAX_PRECISION:
        scale, precision = max(MAX_PRECISION + scale - precision, 4), MAX_PRECISION
    return _decimal(precision, scale)


def _arithmetic(self, e: exp.Binary) -> exp.Binary:
    return self._set_type(e, _arithmetic_type(type(e), e.left, e.right))


def _mod(self, e: exp.Mod) -> exp.Mod:
    """[r_MOD] "The return type of the MOD function is the same numeric type as the input parameters,
    if both input parameters are the same type. If either input parameter is an INTEGER, however, the
    return type will also be an INTEGER." (integers only here: a decimal's size is not given)"""
    kinds = {_kind(e.left), _kind(e.right)}
    if kinds <= set(INTS):
        return self._set_type(e, next(iter(kinds)) if len(kinds) == 1 else T.INT if T.INT in kinds else T.UNKNOWN)
    return self._set_type(e, T.UNKNOWN)


def _sum_or_avg(self, e: exp.Sum | exp.Avg) -> exp.Expression:
    """SUM and AVG type alike. [r_SUM] "BIGINT for BIGINT, SMALLINT, and INTEGER arguments",
    "DOUBLE PRECISION for floating point arguments"; "The default precision for a SUM function result
    with a NUMERIC or DECIMAL argument is 38. The scale of the result is the same as the scale of the
    argument." [r_AVG] "BIGINT for any integer type argument", "DOUBLE PRECISION for a floating point
    argument"; a DECIMAL argument gives precision 38 and its own scale (the mean is cut to that
    scale: sqlrun refuses it on other engines)."""
    kind, ps = _kind(e.this), _ps(e.this)
    if kind in INTS:
        return self._set_type(e, T.BIGINT)
    if kind in FLOATS:
        return self._set_type(e, T.DOUBLE)
    return self._set_type(e, _decimal(MAX_PRECISION, ps[1]) if kind == T.DECIMAL and ps else T.UNKNOWN)


def _continuous(kind: T) -> T:
    """[r_MEDIAN] (MEDIAN "is a special case of PERCENTILE_CONT"): FLOAT, DOUBLE give DOUBLE, DATE gives
    DATE; integers and decimals give a DECIMAL whose size is not documented (UNKNOWN)."""
    return T.DOUBLE if kind in FLOATS else T.DATE if kind == T.DATE else T.UNKNOWN


def _median(self, e: exp.Median) -> exp.Median:
    return self._set_type(e, _continuous(_kind(e.this)))


def _within_group(self, e: exp.WithinGroup) -> exp.WithinGroup:
    """PERCENTILE_CONT as MEDIAN; [r_WF_PERCENTILE_DISC] "The same data type as the ORDER BY expression
    in the WITHIN GROUP clause"; [r_LISTAGG] "VARCHAR(MAX)"."""
    keys = e.expression.expressions if isinstance(e.expression, exp.Order) else []
    key = _kind(keys[0].this) if len(keys) == 1 else T.UNKNOWN
    if isinstance(e.this, exp.PercentileCont):
        return self._set_type(e, _continuous(key))
    if isinstance(e.this, exp.PercentileDisc) and len(keys) == 1:
        return self._set_type(e, keys[0].this.type)
    return self._set_type(e, T.VARCHAR if isinstance(e.this, exp.GroupConcat) else T.UNKNOWN)


def _cast(self, e: exp.Cast) -> exp.Cast:
    """[r_Numeric_types201] DECIMAL: "The default precision, if not specified, is 18", "The default
    scale, if not specified, is 0"."""
    to = e.to
    if to.this == T.DECIMAL and not to.expressions:
        return self._set_type(e, exp.DataType.build("DECIMAL(18, 0)"))
    return self._set_type(e, to)


def _same_as_argument(self, e: exp.Expression) -> exp.Expression:
    """[r_ROUND] "ROUND returns the same numeric data type as the input argument(s)"; [r_CEILING_FLOOR],
    [r_FLOOR], [r_ABS] "the same data type as its argument" (and a minus sign); [r_TRUNC] "the same
    data type as the first input argument" (a number; "For timestamps, TRUNC returns a date")."""
    kind = _kind(e.this)
    if isinstance(e, exp.Trunc) and kind in (T.TIMESTAMP, T.DATE):
        return self._set_type(e, T.DATE)
    return self._set_type(e, e.this.type if kind in INTS or kind in FLOATS or kind == T.DECIMAL else T.UNKNOWN)


def _sign(self, e: exp.Sign) -> exp.Sign:
    """[r_SIGN] "SIGN returns the same numeric data type as the input argument(s). If the input is
    DECIMAL, the output is DECIMAL(1,0).\""""
    kind = _kind(e.this)
    if kind == T.DECIMAL:
        return self._set_type(e, exp.DataType.build("DECIMAL(1, 0)"))
    return self._set_type(e, e.this.type if kind in INTS or kind in FLOATS else T.UNKNOWN)


def _date_add(self, e: exp.TsOrDsAdd) -> exp.TsOrDsAdd:
    """[r_DATEADD_function] "TIMESTAMP or TIME or TIMETZ depending on the input data type"; [r_ADD_MONTHS]
    "TIMESTAMP"."""
    return self._set_type(e, T.TIMESTAMP if _kind(e.this) in (T.DATE, T.TIMESTAMP) else T.UNKNOWN)


def _branches(e: exp.Expression) -> list[exp.Expression]:
    """The values a CASE, DECODE, NVL2, COALESCE/NVL, GREATEST or LEAST can return."""
    if isinstance(e, exp.Case):
        values = [i.args.get("true") for i in e.args.get("ifs") or []] + [e.args.get("default")]
    elif isinstance(e, exp.DecodeCase):
        rest = e.expressions[1:]
        values = rest[1::2] + (rest[-1:] if len(rest) % 2 else [])
    elif isinstance(e, exp.Nvl2):
        values = [e.args.get("true"), e.args.get("false")]
    else:
        values = [e.this, *e.expressions]
    return [v for v in values if v is not None]


def _unified(self, e: exp.Expression) -> exp.Expression:
    """[r_NVL_function] the type is "based on the input expressions": one type stays; integers give the
    widest ([r_NVL2] "the smallest compatible numeric data type"); decimals (integers as DECIMAL(5|10|19, 0))
    [r_numeric_computations201] for "functions such as COALESCE and DECODE": "Scale = max(s1,s2)",
    "Precision = min(max(p1-s1,p2-s2)+scale,19)"; character types give VARCHAR. Else UNKNOWN."""
    values = [v for v in _branches(e) if not isinstance(v, exp.Null)]
    types = [v.type for v in values]
    if not types or any(t is None for t in types):
        return self._set_type(e, T.UNKNOWN)
    kinds = {t.this for t in types}
    if len(kinds) == 1 and kinds != {T.DECIMAL}:
        return self._set_type(e, types[0])
    if kinds <= set(INTS):
        return self._set_type(e, max(kinds, key=lambda k: INTS[k]))
    if kinds <= {*INTS, T.DECIMAL} and not isinstance(e, (exp.Greatest, exp.Least)):
        pairs = [_ps(v) for v in values]
        if any(p is None for p in pairs):
            return self._set_type(e, T.UNKNOWN)
        scale = max(s for _, s in pairs)
        precision = max(p - s for p, s in pairs) + scale  # past 19 the documented cap could cut: not typed
        return self._set_type(e, _decimal(precision, scale) if precision <= 19 else T.UNKNOWN)
    if kinds <= set(exp.DataType.TEXT_TYPES):
        return self._set_type(e, T.VARCHAR)
    return self._set_type(e, T.UNKNOWN)


def _function(self, e: exp.Anonymous) -> exp.Anonymous:
    """[r_OCTET_LENGTH] "returns an integer"."""
    return self._set_type(e, T.INT if e.name.upper() == "OCTET_LENGTH" else T.UNKNOWN)


def _returns(kind: T):
    return lambda self, e: self._set_type(e, kind)


# sqlglot's own annotation kept where it gives Redshift's documented type: structure, predicates,
# text functions, and [r_MIN]/[r_MAX] "Returns the same data type as expression", [r_COUNT] "The
# COUNT function returns BIGINT", [r_STDDEV_functions]/[r_VARIANCE_functions] "the return type of
# this function is a double precision number", [r_BOOL_AND] "The return type of the function is
# BOOLEAN", [r_LEN]/[r_CHARINDEX]/[r_POSITION]/[r_STRPOS]/[r_ASCII] an integer, [r_WF_ROW_NUMBER]
# BIGINT, [r_WF_RANK] INTEGER, [r_WF_NTILE] BIGINT, [r_WF_PERCENT_RANK]/[r_WF_CUME_DIST] FLOAT8,
# [r_WF_LAG]/[r_WF_first_value] "the same as the type of the expression", [r_NULLIF_function] "the
# same as the type of the first expression", [r_POWER]/[r_SQRT]/[r_EXP]/[r_LOG]/[r_CBRT]/[r_DEGREES]/[r_PI]
# DOUBLE PRECISION, [r_LAST_DAY] "always DATE", [r_TO_DATE_function] DATE, [r_TO_CHAR] VARCHAR.
TRUSTED = (
    exp.Alias, exp.Paren, exp.Window, exp.Subquery, exp.Select, exp.Distinct, exp.Null, exp.Boolean,
    exp.Not, exp.And, exp.Or, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In,
    exp.Between, exp.Like, exp.ILike, exp.RegexpLike, exp.RegexpILike, exp.Exists,
    exp.Upper, exp.Lower, exp.Trim, exp.Substring, exp.Concat, exp.DPipe, exp.Replace, exp.Pad,
    exp.Initcap, exp.Reverse, exp.Repeat, exp.Translate, exp.Left, exp.Right, exp.SplitPart,
    exp.RegexpExtract, exp.RegexpReplace, exp.MD5, exp.Chr,
    exp.Min, exp.Max, exp.Count, exp.ApproxDistinct, exp.LogicalAnd, exp.LogicalOr, exp.GroupConcat,
    exp.Stddev, exp.StddevSamp, exp.StddevPop, exp.Variance, exp.VariancePop,
    exp.Length, exp.StrPosition, exp.Ascii, exp.RowNumber, exp.Rank, exp.Ntile, exp.PercentRank, exp.CumeDist,
    exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.NthValue, exp.Nullif,
    exp.Pow, exp.Sqrt, exp.Exp, exp.Log, exp.Cbrt, exp.Degrees, exp.Pi,
    exp.LastDay, exp.StrToDate, exp.TimeToStr,
)


@functools.cache
def metadata() -> dict:
    """Redshift's annotators: TRUSTED from sqlglot's Redshift dialect, the rules above, else UNKNOWN."""
    from sqlglot.dialects.dialect import Dialect

    base = Dialect.get_or_raise("redshift").EXPRESSION_METADATA
    own = {
        exp.Literal: _literal, exp.Cast: _cast, exp.TryCast: _cast, exp.Sum: _sum_or_avg, exp.Avg: _sum_or_avg,
        exp.Median: _median, exp.WithinGroup: _within_group, exp.Mod: _mod, exp.Sign: _sign,
        **dict.fromkeys((exp.Add, exp.Sub, exp.Mul, exp.Div), _arithmetic),
        **dict.fromkeys((exp.Round, exp.Ceil, exp.Floor, exp.Abs, exp.Trunc, exp.Neg), _same_as_argument),
        **dict.fromkeys((exp.Coalesce, exp.Case, exp.DecodeCase, exp.Nvl2, exp.Greatest, exp.Least), _unified),
        exp.TsOrDsAdd: _date_add,
        exp.TimestampTrunc: _returns(T.TIMESTAMP),  # [r_DATE_TRUNC] "TIMESTAMP"
        **dict.fromkeys((exp.DateDiff, exp.TsOrDsDiff), _returns(T.BIGINT)),  # [r_DATEDIFF_function] "BIGINT"
        exp.DenseRank: _returns(T.INT),  # [r_WF_DENSE_RANK] "INTEGER"
        exp.NextDay: _returns(T.DATE),  # [r_NEXT_DAY] "DATE"
        exp.MonthsBetween: _returns(T.DOUBLE),  # [r_MONTHS_BETWEEN_function] "FLOAT8"
        exp.RegexpCount: _returns(T.INT),  # [REGEXP_COUNT] "Integer"
        exp.Anonymous: _function,
        # EXTRACT is INTEGER for a TIMESTAMP [r_EXTRACT_function] but DATE_PART is DOUBLE
        # [r_DATE_PART_function]; sqlglot parses both into one node: left UNKNOWN.
        exp.Extract: _returns(T.UNKNOWN),
    }
    kept = {k: v for k, v in base.items() if k in TRUSTED}
    return {**kept, **{k: {"annotator": f} for k, f in own.items()}}
