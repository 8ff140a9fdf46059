"""Result types are part of the answer: each output column has the type the SOURCE dialect gives it.

`infer_types` works the types out at compile time with sqlglot's annotate_types in the source
dialect, with Spark's own rules where sqlglot differs (spark_types.py), Redshift's documented
ones (redshift_types.py) and DuckDB's checked ones (duckdb_types.py). `apply_types` then casts
what an engine returned to those types after the fetch: only casts that keep every value
(integers and decimals exactly; a value that does not fit is an error, never cut; a decimal
that would need rounding keeps the engine's type), never from a float to an exact type. A
column whose type is not known is left as is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from sqlrun.engine import duckdb_types, redshift_types
from sqlrun.engine.parity import type_name
from sqlrun.engine.spark_types import MAX_PRECISION, SPARK, T, metadata, precision_scale
from sqlrun.errors import EngineError

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.engine.pipeline import Plan


def infer_types(tree: exp.Expression, dialect: str, schema: dict | None) -> list[exp.DataType | None] | None:
    """Each output column's type in `dialect` (None: not known), or None when the query's are not.

    Never raises: a query sqlglot cannot qualify or type is left to the engine's own types."""
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    if isinstance(tree, exp.SetOperation):  # its columns, as sqlglot unifies its branches
        tree = exp.select("*").from_(tree.subquery("sqlrun_set_operation"))
    if not isinstance(tree, exp.Select):
        return None
    # Spark widens the decimals of set operations' branches and of VALUES rows by rules not
    # written here (sqlglot takes the first): decimals that may come from them are not known.
    loose = any(True for _ in tree.find_all(exp.SetOperation, exp.Values))
    if loose and dialect not in SPARK:  # Redshift's and DuckDB's widening of branches is not written here
        return None
    try:
        tree = qualify(tree.copy(), schema=schema, dialect=dialect, validate_qualify_columns=False,
                       identify=False)
        tree = annotate_types(tree, schema=schema, expression_metadata=_metadata(dialect), dialect=dialect)
    except Exception:  # sqlglot could not follow the query: the engine's types stand
        return None
    if any(isinstance(s, exp.Star) or (isinstance(s, exp.Column) and s.is_star) for s in tree.selects):
        return None
    unknown = (T.UNKNOWN, T.NULL, T.DECIMAL) if loose else (T.UNKNOWN, T.NULL)
    # Only Spark's, Redshift's and DuckDB's rules are written; elsewhere a column passed through keeps its type.
    return [s.type if _known(s.type, unknown) and (dialect in TYPED or _passed(s)) else None for s in tree.selects]


def _known(type_: exp.DataType | None, unknown: tuple) -> bool:
    """A type worked out; a DECIMAL of unknown size is not."""
    return bool(type_) and type_.this not in unknown and not (type_.this == T.DECIMAL and not type_.expressions)


TYPED = (*SPARK, "redshift", "duckdb")  # the source dialects whose result types are written here


def _metadata(dialect: str) -> dict | None:
    if dialect in SPARK:
        return metadata(dialect)
    return {"redshift": redshift_types.metadata, "duckdb": duckdb_types.metadata}.get(dialect, dict)() or None


def _passed(select: exp.Expression) -> bool:
    return isinstance(select.unalias(), exp.Column)


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
        ps = precision_scale(type_)
        return pa.decimal128(*ps) if ps and 0 < ps[0] <= MAX_PRECISION and ps[1] <= ps[0] else None
    if type_.this == T.ARRAY and type_.expressions:
        inner = arrow_type(type_.expressions[0])
        return pa.list_(inner) if inner is not None else None
    return simple.get(type_.this)


def _exact(type_: pa.DataType) -> bool:
    import pyarrow.types as pt

    return pt.is_integer(type_) or pt.is_decimal(type_)


def _castable(have: pa.DataType, want: pa.DataType) -> bool:
    """Casts that keep every value or fail: between integers and decimals (checked), any number to
    a float, NULL to anything. Never a float to an exact type, nor between other kinds."""
    import pyarrow.types as pt

    if pt.is_null(have):
        return True
    if pt.is_list(want):
        return (pt.is_list(have) or pt.is_large_list(have)) and _castable(have.value_type, want.value_type)
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
        if want is None or type_name(have) == type_name(want) or not _castable(have, want):
            continue
        column, scale = columns[i], getattr(want, "scale", 0)
        if getattr(have, "scale", 0) > scale:  # exact only if no digit is lost; else no rounding here
            try:
                column = column.cast(pa.decimal128(MAX_PRECISION, scale), safe=True)
            except pa.ArrowInvalid:
                continue  # the engine's own digits: its type stays
        try:
            if pa.types.is_integer(have) and pa.types.is_decimal(want):  # Arrow checks the type, not the values
                column = column.cast(pa.decimal128(MAX_PRECISION, 0))
            elif pa.types.is_large_list(have):
                column = column.cast(pa.list_(have.value_type))
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
    from sqlrun.engine.fingerprint import step_params
    from sqlrun.engine.params import bind_params
    from sqlrun.engine.parse import parse_query
    from sqlrun.engine.pipeline import inlined_views

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
