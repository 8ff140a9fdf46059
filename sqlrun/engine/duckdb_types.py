"""DuckDB's own result types for duckdb-dialect queries run elsewhere (result_types.py uses them).

Only what is listed here is typed, each checked against DuckDB itself (tests/test_result_types.py
runs the duckdb corpus and compares): sqlglot's annotation for the classes in TRUSTED, and DuckDB's
SUM (HUGEINT, returned as DECIMAL(38, 0), for integers; DECIMAL(38, s) for DECIMAL(p, s)), STRPOS
(BIGINT), SIGN (TINYINT) and date - date (BIGINT). Anything else is UNKNOWN: the engine's type stands.
"""

from __future__ import annotations

import functools

from sqlglot import exp

T = exp.DType
INTS = (T.TINYINT, T.SMALLINT, T.INT, T.BIGINT, T.UTINYINT, T.USMALLINT, T.UINT, T.UBIGINT)


def _sum(self, e: exp.Sum) -> exp.Sum:
    kind = e.this.type.this if e.this.type else T.UNKNOWN
    if kind in INTS:
        return self._set_type(e, exp.DataType.build("DECIMAL(38, 0)"))  # HUGEINT
    if kind in (T.FLOAT, T.DOUBLE):
        return self._set_type(e, T.DOUBLE)
    params = e.this.type.expressions if kind == T.DECIMAL else None
    if params and len(params) == 2:
        return self._set_type(e, exp.DataType.build(f"DECIMAL(38, {params[1].name})"))
    return self._set_type(e, T.UNKNOWN)


def _sub(self, e: exp.Sub) -> exp.Sub:
    kinds = {n.type.this if n.type else T.UNKNOWN for n in (e.left, e.right)}
    return self._set_type(e, T.BIGINT if kinds == {T.DATE} else T.UNKNOWN)


def _returns(kind: T):
    return lambda self, e: self._set_type(e, kind)


TRUSTED = (
    exp.Alias, exp.Paren, exp.Window, exp.Subquery, exp.Select, exp.Distinct, exp.Null, exp.Boolean,
    exp.Not, exp.And, exp.Or, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In,
    exp.Between, exp.Like, exp.ILike, exp.RegexpLike, exp.Exists,
    exp.Upper, exp.Lower, exp.Trim, exp.Substring, exp.Concat, exp.DPipe, exp.Replace, exp.Pad,
    exp.Reverse, exp.Repeat, exp.Left, exp.Right, exp.SplitPart, exp.RegexpExtract, exp.RegexpReplace,
    exp.MD5, exp.Chr,
    exp.Min, exp.Max, exp.Count, exp.LogicalAnd, exp.LogicalOr, exp.GroupConcat,
    exp.Stddev, exp.StddevSamp, exp.StddevPop, exp.Variance, exp.VariancePop,
    exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile, exp.PercentRank, exp.CumeDist,
    exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.NthValue, exp.Nullif,
    exp.Pow, exp.Sqrt, exp.Exp, exp.Ln, exp.Cbrt, exp.Degrees, exp.Pi,
    exp.Column, exp.Cast, exp.Avg, exp.Length,
)


@functools.cache
def metadata() -> dict:
    """DuckDB's annotators: TRUSTED from sqlglot's DuckDB dialect, the rules above, else UNKNOWN."""
    from sqlglot.dialects.dialect import Dialect

    base = Dialect.get_or_raise("duckdb").EXPRESSION_METADATA
    own = {exp.Sum: _sum, exp.Sub: _sub, exp.StrPosition: _returns(T.BIGINT), exp.Sign: _returns(T.TINYINT)}
    kept = {k: v for k, v in base.items() if k in TRUSTED}
    return {**kept, **{k: {"annotator": f} for k, f in own.items()}}
