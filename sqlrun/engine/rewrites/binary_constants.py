"""Spark's functions of bytes, evaluated at compile time where every argument is a constant.

Polars SQL has no function of bytes (no HEX, UNHEX, ENCODE, binary LPAD or STARTS_WITH): where
the arguments are constants, the answer Spark gives is computed here and sent as a literal (x'..',
text, a boolean, a typed NULL). Anything else, and anything Spark would fail on (bad hex or
base64, an unknown charset, an integer out of its type), is left as written for the rules after
this one, which translate it or refuse it.

- HEX (bytes, text, integers), UNHEX (an odd count of digits reads as one with a leading 0);
- LPAD/RPAD of bytes (pad X'00' by default; cut to n bytes; an empty pad leaves the bytes);
- TO_BINARY (hex, utf-8, base64 with spaces between), ENCODE/DECODE (UTF-8, UTF-16, UTF-32);
- STARTSWITH/ENDSWITH/CONTAINS of bytes, of NULL, or of numbers and booleans (read as text);
- CAST(integer AS BINARY): the integer's big-endian bytes, as wide as its type.
"""

from __future__ import annotations

import base64
import binascii
import re

from sqlglot import exp

# (kind, value): kind is binary, text, bool, int (value, bits) or null (value None)
Value = tuple[str, object]
BITS = {exp.DType.TINYINT: 8, exp.DType.SMALLINT: 16, exp.DType.INT: 32, exp.DType.BIGINT: 64}
KINDS = (exp.Hex, exp.Unhex, exp.Pad, exp.ToBinary, exp.Encode, exp.Decode, exp.StartsWith, exp.EndsWith,
         exp.Contains, exp.Cast, exp.TryCast)
# Java's charsets by Spark's names: UTF-16 writes a big-endian byte order mark, UTF-32 none.
_ENCODE = {"utf-8": "utf-8", "utf-16": "utf-16", "utf-16be": "utf-16-be",
           "utf-16le": "utf-16-le", "utf-32": "utf-32-be"}
_DECODE = {**_ENCODE, "utf-16": "utf-16"}  # (Python reads the byte order mark, as Java does)
NULLS = {"binary": "binary", "text": "varchar", "bool": "boolean"}


class NotConstant(Exception):
    """Not a constant, or not one whose answer is decided here."""


def polars_binary_constants(tree: exp.Expression, ctx) -> exp.Expression:
    for node in list(tree.find_all(*KINDS)):
        if not _attached(node, tree) or not _folds(node):
            continue
        try:
            literal = _literal(_value(node))
        except NotConstant:
            continue
        if node is tree:
            return literal
        node.replace(literal)
    return tree


def _attached(node: exp.Expression, tree: exp.Expression) -> bool:
    while node is not tree:
        if node.parent is None:
            return False
        node = node.parent
    return True


def _folds(node: exp.Expression) -> bool:
    """The nodes folded: functions of bytes, and the calls Polars cannot take as written."""
    if isinstance(node, exp.Cast | exp.TryCast):
        return node.to.is_type(exp.DType.BINARY, exp.DType.VARBINARY)
    if isinstance(node, exp.Pad | exp.StartsWith | exp.EndsWith | exp.Contains):
        args = [node.this, node.expression, node.args.get("fill_pattern")]
        return any(_binary_or_other(a) for a in args if a is not None)
    return True


def _binary_or_other(node: exp.Expression) -> bool:
    return isinstance(node, exp.HexString | exp.Unhex | exp.Null | exp.Boolean | exp.ToBinary | exp.Encode) or (
        isinstance(node, exp.Literal) and not node.is_string)


def _literal(value: Value) -> exp.Expression:
    kind, v = value
    if kind == "binary":
        return exp.HexString(this=v.hex().upper())
    if kind == "text":
        return exp.Literal.string(v)
    if kind == "bool":
        return exp.Boolean(this=v)
    if kind == "null" and v in NULLS:
        return exp.cast(exp.Null(), NULLS[v])
    raise NotConstant  # a NULL of no known type, or an integer: left as written


