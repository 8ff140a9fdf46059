"""The Engine interface every adapter implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.config import Source


class Engine(ABC):
    """An execution engine. Drivers are imported lazily inside the methods."""

    name: str = ""
    dialect: str = ""
    SUPPORTS_UDF: bool = False
    SUPPORTS_MODELS: bool = False
    IN_PROCESS: bool = True

    def __init__(self, settings: dict | None = None):
        self.settings = dict(settings or {})

    @abstractmethod
    def register_source(self, name: str, source: Source) -> None:
        """Make a file source available as a table called `name`."""

    @classmethod
    def map_tables(cls, tree, sources: dict[str, Source]):
        """The tree with source names replaced by the engine's own tables (default: as is)."""
        return tree

    @abstractmethod
    def execute(self, sql: str) -> None:
        """Run a statement for its effect."""

    @abstractmethod
    def to_arrow(self, sql: str) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    def close(self) -> None:
        """Release the engine's resources."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
