"""Output column names: Polars names an unaliased expression after its first column (or
'literal'), and refuses a SELECT where two come out the same; the other engines name it by
its SQL text. Such projections get that text as an explicit alias."""

from __future__ import annotations

from sqlglot import exp


def _polars_name(node: exp.Expression) -> str:
    if isinstance(node, (exp.Column, exp.Alias)):
        return node.alias_or_name
    column = node.find(exp.Column)
    return column.name if column is not None else "literal"


def polars_unique_names(tree, ctx):
    for select in tree.find_all(exp.Select):
        seen = {_polars_name(p) for p in select.expressions if isinstance(p, (exp.Column, exp.Alias))}
        for proj in list(select.expressions):
            if isinstance(proj, (exp.Column, exp.Alias, exp.Star)):
                continue
            name = _polars_name(proj)
            if name in seen:
                text = proj.sql(dialect=ctx.source)
                alias, n = text, 1
                while alias in seen:
                    n += 1
                    alias = f"{text}_{n}"
                proj.replace(exp.alias_(proj.copy(), exp.to_identifier(alias, quoted=True)))
                name = alias
            seen.add(name)
    return tree
