"""Spark's own reading of operators: || binds like +, and text in arithmetic is a DOUBLE."""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import replace_all, typed_nodes

_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)
_NUMERIC = (*exp.DataType.NUMERIC_TYPES, exp.DType.NULL)


def spark_concat_binds_like_plus(tree, ctx):
    # Spark's || has the precedence of + and - (left to right): 'four: ' || 2 + 2 is
    # ('four: ' || 2) + 2. sqlglot reads it as 'four: ' || (2 + 2), as PostgreSQL and DuckDB do.
    def build(node):
        right = node.expression
        if not isinstance(right, (exp.Add, exp.Sub)):
            return node
        new = right.copy()
        leftmost = new  # the + or - whose left operand is the text's right neighbour
        while isinstance(leftmost.this, (exp.Add, exp.Sub)):
            leftmost = leftmost.this
        pipe = exp.DPipe(this=node.this.copy(), expression=leftmost.this.copy(), safe=node.args.get("safe"))
        leftmost.set("this", exp.paren(pipe))
        return exp.paren(new)

    return replace_all(tree, exp.DPipe, build)


def _text(node: exp.Expression) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal):
        return node.is_string
    return isinstance(node, (exp.DPipe, exp.Concat, exp.ConcatWs))


def spark_text_in_arithmetic(tree, ctx):
    # Spark (ANSI off) casts a text operand of + - * / % to DOUBLE: '1' + 1 is 2.0 and
    # 'a' + 1 NULL; DuckDB and Polars refuse at run time or read '1' as an integer.
    nodes = [n for n in tree.find_all(_ARITHMETIC) if _text(n.this) or _text(n.expression)]
    if not nodes:
        return tree
    typed_nodes(tree, ctx, _ARITHMETIC, lambda n: n in nodes, operands=("this", "expression"))
    for node in nodes:
        sides = (node.this, node.expression)
        if not all(_text(s) or (s.type is not None and s.type.is_type(*_NUMERIC)) for s in sides):
            continue  # a date, an interval or an unknown type: Spark reads it otherwise
        for side in sides:
            if _text(side):
                # Spark's own CAST, which sqlglot reads as TRY_CAST: NULL for text that is no number
                side.replace(exp.TryCast(this=side.copy(), to=exp.DataType.build("double")))
    return tree

