"""Spark functions no target has, evaluated at compile time where their arguments are constants:
conv, bin, luhn_check, to_number/try_to_number, the UTF-8 checks of binary constants, bround of a
constant. The value functions return what Spark gives (None: NULL) or raise ValueError where it
is not decided here; the *_call builders (spark_builtins.BUILDERS) turn that into a literal or
refuse the call."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused
from sqlrun.engine.rewrites.spark_calls import _integer_literal

BITS = {exp.DType.TINYINT: 8, exp.DType.SMALLINT: 16, exp.DType.INT: 32, exp.DType.BIGINT: 64}
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_U64 = 2**64


def _java_digit(c: str, radix: int) -> int:
    value = _DIGITS.find(c.upper()) if c.isascii() else -1
    return value if 0 <= value < radix else -1


def conv(num: str | None, from_base: int | None, to_base: int | None) -> str | None:
    """Spark's NumberConverter.convert: through an unsigned 64-bit integer; a negative to_base
    reads the value as signed; past 2^64 - 1 is -1 (all ones); stops at the first bad digit."""
    if num is None or from_base is None or to_base is None:
        return None
    if not (2 <= from_base <= 36 and 2 <= abs(to_base) <= 36) or not num:
        return None
    negative = num[0] == "-"
    value = 0
    for c in num[1:] if negative else num:
        digit = _java_digit(c, from_base)
        if digit < 0:
            break
        value = value * from_base + digit
        if value >= _U64:
            value = _U64 - 1
            break
    signed = value - _U64 if value >= 2**63 else value
    if negative and to_base > 0:
        signed = -1 if signed < 0 else -signed
    if to_base < 0 and signed < 0:
        signed, negative = -signed, True
    value = signed % _U64
    out = ""
    while True:
        value, digit = divmod(value, abs(to_base))
        out = _DIGITS[digit] + out
        if value == 0:
            break
    return "-" + out if negative and to_base < 0 else out


def bin_text(value: int) -> str:
    """Long.toBinaryString: two's complement for a negative number."""
    return format(value % _U64, "b")


def luhn_check(text: str | None) -> bool | None:
    if text is None:
        return None
    if not text or not all("0" <= c <= "9" for c in text):
        return False
    total = 0
    for i, c in enumerate(reversed(text)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def half_even(value: Decimal, places: int) -> Decimal:
    """BigDecimal.setScale(places, HALF_EVEN)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def wrap(value: int, bits: int) -> int:
    return (value + 2 ** (bits - 1)) % 2**bits - 2 ** (bits - 1)


def number_format(fmt: str) -> tuple[re.Pattern, int, int]:
    """to_number's format (0/9 digits, ',' or G, '.' or D, a leading '$', S leading or trailing,
    MI or PR at the end) as a pattern over the text, and the DECIMAL(precision, scale) it gives.
    Only formats read the same way here as by Spark are accepted; others raise ValueError."""
    body, sign_first, sign_last, minus, angle = fmt.upper(), False, False, False, False
    if body.startswith("S"):
        body, sign_first = body[1:], True
    if body.endswith("S"):
        body, sign_last = body[:-1], True
    if body.endswith("MI"):
        body, minus = body[:-2], True
    if body.endswith("PR"):
        body, angle = body[:-2], True
    dollar = body.startswith("$")
    body = body[1:] if dollar else body
    if not re.fullmatch(r"[09][09,G]*([.D][09]+)?", body) or re.search(r"[,G]$", body.split(".")[0]):
        raise ValueError(fmt)
    whole, _, fraction = body.replace("D", ".").partition(".")
    digits = sum(c in "09" for c in whole)
    groups = [len(g) for g in re.split(r"[,G]", whole)]
    # Only the exact layout written is read (Spark also takes fewer digits in some places):
    # text that needs Spark's looser reading is refused, never read otherwise.
    number = ",".join(rf"\d{{{g}}}" for g in groups)
    if fraction:
        number += rf"\.\d{{{len(fraction)}}}"
    number = (r"\$" if dollar else "") + f"(?P<n>{number})"
    if sign_first:
        number = r"(?P<s>[+-])" + number
    if sign_last:
        number += r"(?P<s>[+-])"
    if minus:
        number += r"(?P<m>-?)"
    if angle:
        number = r"(?P<a><)?" + number + r"(?(a)>)"
    return re.compile(number), digits + len(fraction), len(fraction)


def to_number(text: str, fmt: str) -> tuple[Decimal, int, int]:
    """The value of `text` read with `fmt`, and its DECIMAL(precision, scale); ValueError when
    the text does not match the format (Spark: an error, or NULL for try_to_number)."""
    pattern, precision, scale = number_format(fmt)
    match = pattern.fullmatch(text)
    if match is None:
        raise ValueError(text)
    try:
        value = Decimal(match.group("n").replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise ValueError(text) from None
    groups = match.groupdict()
    if groups.get("s") == "-" or groups.get("m") or groups.get("a"):
        value = -value
    return value, precision, scale


# --- the builders: a call's arguments to the literal Spark's answer is ---


def number_literal(node: exp.Expression) -> Decimal | None:
    # 25, -2.5, 1.5d, 25y: the exact value written; None for anything else.
    inner = node.this if isinstance(node, exp.Neg) else node
    inner = inner.this if isinstance(inner, (exp.Cast, exp.TryCast)) else inner
    if not (isinstance(inner, exp.Literal) and inner.is_number):
        return None
    value = Decimal(inner.name)
    return -value if isinstance(node, exp.Neg) else value


def _is(node: exp.Expression, *types) -> bool:
    return node.type is not None and node.type.is_type(*types)


def text_arg(node: exp.Expression) -> str | None:
    """A constant text argument (NULL: None); ValueError for anything else."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    raise ValueError(node)


