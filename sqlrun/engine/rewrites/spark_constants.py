"""Spark functions no target has, evaluated at compile time where their arguments are constants:
conv, bin, luhn_check, to_number/try_to_number, bround of a constant. Each returns the Python
value Spark gives (None: NULL), or raises ValueError where it is not decided here (the caller
refuses those)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

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
