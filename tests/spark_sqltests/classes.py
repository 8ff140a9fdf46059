"""Root-cause classes of the Spark sql-tests failures: a table read top to bottom, first match wins.

A row: class name, the outcomes it explains, the engines (None: any), a pattern on the case's SQL
and one on the outcome's detail (None: any). A failure no row explains is grouped by the first
words of its message, so a new cause shows up as a group of its own in triage.md.
"""

from __future__ import annotations

import re

# class -> (marker kind, why): what markers.toml proposes for a failure of that class
CLASSES = {
    "percentile_disc DESC": ("notimpl", "percentile_disc(p) WITHIN GROUP (ORDER BY x DESC) rewritten as QUANTILE_DISC(x, 1 - p): right only for the continuous percentile"),
    "population vs sample moments": ("notimpl", "SKEWNESS/KURTOSIS: Spark's are population moments, DuckDB's sample ones"),
    "|| precedence": ("notimpl", "sqlglot binds + tighter than ||; Spark does not"),
    "ROUND half-up on doubles": ("notimpl", "Spark rounds a double's shortest decimal form half up; the target rounds the binary value"),
    "USING/NATURAL join columns": ("notimpl", "SELECT * over USING/NATURAL joins: the key repeated, not coalesced, or in another order"),
    "IN/NOT IN subquery semantics": ("notimpl", "NULL and empty-input semantics of IN / NOT IN (subquery)"),
    "EXISTS/correlated subquery": ("notyet", "a correlated or EXISTS subquery the engine cannot plan"),
    "grouping sets": ("notimpl", "GROUPING SETS / ROLLUP / CUBE: empty input, grouping(), duplicate sets"),
    "datetime functions": ("notimpl", "same name, other meaning, or formats the target parses otherwise (dates, timestamps)"),
    "intervals": ("notimpl", "interval literals and arithmetic: Spark's own types and formats"),
    "CAST semantics": ("notimpl", "CAST: Spark wraps/saturates, trims strings, makes bad input NULL; TRY_CAST/other formats differ"),
    "implicit casts from strings": ("notimpl", "Spark casts strings to numbers/dates implicitly where the target refuses at run time"),
    "integer overflow": ("notimpl", "integer overflow Spark wraps (non-ANSI) and the target raises or widens"),
    "division and numeric types": ("notimpl", "integer/decimal division, DECIMAL precision and scale: other result values"),
    "function the target lacks": ("notyet", "a function passed through that the target does not have (or not with these arguments)"),
    "string functions": ("notimpl", "string function with other semantics (padding, trimming, splitting, positions, binary)"),
    "aggregate semantics": ("notimpl", "aggregate with other semantics (DISTINCT, FILTER, empty input, types)"),
    "window semantics": ("notimpl", "window function or frame with other semantics (frames, ties, RANGE, IGNORE NULLS)"),
    "arrays and maps": ("notimpl", "array and map functions with other semantics (NULLs, bounds, ordering)"),
    "duplicate or case-folded names": ("notimpl", "duplicate output names or identifier case the target treats otherwise"),
    "set operations": ("notimpl", "EXCEPT/INTERSECT [ALL], UNION of other types"),
    "TIME type": ("notimpl", "Spark 4's TIME type (TIME '12:00:00', casts of TIME): sqlglot reads it as a timestamp"),
    "division by zero": ("notimpl", "Spark (ANSI off) gives NULL for x / 0, x div 0 and x % 0; the target raises"),
    "engine panic": ("notimpl", "the engine crashed (a Rust panic) on what sqlrun sent it"),
    "row order": ("notimpl", "same rows in another order: NULL ordering or ties under ORDER BY"),
    "float formatting and special values": ("notimpl", "NaN, infinity, -0.0, float to string"),
    "refused: function or construct the target lacks": ("notyet", "refused at compile time: the target has no such function or construct"),
    "refused: rule undecided for the engine": ("notimpl", "refused at compile time: no rewrite decided for this construct and engine"),
    "refused: other": ("notimpl", "refused at compile time"),
}