def _value(node: exp.Expression) -> Value:
    if isinstance(node, exp.Null):
        return ("null", None)
    if isinstance(node, exp.Boolean):
        return ("bool", node.this)
    if isinstance(node, exp.HexString):
        if len(node.this) % 2:
            raise NotConstant
        return ("binary", bytes.fromhex(node.this))
    if isinstance(node, exp.Literal):
        if node.is_string:
            return ("text", node.this)
        if node.is_int:
            number = int(node.this)
            return ("int", (number, 32 if -(2**31) <= number < 2**31 else 64))
        raise NotConstant
    if isinstance(node, exp.Neg):  # (-123S is the negation of a SMALLINT: of its type)
        kind, v = _value(node.this)
        if kind != "int" or not -(2 ** (v[1] - 1)) <= -v[0] < 2 ** (v[1] - 1):
            raise NotConstant
        return ("int", (-v[0], v[1]))
    build = BUILDERS.get(type(node))
    if build is None:
        raise NotConstant
    return build(node)


def _arg(node: exp.Expression, key: str, *kinds: str) -> Value:
    """The argument's value, of one of `kinds` or NULL."""
    kind, v = _value(node.args[key])
    if kind == "null" or kind in kinds:
        return kind, v
    raise NotConstant


def _result(kind: str, args: list[Value], compute) -> Value:
    """NULL (of `kind`) when an argument is NULL, else ('kind', compute())."""
    if any(k == "null" for k, _ in args):
        return ("null", kind)
    return (kind, compute())


def _hex(node: exp.Hex) -> Value:
    kind, v = _value(node.this)
    if kind == "null":
        return ("null", "text")
    if kind == "binary":
        return ("text", v.hex().upper())
    if kind == "text":
        return ("text", v.encode("utf-8").hex().upper())
    if kind == "int":
        return ("text", format(v[0] % 2**64, "X"))
    raise NotConstant


def _unhex_text(text: str) -> bytes:
    if not re.fullmatch(r"[0-9a-fA-F]*", text):
        raise NotConstant  # (Spark: NULL from UNHEX, an error from TO_BINARY)
    return bytes.fromhex(text if len(text) % 2 == 0 else "0" + text)


def _unhex(node: exp.Unhex) -> Value:
    kind, v = _arg(node, "this", "text")
    return ("null", "binary") if kind == "null" else ("binary", _unhex_text(v))


