"""DuckDB calls sqlglot reads otherwise than DuckDB (so even DuckDB to DuckDB would change them).

- `date_trunc(s, d)`, `datediff(s, a, b)`: in DuckDB an unquoted first argument is a column
  holding the unit; sqlglot reads it as a unit abbreviation (`s` as SECOND). Refused.
- `jaro_winkler_similarity(a, b, cutoff)`: the third argument is a score cutoff (below it the
  answer is 0); sqlglot reads it as "case-insensitive" and upper-cases both texts. Spelled as
  written for DuckDB, refused elsewhere."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.tokens import TokenType

from sqlrun.engine.rewrites.base import Refused

UNIT_FIRST = {"date_trunc", "datetrunc", "date_diff", "datediff", "date_sub", "datesub"}
UNIT_CALLS = (exp.TimestampTrunc, exp.DateTrunc, exp.DateDiff, exp.TimestampDiff, exp.DatetimeTrunc)
KINDS = (*UNIT_CALLS, exp.JarowinklerSimilarity)


def _column_unit(sql: str) -> str | None:
    """The first of those calls whose first argument is a bare name (a column), if any."""
    try:
        tokens = DuckDB().tokenize(sql)
    except Exception:
        return None
    for a, b, c, d in zip(tokens, tokens[1:], tokens[2:], tokens[3:]):
        if a.text.lower() in UNIT_FIRST and b.token_type == TokenType.L_PAREN:
            if c.token_type == TokenType.VAR and d.token_type == TokenType.COMMA:
                return f"{a.text}({c.text}, ...)"
    return None


def duckdb_misread_calls(tree, ctx):
    call = next(tree.find_all(*UNIT_CALLS), None)
    if call is not None and (found := _column_unit(ctx.query.sql)):
        raise Refused(call, f"{found}: the unit is a column in DuckDB; sqlglot reads it as a unit name")
    for node in list(tree.find_all(exp.JarowinklerSimilarity)):
        cutoff = node.args.get("case_insensitive")
        if cutoff is None or isinstance(cutoff, exp.Boolean):
            continue
        if ctx.engine != "duckdb":
            raise Refused(node, f"JARO_WINKLER_SIMILARITY with a score cutoff is not translated for {ctx.engine}")
        args = [node.this.copy(), node.expression.copy(), cutoff.copy()]
        node.replace(exp.Anonymous(this="JARO_WINKLER_SIMILARITY", expressions=args))
    return tree
