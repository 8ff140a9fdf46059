"""Spark's binary forms of LPAD/RPAD, STARTSWITH, ENDSWITH and CONTAINS.

Of bytes only, DuckDB runs them on the bytes' hex text, two digits a byte: padding to 2n digits
with the pad's digits, a prefix or suffix of digits, a match of digits that starts on a byte
(each byte written ' XX', so no match straddles two). With text beside bytes Spark reads the
bytes as UTF-8 text: done now for a binary literal that is valid UTF-8. Anything else is left to
spark_binary_string_calls, which refuses it.
"""

from __future__ import annotations

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context, typed_nodes
from sqlrun.engine.rewrites.spark_calls import _binary

KINDS = (exp.Pad, exp.StartsWith, exp.EndsWith, exp.Contains)


def _text_args(node: exp.Expression) -> list[str]:
    keys = ("this", "fill_pattern") if isinstance(node, exp.Pad) else ("this", "expression")
    return [k for k in keys if node.args.get(k) is not None]


def _utf8(node: exp.Expression) -> exp.Expression | None:
    """A binary literal as the text literal Spark reads it as, when its bytes are valid UTF-8."""
    if not isinstance(node, exp.HexString) or len(node.this) % 2:
        return None
    try:
        return exp.Literal.string(bytes.fromhex(node.this).decode("utf-8"))
    except ValueError:
        return None


def _hex(x: exp.Expression) -> exp.Expression:
    return exp.Hex(this=x.copy())


def _bytes_digits(x: exp.Expression) -> exp.Expression:
    # ' AA BB': each byte's two digits after a space. Spelled as DuckDB's call (its replacement
    # syntax), not as a source REGEXP_REPLACE for the rules of meaning to read.
    args = [_hex(x), exp.Literal.string("(..)"), exp.Literal.string(" \\1"), exp.Literal.string("g")]
    return exp.Anonymous(this="REGEXP_REPLACE", expressions=args)


def _pad(node: exp.Pad) -> exp.Expression:
    digits = _hex(node.this)
    fill = node.args.get("fill_pattern")
    fill_digits = _hex(fill) if fill is not None else exp.Literal.string("00")  # Spark pads with X'00'
    width = exp.Mul(this=exp.Literal.number(2), expression=node.expression.copy())
    padded = exp.Pad(this=digits, expression=width, fill_pattern=fill_digits, is_left=node.args.get("is_left"))
    # An empty pad leaves the bytes as they are, cut to n (Spark); DuckDB's LPAD would fail.
    # (LEFT is read with Spark's meaning by the rules after this one: nothing for n < 0.)
    empty = exp.EQ(this=fill_digits.copy(), expression=exp.Literal.string(""))
    cut = exp.Left(this=digits.copy(), expression=width.copy())
    padded = exp.case().when(empty, cut).else_(padded)
    return exp.Unhex(this=padded)


def _on_bytes(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Pad):
        return _pad(node)
    if isinstance(node, exp.Contains):
        return exp.Contains(this=_bytes_digits(node.this), expression=_bytes_digits(node.expression))
    return type(node)(this=_hex(node.this), expression=_hex(node.expression))


def spark_binary_forms(tree: exp.Expression, ctx: Context) -> exp.Expression:
    nodes = typed_nodes(tree, ctx, KINDS, operands=("this", "expression"))
    for node in nodes:
        keys = _text_args(node)
        binary = [k for k in keys if _binary(node.args[k])]
        if not binary:
            continue
        nulls = [k for k in keys if isinstance(node.args[k], exp.Null)]
        if len(binary) + len(nulls) == len(keys):
            if ctx.engine == "duckdb":
                new = _on_bytes(node)
                new.meta.update(node.meta)
                node.replace(new)
            continue
        texts = {k: _utf8(node.args[k]) for k in binary}
        if all(t is not None for t in texts.values()):  # bytes beside text: read as UTF-8 text
            for k, text in texts.items():
                node.set(k, text)
    return tree
