"""DuckDB's strftime / strptime codes as Spark datetime patterns.

sqlglot writes DuckDB's codes its own way (%j as DD, %z as Z, codes it does not know left as
text, letters between codes unquoted). Here each code checked against DuckDB's own tests is
spelled in Spark's pattern letters, text between codes is quoted, and a format holding any other
code (or that is not one constant text) is refused. Two differences are guarded at run time, as
an error rather than another value: a year over 9999 (DuckDB writes 99999, Spark +99999),
and text Spark's to_timestamp cannot read (NULL there; DuckDB's strptime raises).
"""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, replace_all
from sqlrun.engine.rewrites.naive_timestamps import naive

KINDS = (exp.TimeToStr, exp.StrToTime)
FORMAT = {
    "%a": "EEE", "%A": "EEEE", "%b": "MMM", "%h": "MMM", "%B": "MMMM", "%d": "dd", "%-d": "d", "%m": "MM",
    "%-m": "M", "%y": "yy", "%Y": "yyyy", "%H": "HH", "%-H": "H", "%I": "hh", "%-I": "h", "%M": "mm",
    "%-M": "m", "%S": "ss", "%-S": "s", "%p": "a", "%f": "SSSSSS", "%g": "SSS", "%j": "DDD", "%-j": "D",
    "%c": "yyyy-MM-dd HH:mm:ss", "%x": "yyyy-MM-dd", "%X": "HH:mm:ss",
}
YEARS = ("%Y", "%c", "%x")  # Spark writes a year over 9999 with a sign
# parsing: numbers of any width, or of their full width between two numbers with nothing between
PARSE = {
    "%Y": ("yyyy", "yyyy"), "%m": ("M", "MM"), "%-m": ("M", "MM"), "%d": ("d", "dd"), "%-d": ("d", "dd"),
    "%H": ("H", "HH"), "%-H": ("H", "HH"), "%M": ("m", "mm"), "%-M": ("m", "mm"), "%S": ("s", "ss"),
    "%-S": ("s", "ss"), "%I": ("h", "hh"), "%-I": ("h", "hh"), "%j": ("D", "DDD"), "%-j": ("D", "DDD"),
    "%f": ("SSSSSS", "SSSSSS"), "%p": ("a", "a"), "%b": ("MMM", "MMM"), "%B": ("MMMM", "MMMM"),
    "%a": ("EEE", "EEE"), "%A": ("EEEE", "EEEE"), "%g": ("SSS", "SSS"), "%z": ("Z", "Z"),
}
NUMBERS = {"%g", "%Y", "%m", "%-m", "%d", "%-d", "%H", "%-H", "%M", "%-M", "%S", "%-S", "%I", "%-I", "%j", "%-j", "%f"}


def _text(part: str) -> str:
    """Text between codes: quoted where Spark would read a letter or sign in it."""
    return "'" + part.replace("'", "''") + "'" if re.search(r"[A-Za-z'\[\]{}#]", part) else part


def _pieces(node: exp.Expression, what: str) -> list[str]:
    fmt = node.args.get("format")
    if isinstance(node.this, exp.Literal) and node.this.is_string and not isinstance(fmt, exp.Literal):
        fmt = node.this  # strftime(format, value): DuckDB takes either order
        node.set("this", node.args["format"])
        node.set("format", fmt)
    if not (isinstance(fmt, exp.Literal) and fmt.is_string):
        raise Refused(node, f"DuckDB's {what} with a format that is not one constant text")
    return re.split(r"(%-?.)", fmt.name.replace("%%", "\0"))  # text, code, text, code, ... text


def _error(message: str) -> exp.Expression:
    return exp.Anonymous(this="RAISE_ERROR", expressions=[exp.Literal.string(message)])


def _strftime(node: exp.Expression) -> exp.Expression:
    if isinstance(node.args.get("format"), exp.Null):
        return exp.cast(exp.null(), "text")
    pieces, pattern = _pieces(node, "strftime"), []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            pattern.append(_text(piece.replace("\0", "%")))
        elif piece in FORMAT:
            pattern.append(FORMAT[piece])
        else:
            raise Refused(node, f"DuckDB's strftime code {piece} is not translated for Spark")
    call = exp.Anonymous(this="DATE_FORMAT", expressions=[node.this.copy(), exp.Literal.string("".join(pattern))])
    if not any(code in pieces for code in YEARS):
        return call
    year = exp.Anonymous(this="YEAR", expressions=[node.this.copy()])
    outside = exp.GT(this=year, expression=exp.Literal.number(9999))
    return exp.Case(ifs=[exp.If(this=outside, true=_error("strftime: DuckDB writes a year over 9999"
                                                          " without Spark's sign"))], default=call)


def _strptime(node: exp.Expression) -> exp.Expression:
    if isinstance(node.args.get("format"), exp.Null):
        return exp.Cast(this=exp.null(), to=exp.DataType.build("TIMESTAMPNTZ"))
    pieces, pattern = _pieces(node, "strptime"), []
    if "%Y" not in pieces:
        raise Refused(node, "DuckDB's strptime without %Y (DuckDB's default year is 1900, Spark's 1970)")
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            pattern.append(_text(piece.replace("\0", "%")))
        elif piece in PARSE:
            pattern.append(PARSE[piece][1 if piece in NUMBERS and _beside_a_number(pieces, i) else 0])
        else:
            raise Refused(node, f"DuckDB's strptime code {piece} is not translated for Spark")
    text = node.this
    parsed = exp.Anonymous(this="TO_TIMESTAMP", expressions=[text.copy(), exp.Literal.string("".join(pattern))])
    unread = exp.and_(exp.not_(exp.Is(this=text.copy(), expression=exp.Null())),
                      exp.Is(this=parsed.copy(), expression=exp.Null()))
    guarded = exp.Case(ifs=[exp.If(this=unread, true=_error("strptime: text the format does not fit"
                                                            " (DuckDB raises; Spark reads it as NULL)"))],
                       default=parsed)
    return guarded if "%z" in pieces else naive(guarded)  # with %z, a TIMESTAMPTZ in DuckDB


def _beside_a_number(pieces: list[str], i: int) -> bool:
    """A number code with another right before or after it (nothing between)."""
    before = i >= 3 and pieces[i - 1] == "" and pieces[i - 2] in NUMBERS
    after = i + 2 < len(pieces) and pieces[i + 1] == "" and pieces[i + 2] in NUMBERS
    return before or after


def duckdb_codes_on_spark(tree, ctx):
    tree = replace_all(tree, exp.TimeToStr, _strftime)
    return replace_all(tree, exp.StrToTime, _strptime)
