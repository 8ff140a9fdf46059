"""Spark's sql-tests input files as statements: split, directives set aside, each given a kind.

Spark's own suite (SQLQueryTestSuite) reads a file as lines: a line starting with `--` is a
comment, and `--SET`, `--IMPORT`, `--CONFIG_DIM<n>`, `--ONLY_IF` lines are directives for its
runner. The rest is split on `;` outside quotes and comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIRECTIVES = ("--SET", "--IMPORT", "--CONFIG_DIM", "--ONLY_IF", "--DISABLE")
# The first words of a statement, and what the importer does with it.
QUERY_WORDS = ("SELECT", "WITH", "VALUES", "FROM", "TABLE", "(")
SETUP_WORDS = ("CREATE", "INSERT", "DROP", "TRUNCATE", "ALTER")


@dataclass(frozen=True)
class Statement:
    line: int  # 1-based line of its first character in the file
    sql: str
    kind: str  # query | setup | skipped:<WORD>


def directive(line: str) -> str | None:
    """The directive a comment line carries (`--SET`, ...), or None."""
    text = line.strip()
    return next((d for d in DIRECTIVES if text.upper().startswith(d)), None)


def split(text: str) -> tuple[list[Statement], list[str]]:
    """The statements of one file, and its directive lines."""
    directives, kept = [], []
    for line in text.splitlines():
        if line.strip().startswith("--"):
            if directive(line):
                directives.append(line.strip())
            kept.append("")  # keep line numbers
        else:
            kept.append(line)
    statements = []
    for line, sql in _split_semicolons("\n".join(kept)):
        if _body(sql):
            statements.append(Statement(line, sql.strip(), kind_of(sql)))
    return statements, directives


def _split_semicolons(text: str):
    """(line, text) pieces between `;` outside '...', "...", `...`, -- and /* */ comments."""
    start, i, quote, line, first_line = 0, 0, None, 1, None
    while i < len(text):
        c = text[i]
        if first_line is None and not c.isspace():
            first_line = line
        if c == "\n":
            line += 1
        if quote:
            if c == "\\" and quote != "`":
                i += 2
                continue
            if c == quote:
                quote = None
        elif c in "'\"`":
            quote = c
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = len(text) if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
            continue
        elif c == ";":
            yield first_line or line, text[start:i]
            start, first_line = i + 1, None
        i += 1
    yield first_line or line, text[start:]


def _body(sql: str) -> str:
    """The statement without the comments and blanks before it."""
    return re.sub(r"^(\s|--[^\n]*(\n|$)|/\*.*?\*/)*", "", sql, flags=re.S)


def first_word(sql: str) -> str:
    body = _body(sql)
    if body.startswith("("):
        return "("
    match = re.match(r"[A-Za-z_]+", body)
    return match.group(0).upper() if match else body[:1]


def kind_of(sql: str) -> str:
    word = first_word(sql)
    if word in QUERY_WORDS:
        return "query"
    if word in SETUP_WORDS:
        if re.match(r"\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMPORARY\s+|TEMP\s+)?FUNCTION\b", sql, re.I):
            return "skipped:CREATE FUNCTION"
        return "setup"
    return f"skipped:{word}"


def created_name(sql: str) -> str | None:
    """The relation a setup statement creates, fills, replaces or drops (lower case)."""
    pattern = (
        r"\s*(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:GLOBAL\s+)?(?:TEMPORARY\s+|TEMP\s+)?(?:VIEW|TABLE)"
        r"|INSERT\s+(?:INTO|OVERWRITE)(?:\s+TABLE)?|DROP\s+(?:VIEW|TABLE)|TRUNCATE\s+TABLE|ALTER\s+(?:VIEW|TABLE))"
        r"\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?([`\w.]+)"
    )
    match = re.match(pattern, sql, re.I)
    return match.group(1).strip("`").split(".")[-1].lower() if match else None


def mentions(sql: str, name: str) -> bool:
    """Whether a query may read the relation `name` (a whole word, any case)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", sql, re.I) is not None
