"""ORDER BY a column that an output shadows on Polars: Polars names an unaliased expression after
its column (`STRFTIME(d, '%a')` comes out as `d`) and an ORDER BY name means an output first, so
`ORDER BY d` would sort by the formatted text. The source dialects name such an expression by its
SQL text, so the key means the input column there: the expression gets that text as its alias."""

from __future__ import annotations

from sqlglot import exp


def _order_names(select: exp.Select) -> set[str]:
    order = select.args.get("order")
    if order is None:
        return set()
    return {c.name for c in order.find_all(exp.Column) if not c.table}


def polars_order_keys_unshadowed(tree, ctx):
    for select in tree.find_all(exp.Select):
        keys = _order_names(select)
        if not keys:
            continue
        taken = {p.alias_or_name for p in select.expressions if isinstance(p, (exp.Column, exp.Alias))}
        for proj in list(select.expressions):
            if isinstance(proj.unnest(), (exp.Column, exp.Alias, exp.Star)):
                continue
            if not {c.name for c in proj.find_all(exp.Column)} & keys:
                continue
            text = proj.sql(dialect=ctx.source)
            alias, n = text, 1
            while alias in taken or alias in keys:
                n += 1
                alias = f"{text}_{n}"
            proj.replace(exp.alias_(proj.copy(), exp.to_identifier(alias, quoted=True)))
            taken.add(alias)
    return tree