def text_of_number(node: exp.Expression) -> str | None:
    # Spark reads an integer argument of a text function as its text: -10 -> '-10'.
    if isinstance(node, exp.Null) or (isinstance(node, exp.Literal) and node.is_string):
        return text_arg(node)
    return str(integer_arg(node))


def integer_arg(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Null):
        return None
    found = _integer_literal(node)
    if found is None:
        raise ValueError(node)
    return found[0]


def typed_literal(value, type_sql: str) -> exp.Expression:
    if value is None:
        return exp.cast(exp.null(), type_sql)
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    literal = exp.Literal.string(value) if isinstance(value, str) else exp.Literal.number(str(value))
    return literal if type_sql == "string" else exp.cast(literal, type_sql)


def utf8_call(kind: str):
    # Text is always valid UTF-8 in the targets; a constant binary is checked here.
    def build(node, ctx, x):
        if isinstance(x, exp.HexString):
            data = bytes.fromhex(x.name.rjust(len(x.name) + len(x.name) % 2, "0"))
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                if kind == "is_valid":
                    return exp.false()
                if kind == "try":
                    return exp.cast(exp.null(), "string")
                raise Refused(node, "invalid UTF-8: Spark's answer is not translated") from None
            return exp.true() if kind == "is_valid" else exp.Literal.string(text)
        if not (_is(x, *exp.DataType.TEXT_TYPES) or isinstance(x, exp.Null)):
            raise Refused(node, "Spark's UTF-8 functions are only translated for text and binary constants")
        if kind == "is_valid":
            return exp.paren(exp.case().when(exp.Not(this=exp.Is(this=x.copy(), expression=exp.null())), exp.true()))
        return x.copy()

    return build


def evaluated(fn, type_sql: str, reads=(text_arg,)):
    # A function evaluated at compile time: every argument a constant, else refused.
    def build(node, ctx, *args):
        try:
            values = [read(a) for read, a in zip(reads * len(args), args)]
            value = fn(*values)  # each takes NULL (None) as Spark does
        except (ValueError, TypeError):
            raise Refused(node, f"Spark's {node.name.lower()} is only translated for constant arguments") from None
        return typed_literal(value, type_sql)

    return build


def luhn_call(node, ctx, x):
    # luhn_check of a number reads its text (123.456 -> '123.456').
    if isinstance(x, exp.Literal) and x.is_number and "e" not in x.name.lower():
        x = exp.Literal.string(x.name)
    return evaluated(luhn_check, "boolean")(node, ctx, x)


def bin_call(node, ctx, x):
    # bin(x): the BIGINT x (a fraction truncated) in two's-complement binary.
    value = number_literal(x)
    if value is not None:
        return exp.Literal.string(bin_text(int(value)))
    if isinstance(x, exp.Null):
        return exp.cast(exp.null(), "string")
    if _is(x, *BITS) and ctx.engine == "duckdb":
        return exp.func("BIN", exp.cast(x.copy(), "bigint"))
    raise Refused(node, f"Spark's bin is only translated for integers on duckdb and constants on {ctx.engine}")


def to_number_call(node, ctx, text, fmt):
    # Text that is not in the layout is an error (to_number) or NULL (try_to_number): refused.
    try:
        value, precision, scale = to_number(text_arg(text), text_arg(fmt))
    except (ValueError, TypeError, AttributeError):
        raise Refused(node, "Spark's to_number is only translated for constant text in an exact layout") from None
    return exp.cast(exp.Literal.number(format(value, "f")), f"decimal({precision}, {scale})")
