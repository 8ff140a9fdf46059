"""DuckDB's own parser and function list, asked before a statement runs (DuckDBEngine.refuses).

json_serialize_sql parses a SELECT as DuckDB will, without binding it: every function call it
holds is then checked by name and argument count against duckdb_functions(), so a function
DuckDB lacks is a compile-time refusal, not a Catalog or Binder error at run time.
"""

from __future__ import annotations

import functools
import json
import threading

from sqlrun.adapters.base import MODEL_FUNCTION_PREFIX

_LOCK = threading.Lock()
# Calls DuckDB's binder handles itself: not in duckdb_functions().
_SPECIAL = {"unnest", "unlist", "grouping", "grouping_id"}


@functools.lru_cache(maxsize=1)
def _connection():
    import duckdb

    # as deep as DuckDBEngine's own connection takes
    return duckdb.connect(":memory:", config={"max_expression_depth": "100000"})


@functools.lru_cache(maxsize=1)
def _arities() -> dict[str, tuple[set[int], int | None, bool]]:
    """name -> (exact argument counts, fewest arguments of a varargs overload, is a macro)."""
    with _LOCK:  # one connection, shared by the threads that compile
        rows = _connection().execute(
            "SELECT lower(function_name), len(parameters), varargs IS NOT NULL, function_type"
            " FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate', 'macro', 'window')"
        ).fetchall()
    out: dict[str, tuple[set[int], int | None, bool]] = {}
    for name, count, varargs, kind in rows:
        exact, least, macro = out.get(name, (set(), None, False))
        if varargs:
            least = count if least is None else min(least, count)
        else:
            exact.add(count)
        out[name] = (exact, least, macro or kind == "macro")
    return out


def _parse(sql: str) -> dict:
    with _LOCK:
        text = _connection().execute("SELECT json_serialize_sql(?)", [sql]).fetchone()[0]
    return json.loads(text)


def refuses(sql: str) -> tuple[str, str] | None:
    try:
        parsed = _parse(sql)
    except Exception:  # not something DuckDB's serializer takes: left to the run
        return None
    if parsed.get("error"):
        if parsed.get("error_type") == "parser":
            return "", f"DuckDB's parser rejects it: {parsed.get('error_message', '').splitlines()[0]}"
        return None  # not a SELECT (the serializer takes only those)
    known = _arities()
    for node in _calls(parsed):
        if node.get("schema") or node.get("catalog") or node["function_name"].lower() in _SPECIAL:
            continue
        name = node["function_name"].lower()
        found = known.get(name)
        if found is None and name.startswith(MODEL_FUNCTION_PREFIX):  # a model's, registered at run
            continue
        if found is None:
            return name, f"duckdb has no function {name.upper()}()"
        exact, least, macro = found
        count = len(node.get("arguments") or node.get("children") or [])
        if not macro and count not in exact and (least is None or count < least):
            takes = ", ".join(str(n) for n in sorted(exact)) + (f", {least} or more" if least is not None else "")
            return name, f"duckdb's {name.upper()}() takes {takes.lstrip(', ')} argument(s), not {count}"
    return None


def _calls(tree):
    """Every FUNCTION node of a serialized statement (lambdas' bodies included)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("class") == "FUNCTION" and "function_name" in node:
                yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
