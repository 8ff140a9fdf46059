"""The wire transport: redshift-connector, with a server-side cursor fetched in batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlrun.adapters.redshift_values import (
    OID_NAMES,
    arrow_type,
    combine,
    numeric_typmod,
    password_from_env,
    record_batch,
    scrub,
)
from sqlrun.errors import ConfigError, EngineError

if TYPE_CHECKING:
    import pyarrow as pa

# sqlrun setting -> redshift-connector argument, passed through when set.
PASSTHROUGH = {
    "host": "host", "port": "port", "database": "database", "user": "user", "ssl": "ssl",
    "sslmode": "sslmode", "timeout": "timeout", "region": "region", "profile": "profile",
    "cluster_identifier": "cluster_identifier", "db_user": "db_user", "db_groups": "db_groups",
    "auto_create": "auto_create", "iam": "iam", "serverless_acct_id": "serverless_acct_id",
    "workgroup": "serverless_work_group", "application_name": "application_name",
}
TIMED_OUT = "57014"  # SQLSTATE query_canceled: statement_timeout or a cancel


def connect_kwargs(settings: dict, password: str | None) -> dict:
    """redshift-connector's arguments: password auth, or IAM (cluster or serverless)."""
    kwargs = {arg: settings[key] for key, arg in PASSTHROUGH.items() if key in settings}
    kwargs.setdefault("application_name", "sqlrun")
    kwargs.setdefault("database", "dev")
    if settings.get("iam"):
        if "workgroup" in settings:
            kwargs["is_serverless"] = True
        elif "cluster_identifier" not in settings and "host" not in settings:
            raise ConfigError("[engines.redshift] iam = true needs cluster_identifier, workgroup or host")
    else:
        if "host" not in settings or "user" not in settings:
            raise ConfigError("[engines.redshift] needs host and user (or iam = true)")
        kwargs["password"] = password
    return kwargs


class WireTransport:
    def __init__(self, settings: dict, timeout_ms: int):
        try:
            import redshift_connector
        except ImportError:
            raise EngineError("the redshift engine needs redshift-connector: pip install redshift-connector") from None
        self._driver = redshift_connector
        self.settings = settings
        self.server_cursor = bool(settings.get("server_cursor", True))
        self._secret = password_from_env(settings)
        self.con = self._open()
        self.timeout_ms = timeout_ms
        if timeout_ms:
            self.execute(f"SET statement_timeout TO {timeout_ms}")
        self.pid = self._scalar("SELECT pg_backend_pid()")

    def _open(self):
        where = f"{self.settings.get('host', 'IAM endpoint')}:{self.settings.get('port', 5439)}"
        try:
            con = self._driver.connect(**connect_kwargs(self.settings, self._secret))
        except Exception as exc:  # the driver raises its own errors, socket and boto errors
            raise EngineError(f"redshift: cannot connect to {where}: {self._message(exc)}") from None
        con.autocommit = True  # we open the transaction a cursor needs ourselves
        return con

    def _message(self, exc: Exception) -> str:
        args = exc.args[0] if exc.args else exc
        text = args.get("M", str(args)) if isinstance(args, dict) else str(args)
        return scrub(text.strip().splitlines()[0] if text.strip() else type(exc).__name__, (self._secret,))

    def _run(self, cursor, sql: str) -> None:
        try:
            cursor.execute(sql)
        except self._driver.Error as exc:
            args = exc.args[0] if exc.args else None
            code = args.get("C") if isinstance(args, dict) else None
            if code == TIMED_OUT and self.timeout_ms:
                raise EngineError(
                    f"redshift: statement cancelled after statement_timeout ({self.timeout_ms / 1000:g} s)"
                ) from None
            raise EngineError(f"redshift: {self._message(exc)}") from None

    def _scalar(self, sql: str):
        cursor = self.con.cursor()
        self._run(cursor, sql)
        return cursor.fetchone()[0]

    def execute(self, sql: str) -> None:
        self._run(self.con.cursor(), sql)

    def _batch(self, cursor, rows: tuple) -> pa.RecordBatch:
        names, types = self._schema(cursor)
        columns = [list(col) for col in zip(*rows)] if rows else [[] for _ in names]
        return record_batch(names, types, columns)

    def _schema(self, cursor) -> tuple[list[str], list]:
        # description carries names and type OIDs; the NUMERIC typmod is in the row description.
        names, types = [], []
        for field, column in zip(cursor.ps["row_desc"], cursor.description):
            oid = column[1]
            if oid not in OID_NAMES:
                raise EngineError(f"redshift: column '{column[0]}' has unsupported type OID {oid}")
            names.append(column[0])
            types.append(arrow_type(OID_NAMES[oid], *numeric_typmod(field["type_modifier"])))
        return names, types

    def fetch_batches(self, sql: str, rows: int, cursor_name: str) -> Iterator[pa.RecordBatch]:
        """One record batch per FETCH, so only one batch of Python rows exists at a time.

        The cursor name is new for every query: the connector caches prepared statements by
        SQL text, and a cached FETCH would keep the columns of an earlier cursor.
        """
        cursor = self.con.cursor()
        if not self.server_cursor:  # the driver buffers the whole result; convert it in slices
            self._run(cursor, sql)
            yield from self._drain(cursor, rows, None)
            return
        self._run(cursor, "BEGIN")
        try:
            self._run(cursor, f"DECLARE {cursor_name} CURSOR FOR {sql}")
            yield from self._drain(cursor, rows, f"FETCH FORWARD {rows} FROM {cursor_name}")
            self._run(cursor, f"CLOSE {cursor_name}")
        except (Exception, GeneratorExit):
            self._quietly(cursor, "ROLLBACK")
            raise
        self._run(cursor, "COMMIT")
        # KeyboardInterrupt skips both: the connection is mid-message; cancel() drops it.

    def _drain(self, cursor, rows: int, fetch: str | None) -> Iterator[pa.RecordBatch]:
        while True:
            if fetch:
                self._run(cursor, fetch)
            chunk = cursor.fetchmany(rows)
            yield self._batch(cursor, chunk)
            if len(chunk) < rows:
                return

    def _quietly(self, cursor, sql: str) -> None:
        try:
            cursor.execute(sql)
        except Exception:  # a broken connection is reported by the statement that broke it
            pass

    def fetch_table(self, sql: str, rows: int, cursor_name: str) -> pa.Table:
        return combine(list(self.fetch_batches(sql, rows, cursor_name)))

    def cancel(self) -> None:
        """Cancel our running statement from a second connection (pg_cancel_backend)."""
        try:
            other = self._open()
            try:
                other.cursor().execute(f"SELECT pg_cancel_backend({int(self.pid)})")
            finally:
                other.close()
        except Exception:  # cancelling is best effort; the interrupt is what the user sees
            pass
        self.close()

    def close(self) -> None:
        try:
            self.con.close()
        except Exception:  # closing a connection broken by an interrupt
            pass
