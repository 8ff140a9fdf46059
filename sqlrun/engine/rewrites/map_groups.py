"""GROUP BY a value holding maps: Spark groups maps by their entries in any key order.

Spark (4.x) sorts each map by key before grouping (MapSort), and returns the sorted map. On
DuckDB the key is rebuilt the same way: every map inside it (in arrays, structs, other maps)
becomes MAP_FROM_ENTRIES(LIST_SORT(MAP_ENTRIES(m))), and the select list, HAVING and ORDER BY
read that key. Keys of floating type (NaN, -0.0 order otherwise) and other engines are refused.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context, Refused, annotate

_BUILT = (exp.Map, exp.VarMap, exp.MapFromEntries, exp.StrToMap)
_FLOATS = (exp.DType.FLOAT, exp.DType.DOUBLE)


def _has_map(t: exp.DataType) -> bool:
    return any(isinstance(n, exp.DataType) and n.this == exp.DType.MAP for n in t.walk())


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    # DuckDB's own functions, spelled as such: no rule of Spark's meaning reads them
    return exp.Anonymous(this=name, expressions=list(args))


def _lambda(var: str, body: exp.Expression) -> exp.Expression:
    return exp.Lambda(this=body, expressions=[exp.to_identifier(var)])


def _field(x: exp.Expression, name: str) -> exp.Expression:
    # STRUCT_EXTRACT, not x.name: DuckDB may read `a.b` as column b of a table a
    return _call("STRUCT_EXTRACT", x.copy(), exp.Literal.string(name))


def _sorted(x: exp.Expression, t: exp.DataType, depth: int) -> exp.Expression | None:
    """x (of type t) with each map in it sorted by key; None where t holds no map."""
    if not _has_map(t):
        return None
    var = f"sqlrun_m{depth}"
    if t.this == exp.DType.MAP:
        key_type, value_type = t.expressions
        if any(isinstance(n, exp.DataType) and n.this in _FLOATS for n in key_type.walk()):
            raise Refused(x, "Spark groups maps by keys sorted its own way; floating keys are not translated")
        entries = _call("MAP_ENTRIES", x.copy())
        key = _sorted(_field(exp.column(var), "key"), key_type, depth + 1)
        value = _sorted(_field(exp.column(var), "value"), value_type, depth + 1)
        if key is not None or value is not None:
            pair = _call(
                "STRUCT_PACK",
                exp.PropertyEQ(this=exp.to_identifier("key"), expression=key or _field(exp.column(var), "key")),
                exp.PropertyEQ(this=exp.to_identifier("value"), expression=value or _field(exp.column(var), "value")),
            )
            entries = _call("LIST_TRANSFORM", entries, _lambda(var, pair))
        return _call("MAP_FROM_ENTRIES", _call("LIST_SORT", entries))
    if t.this == exp.DType.ARRAY:
        inner = _sorted(exp.column(var), t.expressions[0], depth + 1)
        return _call("LIST_TRANSFORM", x.copy(), _lambda(var, inner))
    if t.this == exp.DType.STRUCT:
        fields = []
        for f in t.expressions:
            if not isinstance(f, exp.ColumnDef) or not isinstance(f.args.get("kind"), exp.DataType):
                raise Refused(x, "a struct of unknown fields holding a map: Spark's grouping is not translated")
            value = _field(x, f.name)
            value = _sorted(value, f.args["kind"], depth + 1) or value
            fields.append(exp.PropertyEQ(this=exp.to_identifier(f.name), expression=value))
        packed = _call("STRUCT_PACK", *fields)
        return exp.paren(exp.case().when(exp.Is(this=x.copy(), expression=exp.Null()), exp.null()).else_(packed))
    raise Refused(x, f"Spark groups maps by their entries in any key order; not translated inside {t.sql()}")


def _read_from_key(select: exp.Select, key: exp.Expression, canon: exp.Expression) -> None:
    """The select list, HAVING and ORDER BY read the sorted key where they read the key."""
    parts = [*select.expressions, select.args.get("having"), select.args.get("order")]
    for part in [p for p in parts if p is not None]:
        for node in list(part.walk()):
            if node == key and not node.find_ancestor(exp.AggFunc):
                new = canon.copy()
                if node is part and isinstance(node, exp.Column):  # a bare output column keeps its name
                    new = exp.alias_(new, node.name)
                node.replace(new)


def spark_group_by_map(tree: exp.Expression, ctx: Context) -> exp.Expression:
    groups = list(tree.find_all(exp.Group))
    read = any("map" in str(t).lower() for columns in (ctx.schema or {}).values() for t in columns.values())
    if not groups or not (tree.find(*_BUILT) or read):
        return tree  # no map anywhere: nothing to type
    annotate(tree, ctx)
    for group in groups:
        for key in list(group.expressions):
            if key.is_int and isinstance(group.parent, exp.Select):  # GROUP BY 2: the output column
                items = group.parent.expressions
                picked = items[int(key.name) - 1] if 0 < int(key.name) <= len(items) else key
                if isinstance(picked.type, exp.DataType) and _has_map(picked.type):
                    raise Refused(key, f"Spark groups maps by their entries in any key order; {ctx.engine} does not")
            if not (isinstance(key.type, exp.DataType) and _has_map(key.type)):
                # a key of unknown type in a query that builds maps may hold one (`a.b` of a struct)
                if tree.find(*_BUILT) and _unsure(key.type):
                    raise Refused(key, f"Spark groups maps by their entries in any key order; {ctx.engine} does not")
                continue
            if ctx.engine != "duckdb" or not isinstance(group.parent, exp.Select):
                raise Refused(key, f"Spark groups maps by their entries in any key order; {ctx.engine} does not")
            canon = _sorted(key, key.type, 0)
            _read_from_key(group.parent, key, canon)
            key.replace(canon)
    return tree


def _unsure(t) -> bool:
    if not isinstance(t, exp.DataType):
        return True
    return t.is_type(exp.DType.UNKNOWN) or (t.this == exp.DType.STRUCT and not t.expressions)
