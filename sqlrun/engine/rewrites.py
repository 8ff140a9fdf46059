"""Semantic rewrites: where source and target differ in meaning, not just spelling.

Each rule is a small function over the syntax tree, registered with the source dialects
and target engines it applies to. `apply` runs them in order before generation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlglot import exp

from sqlrun.engine.catalog import Query

RuleFn = Callable[[exp.Expression, "Context"], exp.Expression]


@dataclass(frozen=True)
class Context:
    query: Query
    engine: str
    target: str

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


def apply(query: Query, tree: exp.Expression, engine: str, target: str) -> exp.Expression:
    ctx = Context(query, engine, target)
    for r in RULES:
        if r.applies(ctx):
            tree = r.fn(tree, ctx)
    return tree
