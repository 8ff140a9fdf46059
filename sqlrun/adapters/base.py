"""The Engine interface every adapter implements."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from sqlrun.settings_schema import Key, check_table

if TYPE_CHECKING:
    import pyarrow as pa

    from sqlrun.config import Source

# The functions add_model_function registers are named so (engine/models/scorer.py).
MODEL_FUNCTION_PREFIX = "sqlrun_model_"


class Engine(ABC):
    """An execution engine. Drivers are imported lazily inside the methods."""

    name: str = ""
    dialect: str = ""
    # Declared facts, read where decisions are made (engine/target.py is how compile sees them).
    LOCAL: bool = True  # runs on this machine: reads the store's files back; `parity`'s default engines
    TRAINS_MODELS: bool = False  # runs CREATE MODEL itself and keeps model FUNCTION calls as they are
    LOG_DIR: bool = False  # takes settings["log_dir"], a directory in the project for its own log
    WRAPS_QUERIES: bool = False  # sends a query inside more statements: `statements(sql)` lists them
    # [engines.NAME] in sqlrun.toml: its keys (settings_schema.Key), checked by check_settings.
    SETTINGS: dict[str, Key] = {}
    # Deepest statement (sqlrun.deep.tree_depth) the engine's SQL parser accepts; None: no limit known.
    MAX_NESTING: int | None = None
    # How a trained model's trees are written for it (engine/models/trees_sql.py): "case" (leaf
    # values in nested CASE) or "index" (leaf numbers in nested CASE, values from an array); trees
    # are added in float32 in tree order (XGBoost's margins), other models' terms summed as
    # MODEL_SUMS says: "balanced" (a balanced tree of +) or "chain" (t1 + t2 + ... in one parenthesis).
    MODEL_TREES: str = "case"
    MODEL_SUMS: str = "balanced"
    # Scores tree models with the library inside the engine (engine/models/scorer.py): the compiled
    # SQL calls a function add_model_function registers before the query runs.
    MODEL_FUNCTIONS: bool = False
    # The engine runs model calls in its SQL (add_model_function); False: only split by
    # engine/models/outer_scores.py (MODEL_BATCH), other statements get the trees as SQL.
    MODEL_CALLS: bool = True
    # Model calls in the outermost SELECT list are scored in one batch (outer_scores.py):
    # the engine registers the scores with register_table.
    MODEL_BATCH: bool = False

    @classmethod
    def refuses(cls, sql: str) -> tuple[str, str] | None:
        """What the engine's own parser and function list would reject in `sql`, known before
        it runs: (the function name, or '', the reason); None when nothing is known to fail."""
        return None

    @classmethod
    def binds(cls, sql: str, sources: dict[str, Source], literal_only: bool = False, functions: dict | None = None
              ) -> str | None:
        """The engine's own error binding `sql` over empty tables of the sources' schemas
        (footers only, nothing run on their rows; a statement of literals only, which reads no
        table, may be computed); None when it binds or cannot be checked. `functions`: the model
        functions the SQL calls (name -> scorer), registered as add_model_function does."""
        return None

    def __init__(self, settings: dict | None = None):
        self.settings = dict(settings or {})
        self.check_settings(self.settings)

    @classmethod
    def check_settings(cls, values: object) -> None:
        """The engine's [engines.NAME] table: at project load, and when an engine is created."""
        check_table(f"engines.{cls.name}", values, cls.SETTINGS)

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

    @classmethod
    def model_functions(cls, settings) -> bool:
        """Whether this engine, so configured, scores models with add_model_function's functions."""
        return cls.MODEL_FUNCTIONS

    def add_model_function(self, name: str, scorer) -> None:
        """Register `name(k, x0, ..., xm)`: DOUBLE, the vectorized `scorer.arrow(k, *columns)` over
        `scorer.width` DOUBLE features (NULLs passed in); once per name (MODEL_FUNCTIONS engines)."""
        raise NotImplementedError(f"{self.name} has no model functions")

    def register_table(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table available as a table called `name` (MODEL_BATCH engines)."""
        raise NotImplementedError(f"{self.name} takes no Arrow tables")

    def close(self) -> None:
        """Release the engine's resources."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_interruptibly(call, cancel):
    """Run a blocking engine call in a worker thread, so that Ctrl-C reaches the main thread at
    once (it waits on an event, not inside a driver that looks at signals late or never: py4j,
    gRPC, DuckDB's aggregates); on Ctrl-C `cancel` stops the engine's work, which is waited for
    (briefly), and the KeyboardInterrupt goes on."""
    outcome: dict = {}
    done = threading.Event()  # not Thread.join: on 3.11 a join interrupted by Ctrl-C marks a running thread stopped

    def work() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name="sqlrun-engine", daemon=True).start()
    try:
        while not done.wait(0.25):
            pass
    except KeyboardInterrupt:
        try:
            cancel()
        except Exception:  # cancelling is best effort; the process is ending anyway
            pass
        done.wait(10)
        outcome.clear()  # the worker's error holds its frames, and so the engine's open result
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
