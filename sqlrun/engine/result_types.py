"""Result types are part of the answer: each output column has the type the SOURCE dialect gives it.

`infer` works the types out at compile time with sqlglot's annotate_types in the source
dialect, corrected by Spark's own rules where sqlglot differs (literals, decimal arithmetic,
SUM and AVG, CASE/COALESCE/IF unification; Spark's DecimalPrecision and TypeCoercion).
`conform` then casts what an engine returned to those types after the fetch: only casts that
keep every value (integers and decimals exactly; a value that does not fit is an error, never
cut), and never from a float to an exact type. A column whose type is not known is left as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.errors import EngineError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.engine.pipeline import Plan

SPARK = ("spark", "spark2", "databricks")  # the source dialects whose rules are written below
T = exp.DType
INTS = {T.TINYINT: 3, T.SMALLINT: 5, T.INT: 10, T.BIGINT: 20}  # digits, as Spark widens them to decimals
FLOATS = (T.FLOAT, T.DOUBLE)
MAX_PRECISION = 38


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


def _precision_scale(type_: exp.DataType) -> tuple[int, int] | None:
    """(precision, scale) of a decimal or integer type; None for a decimal of unknown size."""
    if type_.this == T.DECIMAL:
        params = type_.expressions
        return (int(params[0].name), int(params[1].name) if len(params) > 1 else 0) if params else None
    return (INTS[type_.this], 0) if type_.this in INTS else None


def _ps(node: exp.Expression) -> tuple[int, int] | None:
    """(precision, scale) of an operand; an integer literal counts its own digits."""
    if node.type and node.type.this in INTS and isinstance(node, exp.Literal) and node.is_int:
        return (len(node.name.lstrip("-").lstrip("0")) or 1, 0)
    return _precision_scale(node.type) if node.type else None


def _literal(self, e: exp.Literal) -> exp.Literal:
    """Spark: an integer literal is INT, BIGINT or DECIMAL by size; 1.5 is DECIMAL(2,1); 1e3 DOUBLE."""
    self._annotate_literal(e)
    text = e.name
    if e.is_string or not text:
        return e
    if e.is_int:
        value = int(text)
        if not -(2**31) <= value < 2**31:
            kind = "BIGINT" if -(2**63) <= value < 2**63 else f"DECIMAL({len(text.lstrip('-'))}, 0)"
            self._set_type(e, exp.DataType.build(kind))
    elif "e" not in text.lower():
        whole, _, fraction = text.lstrip("-").partition(".")
        digits = (whole + fraction).lstrip("0")
        scale = len(fraction)
        self._set_type(e, _decimal(max(len(digits) or 1, scale), scale))
    return e


def _arithmetic(self, e: exp.Binary) -> exp.Binary:
    """+ - * / %: integers widen, a float makes DOUBLE, decimals follow Spark's DecimalPrecision."""
    left, right = e.left, e.right
    kinds = [n.type.this if n.type else T.UNKNOWN for n in (left, right)]
    numeric = all(k in INTS or k in FLOATS or k == T.DECIMAL for k in kinds)
    if not numeric:
        return self._annotate_div(e) if isinstance(e, exp.Div) else self._annotate_binary(e)
    if any(k in FLOATS for k in kinds) or (isinstance(e, exp.Div) and T.DECIMAL not in kinds):
        wide = T.DOUBLE in kinds or T.DECIMAL in kinds or isinstance(e, exp.Div)
        return self._set_type(e, T.DOUBLE if wide else T.FLOAT)
    if T.DECIMAL not in kinds:
        return self._set_type(e, max(kinds, key=lambda k: INTS[k]))
    a, b = _ps(left), _ps(right)
    if a is None or b is None:
        return self._set_type(e, T.UNKNOWN)
    (p1, s1), (p2, s2) = a, b
    if isinstance(e, (exp.Add, exp.Sub)):
        scale = max(s1, s2)
        return self._set_type(e, _decimal(max(p1 - s1, p2 - s2) + scale + 1, scale))
    if isinstance(e, exp.Mul):
        return self._set_type(e, _decimal(p1 + p2 + 1, s1 + s2))
    if isinstance(e, exp.Div):
        scale = max(6, s1 + p2 + 1)
        return self._set_type(e, _decimal(p1 - s1 + s2 + scale, scale))
    scale = max(s1, s2)  # exp.Mod
    return self._set_type(e, _decimal(min(p1 - s1, p2 - s2) + scale, scale))


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
        pairs = [_precision_scale(t) for t in types if t.this != T.NULL]
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
        (p, s), d = ps, int(digits.to_py())
        if d < 0:
            return self._set_type(e, _decimal(max(p - s + 1, 1 - d), 0, bounded=True))
        return self._set_type(e, _decimal(p - s + 1 + min(s, d), min(s, d), bounded=True))
    plain = isinstance(e, exp.Round) and (kind in INTS or kind in FLOATS)
    return self._set_type(e, e.this.type if plain else T.UNKNOWN)


