"""Binary literals: DuckDB's '\\x41\\x42'::BLOB elsewhere, and any binary literal on Redshift.

DuckDB reads `\\xHH` in a text cast to BLOB as one byte; other engines cast the text's own
characters ('\\', 'x', '4', '1'), other bytes. A constant one is written as the binary literal
X'4142' instead, which each generator spells its own way.

sqlglot writes a binary literal for Redshift as the integer its digits spell (16706), another
type, and fails on X'' (no digits). Redshift's VARBYTE literal is TO_VARBYTE(text, 'hex')
(docs.aws.amazon.com/redshift/latest/dg/r_TO_VARBYTE.html).
"""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import Context, replace_all

_BYTE = re.compile(r"\\x([0-9a-fA-F]{2})|([\x00-\x5b\x5d-\x7f])")  # an escaped byte, or ASCII but '\'


def _duckdb_bytes(text: str) -> bytes | None:
    """The bytes DuckDB's text-to-BLOB cast gives; None where it would fail (it then still does)."""
    out, end = bytearray(), 0
    for m in _BYTE.finditer(text):
        if m.start() != end:
            return None
        out += bytes.fromhex(m[1]) if m[1] else m[2].encode()
        end = m.end()
    return bytes(out) if end == len(text) else None


def _hex_literal(node: exp.Cast) -> exp.Expression:
    if not (node.to.is_type(exp.DType.VARBINARY, exp.DType.BLOB) and isinstance(node.this, exp.Literal)
            and node.this.is_string):
        return node
    data = _duckdb_bytes(node.this.this)
    return node if data is None else exp.HexString(this=data.hex().upper())


def duckdb_blob_literals(tree: exp.Expression, ctx: Context) -> exp.Expression:
    return replace_all(tree, exp.Cast, _hex_literal)


def _varbyte(node: exp.HexString) -> exp.Expression:
    if node.args.get("is_integer"):  # a dialect's 0x... integer: sqlglot's number is right
        return node
    return exp.Anonymous(this="TO_VARBYTE", expressions=[exp.Literal.string(node.this), exp.Literal.string("hex")])


def binary_literals_as_varbyte(tree: exp.Expression, ctx: Context) -> exp.Expression:
    return replace_all(tree, exp.HexString, _varbyte)
