"""Semantic rewrites: where source and target differ in meaning, not just spelling.

Each rule is a small function over the syntax tree, registered with the source dialects
and target engines it applies to. `apply` runs them in order before generation. A rule
that meets a construct it cannot translate faithfully raises `Refused`, which compile
turns into a CompileError pointing at the node.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlglot import exp

from sqlrun.engine.catalog import Query

RuleFn = Callable[[exp.Expression, "Context"], exp.Expression]
SPARK = ("spark", "databricks", "hive")
POSTGRES_LIKE = ("redshift", "postgres")


class Refused(Exception):
    """A rule met a construct it cannot translate with the same meaning."""

    def __init__(self, node: exp.Expression, reason: str):
        super().__init__(reason)
        self.node = node
        self.reason = reason


@dataclass(frozen=True)
class Context:
    query: Query
    engine: str
    target: str
    schema: dict | None = None  # {table: {column: type}} where the sources' types are known

    @property
    def source(self) -> str:
        return self.query.dialect


@dataclass(frozen=True)
class Rule:
    name: str
    fn: RuleFn
    sources: tuple[str, ...] = ()  # empty: any source dialect
    engines: tuple[str, ...] = ()  # empty: any target engine

    def applies(self, ctx: Context) -> bool:
        same = ctx.source == ctx.target
        return (
            not same
            and (not self.sources or ctx.source in self.sources)
            and (not self.engines or ctx.engine in self.engines)
        )


RULES: list[Rule] = []


def rule(name: str, sources: tuple[str, ...] = (), engines: tuple[str, ...] = ()):
    """Register a rewrite rule."""

    def register(fn: RuleFn) -> RuleFn:
        RULES.append(Rule(name, fn, sources, engines))
        return fn

    return register


def apply(
    query: Query, tree: exp.Expression, engine: str, target: str, schema: dict | None = None
) -> exp.Expression:
    ctx = Context(query, engine, target, schema)
    for r in RULES:
        if r.applies(ctx):
            tree = r.fn(tree, ctx)
    return tree


def replace_all(tree: exp.Expression, kinds, build) -> exp.Expression:
    """Replace every node of `kinds` by build(node); nodes are listed first, so no loops."""
    for node in list(tree.find_all(kinds)):
        new = build(node)
        if new is not node:
            if node is tree:
                return new
            node.replace(new)
    return tree
