"""DuckDB's strftime/strptime codes on Polars, which formats and parses with chrono's.

sqlglot reads DuckDB's format text as it is written, and most codes mean the same in chrono; a
few do not (DuckDB's %f is 6 digits of microseconds, chrono's 9 of nanoseconds; DuckDB's %g and
%n are milliseconds and nanoseconds, chrono's an ISO year and a newline; DuckDB's %c and %x are
ISO forms, chrono's the C locale's). Those are spelled in chrono's codes; a format that is not a
literal, or holds a code not checked here, is refused. DuckDB writes a year outside 0-9999 as a
plain number ('-5', '12345'; chrono '-0005', '+12345') and %y of a negative year from its absolute
value (-5: '05'; chrono '95'): those codes are spelled from YEAR(x)."""

from __future__ import annotations

import re

from sqlglot import exp

from sqlrun.engine.rewrites.base import Refused, typed_nodes

KINDS = (exp.TimeToStr, exp.StrToTime)
CODE = re.compile(r"%-?.")
# codes that mean the same in DuckDB and chrono (both directions), checked on DuckDB's own tests
SAME = {f"%{c}" for c in "aAwudbhBmyYHIpMSjUWVG%"} | {f"%-{c}" for c in "dmyHIMSj"}
FORMAT = {"%f": "%6f", "%g": "%3f", "%n": "%9f", "%c": "%Y-%m-%d %H:%M:%S", "%x": "%Y-%m-%d", "%X": "%H:%M:%S"}
YEARS = re.compile(r"(%Y|%-?y)")
# parsing: a fraction after a literal dot, 1 to 6 digits in DuckDB, is chrono's %.f
PARSE_FRACTION = re.compile(r"\.%f")


def _format(node: exp.Expression, text: str) -> str:
    def code(match: re.Match) -> str:
        c = match.group(0)
        if c in FORMAT:
            return FORMAT[c]
        if c in SAME:
            return c
        raise Refused(node, f"DuckDB's strftime code {c} is not translated for Polars (chrono's codes)")

    return CODE.sub(code, text)


def _parse(node: exp.Expression, text: str) -> str:
    text = PARSE_FRACTION.sub("%.f", text)
    for c in CODE.findall(text):
        if c not in SAME and c not in ("%.", "%X", "%z"):
            raise Refused(node, f"DuckDB's strptime code {c} is not translated for Polars (chrono's codes)")
    return text


def _year_text(x: exp.Expression, code: str) -> exp.Expression:
    year = exp.Year(this=x.copy())
    if code == "%Y":
        usual = exp.Between(this=year.copy(), low=exp.Literal.number(0), high=exp.Literal.number(9999))
        plain = exp.cast(year, exp.DType.TEXT)
        strftime = exp.TimeToStr(this=x.copy(), format=exp.Literal.string("%Y"))
        return exp.Case(ifs=[exp.If(this=usual, true=strftime)], default=plain)
    digits = exp.cast(exp.Mod(this=exp.Abs(this=year), expression=exp.Literal.number(100)), exp.DType.TEXT)
    if code == "%-y":
        return digits
    return exp.Pad(this=digits, expression=exp.Literal.number(2), fill_pattern=exp.Literal.string("0"), is_left=True)


def _with_years(node: exp.TimeToStr) -> exp.Expression:
    """The format's year codes spelled from YEAR(x), the rest formatted by STRFTIME, joined."""
    parts = [p for p in YEARS.split(node.args["format"].name) if p]
    if not any(YEARS.fullmatch(p) for p in parts):
        return node
    pieces = [_year_text(node.this, p) if YEARS.fullmatch(p)
              else exp.TimeToStr(this=node.this.copy(), format=exp.Literal.string(p)) for p in parts]
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = exp.DPipe(this=joined, expression=piece, safe=True)
    return exp.Paren(this=joined) if len(pieces) > 1 else joined


def duckdb_codes_on_polars(tree, ctx):
    for node in typed_nodes(tree, ctx, KINDS):
        fmt = node.args.get("format")
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            raise Refused(node, "Polars takes only a literal date format")
        if isinstance(node, exp.TimeToStr):
            node.set("format", exp.Literal.string(_format(node, fmt.name)))
            if node.this.type is not None and node.this.type.is_type(exp.DType.DATE):
                # DuckDB formats a DATE's time codes as midnight; Polars fails on them
                node.set("this", exp.cast(node.this.copy(), exp.DType.TIMESTAMP))
            node.replace(_with_years(node))
        else:
            node.set("format", exp.Literal.string(_parse(node, fmt.name)))
    return tree
