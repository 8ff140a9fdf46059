"""The one place SQL is generated: bind, rewrite, generate - or raise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp
from sqlglot.errors import ErrorLevel, UnsupportedError

from sqlrun.deep import deep, nesting, run_deep, tree_depth
from sqlrun.engine import rewrites
from sqlrun.engine.catalog import is_create_model
from sqlrun.engine.params import bind_params
from sqlrun.engine.parse import SHALLOW_TEXT, SHALLOW_TREE, fail, parse_query, position, too_deep
from sqlrun.engine.rewrites.functions import known
from sqlrun.errors import CompileError

if TYPE_CHECKING:
    from sqlrun.engine.catalog import Query
    from sqlrun.engine.target import Target

# A function call whose meta holds "sqlrun_sql" is rendered as that text, its arguments' SQL in
# place of __sqlrun_arg_<i>__ and the texts in its "sqlrun_labels" in place of __sqlrun_label_<i>__
# (a compiled model: megabytes no rewrite needs to walk again).
RAW_SQL, RAW_DEPTH, RAW_LABELS = "sqlrun_sql", "sqlrun_depth", "sqlrun_labels"


def raw_arg(i: int) -> str:
    return f"__sqlrun_arg_{i}__"


def raw_label(i: int) -> str:
    return f"__sqlrun_label_{i}__"


def check_tree(query: Query, tree: exp.Expression, engine: str, target: str) -> None:
    """Fail closed on constructs sqlglot itself could not understand."""
    for node in tree.walk():
        if isinstance(node, exp.Command):
            raise fail(query, node, engine, "statement is not understood by sqlglot")
        if (isinstance(node, exp.Anonymous) and query.dialect != target and "sqlrun_model" not in node.meta
                and RAW_SQL not in node.meta and not known(query.dialect, node.name)):
            raise fail(query, node, engine, f"unknown {query.dialect} function")


def compile_tree(
    query: Query, target: Target, params: dict[str, str] | None = None, schema: dict | None = None
) -> exp.Expression:
    """The bound and rewritten syntax tree that `target` will run.

    `schema` ({table: {column: type}}) lets type-dependent rules translate instead of refusing.
    """
    try:
        if nesting(query.sql) > SHALLOW_TEXT:
            return run_deep(_compile_tree, query, target, params, schema)
        return _compile_tree(query, target, params, schema)
    except RecursionError:
        raise too_deep(query) from None


@deep
def _compile_tree(
    query: Query, target: Target, params: dict[str, str] | None = None, schema: dict | None = None
) -> exp.Expression:
    engine = target.name
    if query.engines and engine not in query.engines:
        raise CompileError(
            f"{query.path}: query '{query.name}' is limited to engines {', '.join(query.engines)}"
            f" (asked for {engine})"
        )
    if is_create_model(query.sql):
        raise CompileError(
            f"{query.path}: CREATE MODEL is not a query: `sqlrun run {query.name}` trains the model,"
            " and queries call its FUNCTION"
        )
    tree = bind_params(query, parse_query(query), params or {})
    if target.functions is not None:
        tree = target.functions(query, tree, target, schema)
    try:
        check_tree(query, tree, engine, target.dialect)
        return rewrites.apply(query, tree, target, schema)
    except rewrites.Refused as exc:
        raise fail(query, exc.node, engine, exc.reason) from None


def generate(query: Query, tree: exp.Expression, target: Target, copy: bool = True) -> str:
    """Render a compiled tree for `target`; anything sqlglot cannot render is an error.

    copy=False lets sqlglot's generator change the tree instead of a copy of it: for a tree
    that is not used again (a copy is ~0.3 ms of a TPC-H query's ~1.5 ms compile)."""
    adapter, engine = target.adapter, target.name
    depth = tree_depth(tree)
    nests = depth + max((n.meta[RAW_DEPTH] for n in _raw(tree)), default=0)
    if adapter.MAX_NESTING is not None and nests > adapter.MAX_NESTING:
        raise CompileError(
            f"{query.path}: the statement nests {nests} levels deep; {engine}'s SQL parser stops at about"
            f" {adapter.MAX_NESTING} (write it flatter, or run it on another engine) ({query.dialect} -> {engine})"
        )
    try:
        # The generator recurses ~4 frames per level and may change the tree (copy=False): a deep
        # tree goes straight to the deep-stack thread rather than being retried there.
        if depth > SHALLOW_TREE:
            sql = run_deep(_render, query, tree, target, copy)
        else:
            sql = _render(query, tree, target, copy)
    except RecursionError:
        raise too_deep(query) from None
    refused = adapter.refuses(sql)
    if refused:
        name, reason = refused
        raise fail(query, _call_named(tree, name, target.dialect), engine, reason)
    return sql


def _call_named(tree: exp.Expression, name: str, dialect: str) -> exp.Expression:
    """The call the engine would reject (rendered under that name), or the statement."""
    if name:
        for node in reversed(list(tree.find_all(exp.Func))):
            head = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            if head.lower() == name or node.sql(dialect=dialect).lower().startswith(name + "("):
                return node
    return tree


def _raw(tree: exp.Expression) -> list[exp.Anonymous]:
    return [n for n in tree.find_all(exp.Anonymous) if RAW_SQL in n.meta]


def _splice(tree: exp.Expression, dialect: str) -> exp.Expression:
    """The tree (changed) with each raw SQL call replaced by its text."""
    for node in reversed(_raw(tree)):  # innermost first: a call may take another's result
        args = [a.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE) for a in node.expressions]
        new = exp.Var(this=_fill(node.meta[RAW_SQL], args, node.meta.get(RAW_LABELS, [])))
        if node is tree:
            return new
        node.replace(new)
    return tree


def _fill(text: str, args: list[str], labels: list[str]) -> str:
    """`text` with each raw_arg(i) replaced by args[i] and raw_label(i) by labels[i], in one pass
    (the text may be megabytes; what is put in is not read again)."""
    parts = text.split("__sqlrun_")
    out = [parts[0]]
    for part in parts[1:]:
        kind, rest = part.split("_", 1)
        number, rest = rest.split("__", 1)
        out += [(args if kind == "arg" else labels)[int(number)], rest]
    return "".join(out)


def _render(query: Query, tree: exp.Expression, target: Target, copy: bool) -> str:
    try:
        if _raw(tree):
            tree, copy = _splice(tree.copy() if copy else tree, target.dialect), False
        return tree.sql(dialect=target.dialect, unsupported_level=ErrorLevel.RAISE, pretty=True, copy=copy)
    except UnsupportedError as exc:
        reason = str(exc).split("\n")[0]
        node = culprit(tree, target.dialect)
        raise fail(query, node, target.name, f"not supported by {target.name}: {reason}") from None


def culprit(tree: exp.Expression, target: str) -> exp.Expression | None:
    """The smallest subtree the generator refuses, to point the error at its line.

    The generator reports only a message; rendering subtrees bottom-up finds the node.
    This runs only on the error path.
    """
    for node in reversed(list(tree.walk(bfs=True))):
        if not isinstance(node, exp.Expression) or position(node) is None:
            continue
        try:
            node.sql(dialect=target, unsupported_level=ErrorLevel.RAISE)
        except UnsupportedError:
            return node
        except Exception:  # a fragment out of its context may not render at all
            continue
    return None


def compile_query(
    query: Query, target: Target, params: dict[str, str] | None = None, schema: dict | None = None
) -> str:
    """The SQL string `target` will run for `query` (one file, no pipeline), or a CompileError."""
    return generate(query, compile_tree(query, target, params, schema), target, copy=False)
