"""Amazon Redshift over its wire protocol (redshift-connector) or the Data API (boto3).

Nothing connects until the first statement, so `compile` and `--dry-run` never touch the
network. Sources are tables on Redshift: `map_tables` rewrites the syntax tree to the
configured names. Results come back as Arrow record batches, one per FETCH (wire) or per
result page (Data API), typed from the column metadata the server sends.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlrun.adapters.base import Engine
from sqlrun.errors import CatalogError, ConfigError, EngineError
from sqlrun.settings_schema import validate_section

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp

    from sqlrun.config import Source

CURSOR = "sqlrun_cursor"
# FETCH FORWARD is capped at 1000 rows on single-node clusters.
DEFAULT_FETCH_ROWS = 1000

# Type OIDs redshift-connector reports, by the type names the Data API uses.
OID_NAMES = {
    16: "bool", 20: "int8", 21: "int2", 23: "int4", 25: "text", 700: "float4", 701: "float8",
    1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time", 1114: "timestamp",
    1184: "timestamptz", 1700: "numeric", 4000: "super", 19: "name", 18: "char",
}


def arrow_type(type_name: str, precision: int | None = None, scale: int | None = None):
    """The Arrow type for a Redshift column type; None for unconstrained NUMERIC."""
    import pyarrow as pa

    simple = {
        "bool": pa.bool_(), "int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(),
        "float4": pa.float32(), "float8": pa.float64(), "date": pa.date32(),
        "time": pa.time64("us"), "timestamp": pa.timestamp("us"),
        "timestamptz": pa.timestamp("us", tz="UTC"),
    }
    if type_name in simple:
        return simple[type_name]
    if type_name in ("text", "varchar", "bpchar", "char", "name", "super", "character varying"):
        return pa.string()
    if type_name == "numeric":
        if not precision:
            return None
        return (pa.decimal128 if precision <= 38 else pa.decimal256)(precision, scale or 0)
    raise EngineError(f"redshift: result column type '{type_name}' is not supported")


def numeric_typmod(typmod: int) -> tuple[int | None, int | None]:
    """Precision and scale from a NUMERIC type modifier (-1: unconstrained)."""
    if typmod < 4:
        return None, None
    return (typmod - 4) >> 16, (typmod - 4) & 0xFFFF


def record_batch(names: list[str], types: list, columns: list[list]) -> pa.RecordBatch:
    """One batch from Python values; unconstrained NUMERIC gets the scale its values need."""
    import pyarrow as pa

    arrays = []
    for type_, values in zip(types, columns):
        if type_ is None:  # NUMERIC without precision: as many digits as the values carry
            scale = max((-v.as_tuple().exponent for v in values if isinstance(v, Decimal)), default=0)
            type_ = pa.decimal128(38, max(scale, 0))
        try:
            arrays.append(pa.array(values, type=type_))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise EngineError(f"redshift: cannot convert a result column to {type_}: {exc}") from None
    return pa.RecordBatch.from_arrays(arrays, names=names)


def combine(batches: list[pa.RecordBatch]) -> pa.Table:
    """Concatenate batches whose inferred NUMERIC scales may differ (the widest wins)."""
    import pyarrow as pa

    tables = [pa.Table.from_batches([b]) for b in batches]
    return pa.concat_tables(tables, promote_options="permissive").combine_chunks()


def quote_table(name: str) -> exp.Table:
    """A configured table name ("schema.table", "db.schema.table") as a sqlglot Table."""
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        return exp.to_table(name, dialect="redshift")
    except ParseError:
        raise ConfigError(f"redshift table name '{name}' is not a valid table name") from None


class RedshiftEngine(Engine):
    name = "redshift"
    dialect = "redshift"
    LOCAL = False
    TRAINS_MODELS = True
    WRAPS_QUERIES = True  # a server-side cursor: BEGIN, DECLARE, FETCH..., CLOSE

    def __init__(self, settings: dict | None = None, *, client=None):
        """`client`: an existing boto3 redshift-data client for the Data API transport."""
        super().__init__(settings)
        self._client = client
        validate_section("engines.redshift", self.settings)  # sqlrun.toml's schema: keys, types, transport
        self.transport_name = self.settings.get("transport", "wire")
        self.fetch_rows = int(self.settings.get("fetch_rows", DEFAULT_FETCH_ROWS))
        self.timeout_ms = int(float(self.settings.get("statement_timeout", 0)) * 1000)
        self.tables: dict[str, str] = {}
        self._transport = None
        self._queries = 0

    def __repr__(self) -> str:  # settings hold no secret, but say so by construction
        return f"RedshiftEngine(transport={self.transport_name!r})"

    @classmethod
    def map_tables(cls, tree: exp.Expression, sources: dict[str, Source]) -> exp.Expression:
        """Point every source table at its Redshift table; no Redshift table is an error."""
        from sqlglot import exp

        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}

        def swap(node: exp.Expression) -> exp.Expression:
            if not isinstance(node, exp.Table) or node.args.get("db") or not node.name:
                return node
            name = node.name.lower()
            source = sources.get(name)
            if name in ctes or source is None or source.redshift is None:
                return node
            if source.redshift is False:
                raise CatalogError(
                    f"source '{name}' has no Redshift table (redshift = false in sqlrun.toml)"
                )
            target = quote_table(source.redshift)
            alias = node.args.get("alias")
            if alias is None and target.name.lower() != name:
                alias = exp.TableAlias(this=exp.to_identifier(node.name))
            target.set("alias", alias.copy() if alias else None)
            return target

        return tree.transform(swap)  # a copy: the caller's tree stays as it is

    def register_source(self, name: str, source: Source) -> None:
        if source.redshift is False:
            raise CatalogError(f"source '{name}' has no Redshift table (redshift = false in sqlrun.toml)")
        self.tables[name] = source.redshift or name

    def statements(self, sql: str) -> list[str]:
        """Exactly what the next `to_arrow(sql)` sends, in order (for --dry-run)."""
        if self.transport_name == "data-api" or not self.settings.get("server_cursor", True):
            return [sql]
        cursor = f"{CURSOR}_{self._queries + 1}"
        return [
            "BEGIN",
            f"DECLARE {cursor} CURSOR FOR {sql}",
            f"FETCH FORWARD {self.fetch_rows} FROM {cursor}",  # repeated until a short batch
            f"CLOSE {cursor}",
            "COMMIT",
        ]

    def _next_cursor(self) -> str:
        self._queries += 1
        return f"{CURSOR}_{self._queries}"

    def _connect(self):
        if self._transport is None:
            if self.transport_name == "data-api":
                from sqlrun.adapters.redshift_data_api import DataApiTransport

                self._transport = DataApiTransport(self.settings, self.timeout_ms, self._client)
            else:
                from sqlrun.adapters.redshift_wire import WireTransport

                self._transport = WireTransport(self.settings, self.timeout_ms)
        return self._transport

    def execute(self, sql: str) -> None:
        self._guard(lambda t: t.execute(sql))

    def to_arrow(self, sql: str) -> pa.Table:
        return self._guard(lambda t: t.fetch_table(sql, self.fetch_rows, self._next_cursor()))

    def batches(self, sql: str) -> Iterator[pa.RecordBatch]:
        """The result one record batch at a time, for callers that stream."""
        yield from self._connect().fetch_batches(sql, self.fetch_rows, self._next_cursor())

    def _guard(self, call):
        """Run a statement; on Ctrl-C cancel it on the server before re-raising."""
        transport = self._connect()
        try:
            return call(transport)
        except KeyboardInterrupt:
            # A second Ctrl-C while cancelling should not leave the statement running.
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                transport.cancel()
            finally:
                signal.signal(signal.SIGINT, previous)
                self._transport = None
            raise

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None


def password_from_env(settings: dict) -> str | None:
    """The password, read from the environment variable named in password_env."""
    var = settings.get("password_env")
    if not var:
        return None
    value = os.environ.get(var)
    if value is None:  # the name is not repeated: it may be the password itself, put there by mistake
        raise ConfigError(
            "[engines.redshift] password_env: the environment variable it names is not set"
            " (password_env holds the variable's name; the password goes in the variable)"
        )
    return value


def scrub(text: str, secrets: tuple[str | None, ...]) -> str:
    """Error text with any secret replaced, in case a driver echoes one back."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def python_value(value, type_name: str):
    """Data API strings to the Python value Arrow expects for the column type."""
    from datetime import date, datetime

    if value is None or not isinstance(value, str):
        return value
    if type_name == "numeric":
        return Decimal(value)
    if type_name == "date":
        return date.fromisoformat(value)
    if type_name == "time":
        return time.fromisoformat(value)
    if type_name in ("timestamp", "timestamptz"):
        return datetime.fromisoformat(value)
    return value
