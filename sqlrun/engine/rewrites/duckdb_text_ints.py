"""How DuckDB reads a text as an integer (CAST / TRY_CAST): a number with an optional sign and
fraction or exponent, rounded half away from zero, between spaces; or, with nothing around it,
0x hex or 0b binary digits, single underscores between digits, read as a non-negative number."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PREFIXED = re.compile(r"0([xX])([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)|0([bB])([01]+(?:_[01]+)*)")


def read_int(text: str) -> int | None:
    """The integer DuckDB reads from `text`, or None where its CAST fails (before range checks)."""
    match = PREFIXED.fullmatch(text)
    if match:
        digits = (match.group(2) or match.group(4)).replace("_", "")
        return int(digits, 16 if match.group(1) else 2)
    try:
        return int(Decimal(text.strip()).to_integral_value(rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return None