def _pad(node: exp.Pad) -> Value:
    this, width = _arg(node, "this", "binary"), _arg(node, "expression", "int")
    fill = _arg(node, "fill_pattern", "binary") if node.args.get("fill_pattern") else ("binary", b"\x00")
    if "binary" not in (this[0], fill[0] if node.args.get("fill_pattern") else None):
        raise NotConstant  # (of NULL and no bytes, Spark pads text)
    if width[0] == "int" and width[1][0] < 0:
        raise NotConstant  # (a negative length: not decided here)

    def padded() -> bytes:
        data, n, pad = this[1], width[1][0], fill[1]
        if n <= len(data) or not pad:
            return data[:n]
        more = (pad * (n // len(pad) + 1))[: n - len(data)]
        return more + data if node.args.get("is_left") else data + more

    return _result("binary", [this, width, fill], padded)


def _to_binary(node: exp.ToBinary) -> Value:
    text = _arg(node, "this", "text")
    form = _arg(node, "format", "text") if node.args.get("format") else ("text", "hex")
    if form[0] == "null":
        return ("null", "binary")
    name = form[1].lower()
    if name not in ("hex", "utf-8", "utf8", "base64"):
        raise NotConstant  # (Spark fails on another format)
    if text[0] == "null":
        return ("null", "binary")
    if name == "hex":
        return ("binary", _unhex_text(text[1]))
    if name in ("utf-8", "utf8"):
        return ("binary", text[1].encode("utf-8"))
    if name == "base64":
        digits = text[1].replace(" ", "")
        if len(digits) % 4 or re.search(r"[^A-Za-z0-9+/=]", digits):
            raise NotConstant
        try:
            return ("binary", base64.b64decode(digits, validate=True))
        except binascii.Error:
            raise NotConstant from None
    raise NotConstant


def _charset(node: exp.Expression, names: dict[str, str]) -> str | None:
    kind, v = _arg(node, "charset", "text")
    if kind == "null":
        return None
    if v.lower() not in names:
        raise NotConstant
    return names[v.lower()]


def _encode(node: exp.Encode) -> Value:
    text, charset = _arg(node, "this", "text"), _charset(node, _ENCODE)
    if text[0] == "null" or charset is None:
        return ("null", "binary")
    if charset == "utf-16":  # Java: a big-endian byte order mark, then big-endian
        return ("binary", b"\xfe\xff" + text[1].encode("utf-16-be"))
    return ("binary", text[1].encode(charset))


def _decode(node: exp.Decode) -> Value:
    data, charset = _arg(node, "this", "binary"), _charset(node, _DECODE)
    if data[0] == "null" or charset is None:
        return ("null", "text")
    marks = {"utf-16": (b"\xfe\xff", b"\xff\xfe"), "utf-32-be": (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")}
    if charset == "utf-16" and not data[1].startswith(marks[charset]) or (
            charset == "utf-32-be" and data[1].startswith(marks[charset])):
        raise NotConstant  # UTF-16 with no byte order mark, UTF-32 with one: Java reads them otherwise
    try:  # (Java replaces malformed input where Python fails: not decided here)
        return ("text", data[1].decode(charset))
    except UnicodeDecodeError:
        raise NotConstant from None


def _as_text(value: Value) -> Value:
    kind, v = value
    if kind == "bool":
        return ("text", "true" if v else "false")
    if kind == "int":
        return ("text", str(v[0]))
    return value


def _match(node: exp.Expression) -> Value:
    """STARTSWITH, ENDSWITH, CONTAINS: of two byte strings, or of text (numbers and booleans
    read as text, as Spark casts them)."""
    a, b = _value(node.this), _value(node.expression)
    kinds = {a[0], b[0]} - {"null"}
    if "binary" in kinds and kinds != {"binary"}:
        raise NotConstant  # bytes beside text: Spark reads the bytes as text (other rules)
    if "binary" not in kinds:
        a, b = _as_text(a), _as_text(b)
    test = {exp.StartsWith: lambda x, y: x.startswith(y), exp.EndsWith: lambda x, y: x.endswith(y),
            exp.Contains: lambda x, y: y in x}[type(node)]
    return _result("bool", [a, b], lambda: test(a[1], b[1]))


def _cast(node: exp.Cast) -> Value:
    kind, v = _value(node.this)
    to = node.to
    if to.this in BITS:
        if kind != "int" or not -(2 ** (BITS[to.this] - 1)) <= v[0] < 2 ** (BITS[to.this] - 1):
            raise NotConstant
        return ("int", (v[0], BITS[to.this]))
    if to.is_type(exp.DType.BINARY, exp.DType.VARBINARY):
        if kind == "int":
            number, bits = v
            return ("binary", (number % 2**bits).to_bytes(bits // 8, "big"))
        if kind in ("binary", "null"):
            return (kind, v) if kind == "binary" else ("null", "binary")
        if kind == "text":
            return ("binary", v.encode("utf-8"))
    if to.is_type(*exp.DataType.TEXT_TYPES) and kind in ("text", "null"):
        return (kind, v) if kind == "text" else ("null", "text")
    raise NotConstant


def _concat(node: exp.Concat) -> Value:
    values = [_value(a) for a in node.expressions]
    if any(k not in ("text", "null") for k, _ in values):
        raise NotConstant
    return _result("text", values, lambda: "".join(v for _, v in values))


BUILDERS = {
    exp.Hex: _hex, exp.Unhex: _unhex, exp.Pad: _pad, exp.ToBinary: _to_binary, exp.Encode: _encode,
    exp.Decode: _decode, exp.StartsWith: _match, exp.EndsWith: _match, exp.Contains: _match,
    exp.Cast: _cast, exp.TryCast: _cast, exp.Concat: _concat,
}
