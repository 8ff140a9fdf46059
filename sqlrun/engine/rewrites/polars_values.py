"""VALUES rows that are not all constants on Polars, whose VALUES takes literals only (`VALUES
(CAST(1 AS DECIMAL(9, 0)))`, `VALUES (double('NaN'))`): the rows as SELECTs joined by UNION
ALL (the same rows, in order), named as the VALUES names its columns (Spark: col1, col2...).
"""

from __future__ import annotations

from sqlglot import exp


def _constant(node: exp.Expression) -> bool:
    inner = node.this if isinstance(node, exp.Neg) else node
    return isinstance(inner, (exp.Literal, exp.Null, exp.Boolean))


def _rows(values: exp.Values) -> list[list[exp.Expression]]:
    return [list(r.expressions) if isinstance(r, exp.Tuple) else [r] for r in values.expressions]


def polars_values_of_expressions(tree, ctx):
    for values in list(tree.find_all(exp.Values)):
        if not isinstance(values.parent, (exp.From, exp.Join, exp.Subquery)):
            continue
        rows = _rows(values)
        if not rows or all(_constant(v) for row in rows for v in row):
            continue
        width = len(rows[0])
        alias = values.args.get("alias")
        names = [c.name for c in alias.columns] if alias is not None and alias.columns else []
        if any(len(r) != width for r in rows) or (names and len(names) != width):
            continue
        names = names or [f"col{i + 1}" for i in range(width)]
        selects = [exp.select(*[exp.alias_(v.copy(), n) for v, n in zip(row, names)]) for row in rows]
        union = selects[0]
        for s in selects[1:]:
            union = exp.union(union, s, distinct=False)
        name = alias.name if alias is not None and alias.name else "values"
        subquery = exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier(name)))
        values.replace(subquery.this if isinstance(values.parent, exp.Subquery) else subquery)
    return tree
