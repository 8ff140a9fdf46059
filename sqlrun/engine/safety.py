"""What a catalog file may do: one query (or a CREATE / SHOW / DROP MODEL, handled elsewhere), reading only the
project's declared sources. Statements with effects (COPY ... TO, DROP, ATTACH, INSTALL, SET, ...)
and functions that reach files, the environment, settings or other code are refused at compile
time, before any engine starts, unless the project sets `unsafe_sql = true` in [project]."""

from __future__ import annotations

from sqlglot import exp

QUERY_ROOTS = (exp.Query, exp.Values, exp.Pivot)
# Table functions that only make rows from their arguments.
ROW_FUNCTIONS = (
    exp.GenerateSeries, exp.Unnest, exp.Explode, exp.Posexplode, exp.Inline, exp.Stack, exp.ExplodingGenerateSeries,
)
ROW_FUNCTION_NAMES = {"range", "generate_series", "unnest", "explode", "explode_outer", "posexplode", "inline", "stack"}
# Scalar functions that read files, the environment, engine settings, or run other SQL / Java.
REFUSED_FUNCTIONS = {
    "getenv", "current_setting", "read_text", "read_blob", "glob", "query", "query_table", "reflect",
    "java_method", "try_reflect", "which_secret", "sql_auto_complete", "load_extension", "file_exists",
    "parquet_metadata", "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "sniff_csv",
}
REFUSED_PREFIXES = ("duckdb_", "pragma_", "read_", "scan_")
# Spark reads `parquet.`/path`` (and the other formats) as a file path.
FILE_FORMATS = {"parquet", "csv", "json", "orc", "text", "avro", "delta", "binaryfile", "jdbc", "libsvm"}


def _name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def refusal(tree: exp.Expression) -> tuple[exp.Expression, str] | None:
    """The first construct a catalog query may not use, and why; None when the statement is safe."""
    if not isinstance(tree, QUERY_ROOTS):
        kind = str(tree.this).upper() if isinstance(tree, exp.Command) else type(tree).__name__.upper()
        return tree, (f"{kind} is not a query: a catalog file holds one query (SELECT / WITH / VALUES), a CREATE MODEL,"
                      " or a SHOW MODEL / DROP MODEL that only `sqlrun run` and `sqlrun compile` take")
    for node in tree.walk():
        if isinstance(node, exp.Table):
            source = node.this
            if isinstance(source, exp.Func) and not (
                isinstance(source, ROW_FUNCTIONS) or _name(source) in ROW_FUNCTION_NAMES
            ):
                return node, f"table function {_name(source).upper()}() reads outside the project's sources"
            if node.db and node.db.lower() in FILE_FORMATS and "/" in node.name:
                return node, "reading a file path directly: declare it as a source in sqlrun.toml"
        elif isinstance(node, exp.Func):
            name = _name(node)
            if name in REFUSED_FUNCTIONS or name.startswith(REFUSED_PREFIXES):
                return node, f"function {name.upper()}() reaches outside the query (files, settings or other code)"
    return None