def _cast(self, e: exp.Cast) -> exp.Cast:
    """Spark's DECIMAL without a size is DECIMAL(10, 0)."""
    to = e.to
    return self._set_type(e, _decimal(10, 0) if to.this == T.DECIMAL and not to.expressions else to)


def _date_diff(self, e: exp.DateDiff) -> exp.DateDiff:
    """datediff(end, start) is INT; date_diff(unit, start, end) and timestampdiff are BIGINT."""
    return self._set_type(e, T.BIGINT if e.args.get("unit") is not None else T.INT)


def _metadata(dialect: str) -> dict:
    from sqlglot.dialects.dialect import Dialect

    own = {
        exp.Literal: _literal, exp.Sum: _sum, exp.Avg: _avg, exp.Cast: _cast, exp.TryCast: _cast,
        exp.Round: _round, exp.Ceil: _round, exp.Floor: _round, exp.DateDiff: _date_diff,
        exp.TimestampDiff: lambda self, e: self._set_type(e, T.BIGINT),
        **dict.fromkeys((exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile), lambda self, e: self._set_type(e, T.INT)),
        exp.Coalesce: _unified, exp.If: _unified, exp.Case: _unified,
        **dict.fromkeys((exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod), _arithmetic),
    }
    return {**Dialect.get_or_raise(dialect).EXPRESSION_METADATA, **{k: {"annotator": f} for k, f in own.items()}}


def infer_types(tree: exp.Expression, dialect: str, schema: dict | None) -> list[exp.DataType | None] | None:
    """Each output column's type in `dialect` (None: not known), or None when the query's are not.

    Never raises: a query sqlglot cannot qualify or type is left to the engine's own types."""
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    if dialect not in SPARK:
        return None  # only Spark's rules are written
    if isinstance(tree, exp.SetOperation):  # its columns, as sqlglot unifies its branches
        tree = exp.select("*").from_(tree.subquery("sqlrun_set_operation"))
    if not isinstance(tree, exp.Select):
        return None
    # Spark widens the decimals of set operations' branches and of VALUES rows by rules not
    # written here (sqlglot takes the first): decimals that may come from them are not known.
    loose = any(True for _ in tree.find_all(exp.SetOperation, exp.Values))
    try:
        tree = qualify(tree.copy(), schema=schema, dialect=dialect, validate_qualify_columns=False,
                       identify=False)
        tree = annotate_types(tree, schema=schema, expression_metadata=_metadata(dialect), dialect=dialect)
    except Exception:  # sqlglot could not follow the query: the engine's types stand
        return None
    if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and s.is_star) for s in tree.selects):
        return None
    unknown = (T.UNKNOWN, T.NULL, T.DECIMAL) if loose else (T.UNKNOWN, T.NULL)
    return [s.type if s.type and s.type.this not in unknown else None for s in tree.selects]


