"""What a query is compiled for: an engine's facts, resolved once from its name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlrun.adapters import engine_class

if TYPE_CHECKING:
    from sqlglot import exp

    from sqlrun.adapters.base import Engine
    from sqlrun.config import Source
    from sqlrun.engine.catalog import Query

# The project's own functions (trained models' FUNCTIONs): (query, tree, target, schema) -> tree;
# schema ({table: {column: type}} or None) lets overloaded FUNCTIONs be told apart by argument types.
Functions = Callable[["Query", "exp.Expression", "Target", "dict | None"], "exp.Expression"]


@dataclass(frozen=True)
class Target:
    """An engine as compile sees it: the adapter class (its declared facts), the project's
    sources (for engine-side table names) and the project's functions."""

    adapter: type[Engine]
    sources: Mapping[str, Source] = field(default_factory=dict)
    functions: Functions | None = None
    settings: Mapping[str, object] = field(default_factory=dict)  # the project's [engines.<name>]
    model_calls: bool = True  # False: the trees as SQL (a statement the engine cannot run the calls of)

    @property
    def model_functions(self) -> bool:
        """Whether models are scored by the library, called from the engine's SQL (else as SQL)."""
        return self.model_calls and self.adapter.model_functions(self.settings)

    @property
    def name(self) -> str:
        return self.adapter.name

    @property
    def dialect(self) -> str:
        return self.adapter.dialect

    def map_tables(self, tree: exp.Expression) -> exp.Expression:
        return self.adapter.map_tables(tree, self.sources)


def target(name: str, sources: Mapping[str, Source] | None = None, functions: Functions | None = None,
           settings: Mapping[str, object] | None = None) -> Target:
    """The Target for an engine name; an unknown name is an EngineError listing the engines."""
    return Target(engine_class(name), dict(sources or {}), functions, dict(settings or {}))
