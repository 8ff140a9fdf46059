"""Amazon Redshift over its wire protocol (redshift-connector) or the Data API (boto3).

Nothing connects until the first statement, so `compile` and `--dry-run` never touch the
network. Sources are tables on Redshift: `map_tables` rewrites the syntax tree to the
configured names. Results come back as Arrow record batches, one per FETCH (wire) or per
result page (Data API), typed from the column metadata the server sends.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlrun.adapters.base import Engine
from sqlrun.errors import CatalogError, ConfigError
from sqlrun.settings_schema import Key, boolean, env_name, integer, one_of, seconds, string, strings

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlglot import exp

    from sqlrun.config import Source

CURSOR = "sqlrun_cursor"
# FETCH FORWARD is capped at 1000 rows on single-node clusters.
DEFAULT_FETCH_ROWS = 1000

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
    SETTINGS = {
        "transport": Key(one_of("wire", "data-api"), "redshift-connector (wire) or the Data API"),
        "database": Key(string, 'database (default "dev")'),
        "statement_timeout": Key(seconds(), "seconds before a statement is cancelled (0: none)"),
        "fetch_rows": Key(integer(1), "rows per FETCH"),
        "region": Key(string, "AWS region"),
        "profile": Key(string, "AWS profile"),
        "cluster_identifier": Key(string, "provisioned cluster (IAM or Data API)"),
        "workgroup": Key(string, "serverless workgroup (IAM or Data API)"),
        "db_user": Key(string, "database user for IAM or the Data API"),
        "host": Key(string, "cluster endpoint"),
        "port": Key(integer(1, 65535), "port (default 5439)"),
        "user": Key(string, "database user"),
        "password_env": Key(env_name, "the NAME of the environment variable holding the password", secret=True),
        "ssl": Key(boolean, "use TLS"),
        "sslmode": Key(one_of("verify-ca", "verify-full"), "TLS certificate check"),
        "timeout": Key(integer(1), "socket timeout, seconds"),
        "server_cursor": Key(boolean, "fetch through a server-side cursor (default true)"),
        "application_name": Key(string, "application name shown on the server"),
        "iam": Key(boolean, "IAM authentication instead of a password"),
        "db_groups": Key(strings, "database groups for IAM"),
        "auto_create": Key(boolean, "create the IAM database user"),
        "serverless_acct_id": Key(string, "serverless account id"),
        "secret_arn": Key(string, "Secrets Manager ARN of the database credentials (Data API)", secret=True),
        "poll_interval": Key(seconds(positive=True), "seconds between Data API status polls"),
    }
    WIRE_ONLY = {"host", "port", "user", "password_env", "ssl", "sslmode", "timeout", "server_cursor",
                 "application_name", "iam", "db_groups", "auto_create", "serverless_acct_id"}
    DATA_API_ONLY = {"secret_arn", "poll_interval"}

    @classmethod
    def check_settings(cls, values: object) -> None:
        if isinstance(values, dict) and "password" in values:
            raise ConfigError(
                "[engines.redshift] password: must not hold a password; put it in an environment variable"
                ' and name that with password_env = "REDSHIFT_PASSWORD"'
            )
        super().check_settings(values)
        transport = values.get("transport", "wire")
        misplaced = [k for k in values if k in (cls.DATA_API_ONLY if transport == "wire" else cls.WIRE_ONLY)]
        if misplaced:
            raise ConfigError(f'[engines.redshift] {", ".join(misplaced)}: not used with transport = "{transport}"')
    WRAPS_QUERIES = True  # a server-side cursor: BEGIN, DECLARE, FETCH..., CLOSE

    def __init__(self, settings: dict | None = None, *, client=None):
        """`client`: an existing boto3 redshift-data client for the Data API transport."""
        super().__init__(settings)
        self._client = client
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