def view_columns(tree: exp.Expression, dialect: str, schema: dict | None) -> dict[str, str] | None:
    """A view step's columns and types as a schema entry for the steps that read it."""
    types = infer_types(tree, dialect, schema)
    if types is None:
        return None
    return {s.alias_or_name: (t.sql(dialect) if t is not None else "UNKNOWN") for s, t in zip(tree.selects, types)}


def arrow_type(type_: exp.DataType | None) -> pa.DataType | None:
    """The Arrow type a column of this SQL type is returned as; None where it is not decided here."""
    import pyarrow as pa

    if type_ is None:
        return None
    simple = {T.TINYINT: pa.int8(), T.SMALLINT: pa.int16(), T.INT: pa.int32(), T.BIGINT: pa.int64(),
              T.FLOAT: pa.float32(), T.DOUBLE: pa.float64(), T.BOOLEAN: pa.bool_(), T.DATE: pa.date32(),
              **dict.fromkeys(exp.DataType.TEXT_TYPES, pa.string())}
    if type_.this == T.DECIMAL:
        ps = _precision_scale(type_)
        return pa.decimal128(*ps) if ps and 0 < ps[0] <= MAX_PRECISION and ps[1] <= ps[0] else None
    return simple.get(type_.this)


def _exact(type_: pa.DataType) -> bool:
    import pyarrow.types as pt

    return pt.is_integer(type_) or pt.is_decimal(type_)


def _castable(have: pa.DataType, want: pa.DataType) -> bool:
    """Casts that keep every value or fail: between integers and decimals (checked), any number to a
    float, NULL to anything. Never a float to an exact type, nor between other kinds."""
    import pyarrow.types as pt

    if pt.is_null(have):
        return True
    if _exact(want):
        return _exact(have)
    if pt.is_floating(want):
        return _exact(have) or pt.is_floating(have)
    return False


def apply_types(table: pa.Table, types: list[exp.DataType | None] | None, where: str, dialect: str) -> pa.Table:
    """`table` with each column cast to its source type where known and castable (see _castable);
    a value that does not fit is an EngineError naming the column and the type."""
    import pyarrow as pa

    if not types or len(types) != table.num_columns:
        return table
    columns = list(table.columns)
    for i, type_ in enumerate(types):
        want, have = arrow_type(type_), table.schema.field(i).type
        if want is None or have == want or not _castable(have, want):
            continue
        try:
            column = columns[i]
            if pa.types.is_integer(have) and pa.types.is_decimal(want):  # Arrow checks the type, not the values
                column = column.cast(pa.decimal128(MAX_PRECISION, 0))
            columns[i] = column.cast(want, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise EngineError(
                f"{where}: column '{table.column_names[i]}' does not fit its {dialect} type"
                f" {type_.sql(dialect)}: {str(exc).splitlines()[0]}"
            ) from None
    return pa.Table.from_arrays(columns, schema=pa.schema(
        [pa.field(f.name, c.type, f.nullable, f.metadata) for f, c in zip(table.schema, columns)],
        metadata=table.schema.metadata))


def step_types(plan: Plan, name: str, params: dict[str, str], schema: dict | None) -> list | None:
    """The output types of a pipeline step in its source dialect: the view steps it inlines are
    typed first (upstream first) and read as tables of those types."""
    from sqlrun.engine.params import bind_params
    from sqlrun.engine.parse import parse_query
    from sqlrun.engine.pipeline import inlined_views, step_params

    known = dict(schema or {})

    def tree_of(step: str) -> exp.Expression:
        query = plan.steps[step].query
        return bind_params(query, parse_query(query), step_params(query, params))

    dialect = plan.steps[name].query.dialect
    for view in inlined_views(plan, name):
        columns = view_columns(tree_of(view), dialect, known) if plan.steps[view].query.dialect == dialect else None
        if columns:
            known[view] = columns
    return infer_types(tree_of(name), dialect, known)