_I = re.I | re.S
RULES = [
    # (class, statuses, engines, sql pattern, detail pattern)
    ("refused: function or construct the target lacks", ("refused",), None, None, r"has no function|not supported by|does not support|cannot render|unsupported"),
    ("refused: rule undecided for the engine", ("refused",), None, None, r"undecided|not decided|no rule"),
    ("refused: other", ("refused",), None, None, None),
    ("TIME type", ("wrong", "error"), None, r"\btime\s*'|\bas\s+time\b|::\s*time\b", None),
    ("division by zero", ("error",), None, None, r"division by zero"),
    ("engine panic", ("error",), None, None, r"\bpanic"),
    ("row order", ("wrong",), None, r"order\s+by", r"^row \d+ differs"),
    ("percentile_disc DESC", ("wrong", "error"), None, r"percentile_disc\s*\([^)]*\)\s*within\s+group\s*\([^)]*desc", None),
    ("population vs sample moments", ("wrong",), None, r"\b(skewness|kurtosis)\s*\(", None),
    ("|| precedence", ("wrong",), None, r"\|\|\s*[^,;]*?[-+*/%]|[-+*/%][^,;|]*\|\|", None),
    ("USING/NATURAL join columns", ("wrong", "error"), None, r"\bjoin\b[^;]*\busing\s*\(|\bnatural\s+(left\s+|right\s+|full\s+|inner\s+)?(outer\s+)?join", None),
    ("grouping sets", ("wrong", "error"), None, r"grouping\s+sets|\brollup\b|\bcube\b|grouping(_id)?\s*\(", None),
    ("IN/NOT IN subquery semantics", ("wrong",), None, r"\bin\s*\(\s*(select|with|values)\b", None),
    ("EXISTS/correlated subquery", ("wrong", "error"), None, r"\bexists\s*\(|\(\s*select\b", None),
    ("integer overflow", ("wrong", "error"), None, None, r"overflow|out of range|Out of Range"),
    ("implicit casts from strings", ("error",), None, None, r"Could not convert string|Conversion Error|Could not choose a best candidate|cannot (be )?cast|No function matches.*VARCHAR|Cannot compare values of type|Cannot mix values of type|could not parse string|conversion from `str`"),
    ("intervals", ("wrong", "error"), None, r"\binterval\b", None),
    ("datetime functions", ("wrong", "error"), None, r"\b(date|timestamp|to_date|to_timestamp|date_format|unix_\w+|from_unixtime|make_\w+|date_add|date_sub|datediff|add_months|months_between|last_day|next_day|trunc|date_trunc|extract|date_part|dayofweek|weekday|year|month|day|hour|minute|second|timestamp_\w+)\b", None),
    ("ROUND half-up on doubles", ("wrong",), None, r"\b(b?round)\s*\(", None),
    ("CAST semantics", ("wrong", "error"), None, r"\bcast\s*\(|::|\btry_cast\b|\b(tinyint|smallint|int|bigint|float|double|decimal|boolean|string|binary)\s*\(", None),
    ("float formatting and special values", ("wrong", "error"), None, r"nan|infinity|-0\.0", None),
    ("function the target lacks", ("error",), None, None, r"does not exist|No function matches|Unknown function|not (yet )?implemented|unsupported|not supported|Catalog Error"),
    ("division and numeric types", ("wrong",), None, r"/|\bdiv\b|decimal", None),
    ("window semantics", ("wrong", "error"), None, r"\bover\s*\(|\bover\s+\w+|\bwindow\b", None),
    ("aggregate semantics", ("wrong", "error"), None, r"\b(sum|avg|count|min|max|stddev\w*|var\w*|corr|covar\w*|regr_\w+|first|last|any|every|some|bool_\w+|bit_\w+|collect_\w+|percentile\w*|median|mode|approx\w*)\s*\(", None),
    ("arrays and maps", ("wrong", "error"), None, r"\b(array\w*|map\w*|element_at|size|cardinality|explode\w*|sort_array|flatten|sequence|slice|concat)\s*\(|\[", None),
    ("string functions", ("wrong", "error"), None, r"\b(substr\w*|trim|ltrim|rtrim|btrim|lpad|rpad|split\w*|replace|concat\w*|position|locate|instr|left|right|upper|lower|initcap|repeat|reverse|translate|encode|decode|hex|unhex|base64|format_\w+|to_number|to_binary|length|char\w*|ascii|chr|soundex|levenshtein|regexp\w*|like|ilike|rlike)\b", None),
    ("duplicate or case-folded names", ("error",), None, None, r"duplicate|ambiguous|not found|could not find column|ColumnNotFound"),
    ("set operations", ("wrong", "error"), None, r"\b(except|intersect|union|minus)\b", None),
]


def classify(case, engine: str, outcome) -> str:
    if outcome.status == "pass":
        return "pass"
    for name, statuses, engines, sql, detail in RULES:
        if outcome.status not in statuses or (engines and engine not in engines):
            continue
        if sql and not re.search(sql, case.sql, _I):
            continue
        if detail and not re.search(detail, outcome.detail, _I):
            continue
        return name
    return "unclassified: " + _gist(outcome.detail)


def _gist(detail: str) -> str:
    """The first words of a message, without its particulars (quoted names, numbers)."""
    detail = re.sub(r"^\w+: sql-tests/\S+: ", "", detail)  # "EngineError: sql-tests/file@line: "
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\d+", "_", detail)
    return " ".join(text.split()[:6])
