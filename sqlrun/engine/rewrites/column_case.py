"""Column names resolved the way the source dialects resolve them: without regard to case.

Spark, DuckDB and Redshift find `ID` in a table whose column is `id`; Polars SQL matches names
exactly and fails at run time. For an engine like Polars, every column reference is spelled as
its table, CTE or subquery defines it, where exactly one visible column matches; a name that
matches none or several is left for the engine's own error.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from sqlrun.engine.rewrites.base import Context


def as_defined(tree: exp.Expression, ctx: Context) -> exp.Expression:
    try:
        scopes = traverse_scope(tree)
    except Exception:  # sqlglot cannot scope it: the names go as written
        return tree
    for scope in scopes:
        layers = _layers(scope, ctx)
        for column in scope.columns:
            _respell(column, layers)
        order = scope.expression.args.get("order") if isinstance(scope.expression, exp.Select) else None
        if order is not None:  # ORDER BY may name an output column: those come first
            outputs: Layer = {"": scope.expression.named_selects}
            for column in order.find_all(exp.Column):
                if not column.table and column.find_ancestor(exp.Select) is scope.expression:
                    _respell(column, [outputs, *layers])
    return tree


Layer = dict[str, "list[str] | None"]  # source alias (lower case) -> its column names, None: unknown


def _layers(scope: Scope, ctx: Context) -> list[Layer]:
    """The sources a column may name: its own scope's first, then each enclosing scope's."""
    layers = []
    while scope is not None:
        layer: Layer = {}
        for alias, source in scope.sources.items():
            # `x` naming the CTE `X`: sqlglot keeps both; the one whose columns are known counts
            names = _names(source, ctx)
            if layer.get(alias.lower()) is None:
                layer[alias.lower()] = names
        layers.append(layer)
        scope = scope.parent
    return layers


def _names(source, ctx: Context) -> list[str] | None:
    if isinstance(source, Scope):
        names = source.expression.named_selects if isinstance(source.expression, exp.Query) else []
        return names or None
    if isinstance(source, exp.Table) and not source.args.get("db"):
        columns = (ctx.schema or {}).get(source.name.lower())
        return list(columns) if columns else None
    return None


def _respell(column: exp.Column, layers: list[Layer]) -> None:
    if column.is_star or not isinstance(column.this, exp.Identifier) or column.this.quoted:
        return
    name = column.name.lower()
    for layer in layers:  # the nearest scope that has the name decides, as in SQL
        if column.table:
            if column.table.lower() not in layer:
                continue
            candidates = [n for n in layer[column.table.lower()] or () if n.lower() == name]
        else:
            if any(names is None for names in layer.values()):
                return  # a source with unknown columns might hold it as written
            candidates = [n for names in layer.values() for n in names if n.lower() == name]
            if not candidates:
                continue
        if len(candidates) == 1 and candidates[0] != column.name:
            column.set("this", exp.to_identifier(candidates[0]))
        return
