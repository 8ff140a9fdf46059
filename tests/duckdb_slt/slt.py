"""DuckDB's sqllogictest files as records, read as its runner (test/sqlite/sqllogic_parser.cpp) does.

A record starts at a command line: `statement ok|error|maybe`, `query <types> [sort] [label]`,
`hash-threshold N`, `loop`/`foreach`...`endloop`, `require X`, `mode skip|unskip`, `halt`...
Its SQL runs to the first empty or `#` line or `----`; a query's expected values follow `----`
up to the first empty line. `skipif duckdb` / `onlyif <other>` drop the next record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

MAX_LOOP = 20  # a longer `loop` (filling a table row by row...) is not unrolled
SORTS = ("nosort", "rowsort", "valuesort", "none")
# `require` arguments the installed duckdb module (and the 2048-row vector) satisfies.
SATISFIED = {
    "icu", "parquet", "json", "core_functions", "noforcestorage", "skip_reload", "no_alternative_verify",
    "notwindows", "no_vector_verification", "no_latest_storage", "no_extension_autoloading", "notmingw",
}


@dataclass
class Record:
    line: int  # 1-based line of its command
    command: str  # statement | query | skipped:<why>
    sql: str = ""
    expect: str = ""  # statement: ok | error | maybe; query: the column types (I, R, T...)
    sort: str = "nosort"
    label: str = ""
    values: list = field(default_factory=list)  # expected result lines
    hash_threshold: int = 0


def _empty_or_comment(line: str) -> bool:
    return not line.strip() or line.startswith("#")


def parse(text: str) -> tuple[list[Record], str]:
    """The records of one file and, if its runner would skip the whole file, why."""
    lines = [line.replace("\r", "") for line in text.split("\n")]
    records, i, hash_threshold, skip_mode = [], 0, 0, False
    while i < len(lines):
        if _empty_or_comment(lines[i]):
            i += 1
            continue
        start, words = i, lines[i].split()
        skip_next = False
        while words and words[0] in ("skipif", "onlyif"):
            ours = len(words) > 1 and words[1].lower() == "duckdb"
            skip_next = skip_next or ours == (words[0] == "skipif")
            i += 1
            words = lines[i].split() if i < len(lines) else []
        if not words:
            continue
        token, i = words[0], i + 1
        if token in ("statement", "query"):
            sql_lines = []
            while i < len(lines) and not _empty_or_comment(lines[i]) and lines[i] != "----":
                sql_lines.append(lines[i])
                i += 1
            values = []
            if i < len(lines) and lines[i] == "----":
                i += 1
                while i < len(lines) and lines[i] != "":
                    values.append(lines[i])
                    i += 1
            record = Record(start + 1, token, "\n".join(sql_lines), words[1] if len(words) > 1 else "",
                            values=values, hash_threshold=hash_threshold)
            if token == "query":
                rest = words[2:]
                if rest and rest[0] in SORTS:
                    record.sort = "nosort" if rest[0] == "none" else rest[0]
                    record.label = rest[1] if len(rest) > 1 else ""
                elif rest:
                    record.command = "skipped:named connection"
            if skip_next:
                record.command = "skipped:skipif duckdb"
            elif skip_mode:
                record.command = "skipped:mode skip"
            records.append(record)
        elif skip_next:
            continue
        elif token == "hash-threshold":
            hash_threshold = int(words[1])
        elif token == "mode" and len(words) > 1 and words[1] in ("skip", "unskip"):
            skip_mode = words[1] == "skip"
        elif token in ("loop", "foreach", "concurrentloop", "concurrentforeach"):
            records.append(Loop(words[1], _iterations(words)))
        elif token == "endloop":
            records.append(Loop("", ()))
        elif token == "require":
            arg = words[1] if len(words) > 1 else ""
            if arg == "vector_size" and int(words[2]) <= 2048:
                continue
            if arg not in SATISFIED:
                return records, f"require {' '.join(words[1:])}"
        elif token in ("require-env", "load", "include"):
            return records, token
        elif token in ("halt", "restart", "reconnect"):
            records.append(Record(start + 1, f"stop:{token}"))
            break
    return expand(records), ""


@dataclass
class Loop:
    """`loop i 0 3` / `foreach x a b`: its values (empty: one that is not expanded); name "": endloop."""

    name: str
    values: tuple


SIGNED = ("tinyint", "smallint", "integer", "bigint", "hugeint")
UNSIGNED = ("utinyint", "usmallint", "uinteger", "ubigint", "uhugeint")
# the runner's foreach collections (sqllogic_command.cpp ForEachTokenReplace)
COLLECTIONS = {
    "<signed>": SIGNED, "<unsigned>": UNSIGNED, "<integral>": SIGNED + UNSIGNED,
    "<numeric>": SIGNED + UNSIGNED + ("float", "double"),
    "<alltypes>": SIGNED + UNSIGNED + ("float", "double", "bool", "interval", "varchar"),
}


def _iterations(words: list[str]) -> tuple:
    if words[0].endswith("foreach"):
        values: list[str] = []
        for word in words[2:]:
            if word.lower() in COLLECTIONS:
                values += COLLECTIONS[word.lower()]
            elif word.startswith("!") and word[1:] in values:
                values.remove(word[1:])
            elif word.startswith("<"):
                return ()  # <compression>, <all_types_columns>...: not expanded
            else:
                values.append(word)
        return tuple(values)
    start, end = int(words[2]), int(words[3])
    return tuple(str(n) for n in range(start, end)) if end - start <= MAX_LOOP else ()


def expand(items: list, loops: tuple = ()) -> list[Record]:
    """Loops unrolled as the runner runs them: `{name}` (and `${name}`) replaced in each copy."""
    out, i = [], 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Loop) and item.name:
            depth, j = 1, i + 1
            while j < len(items) and depth:
                if isinstance(items[j], Loop):
                    depth += 1 if items[j].name else -1
                j += 1
            body = items[i + 1:j - 1]
            if item.values:
                for value in item.values:
                    out += expand(body, (*loops, (item.name, value)))
            else:
                out += [replace(r, command="skipped:loop") for r in expand(body, loops)]
            i = j
            continue
        if isinstance(item, Record):
            out.append(replace(item, sql=_sub(item.sql, loops), values=[_sub(v, loops) for v in item.values]))
        i += 1
    return out


def _sub(text: str, loops) -> str:
    for name, value in loops:
        pairs = zip(name.split(","), value.split(",")) if "," in name else [(name, value)]
        for key, val in pairs:
            text = text.replace("${" + key + "}", val).replace("{" + key + "}", val)
    return text
