"""The Data API transport: boto3 `redshift-data` (execute, poll, page through results).

For clusters and serverless workgroups reachable only through AWS APIs. Credentials come
from boto3's usual chain (profile, environment, instance role); a database password, if
any, from Secrets Manager (secret_arn). Each result page becomes one Arrow record batch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlrun.adapters.redshift_values import arrow_type, combine, python_value, record_batch
from sqlrun.errors import ConfigError, EngineError

if TYPE_CHECKING:
    import pyarrow as pa

DONE = "FINISHED"
FAILED = ("FAILED", "ABORTED")
FIELD_KEYS = ("booleanValue", "longValue", "doubleValue", "stringValue", "blobValue")


def target_kwargs(settings: dict) -> dict:
    """Where statements go: a provisioned cluster or a serverless workgroup."""
    kwargs = {"Database": settings.get("database", "dev")}
    if "workgroup" in settings:
        kwargs["WorkgroupName"] = settings["workgroup"]
    elif "cluster_identifier" in settings:
        kwargs["ClusterIdentifier"] = settings["cluster_identifier"]
    else:
        raise ConfigError('[engines.redshift] transport = "data-api" needs cluster_identifier or workgroup')
    if "secret_arn" in settings:
        kwargs["SecretArn"] = settings["secret_arn"]
    elif "db_user" in settings:
        kwargs["DbUser"] = settings["db_user"]
    return kwargs


def field_value(field: dict):
    if field.get("isNull"):
        return None
    for key in FIELD_KEYS:
        if key in field:
            return field[key]
    return None


class DataApiTransport:
    def __init__(self, settings: dict, timeout_ms: int, client=None):
        self.target = target_kwargs(settings)
        self.timeout_s = timeout_ms / 1000 if timeout_ms else None
        self.poll_interval = float(settings.get("poll_interval", 0.5))
        self.statement_id: str | None = None
        if client is None:
            try:
                import boto3
            except ImportError:
                raise EngineError("the Data API transport needs boto3: pip install boto3") from None
            session = boto3.Session(profile_name=settings.get("profile"), region_name=settings.get("region"))
            client = session.client("redshift-data")
        self.client = client

    def _call(self, method: str, **kwargs) -> dict:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise EngineError(f"redshift data api: {method}: {error.get('Code')}: {error.get('Message')}") from None
        except BotoCoreError as exc:
            raise EngineError(f"redshift data api: {method}: {exc}") from None

    def _run(self, sql: str) -> dict:
        """Submit and poll until the statement finishes; past statement_timeout, cancel it."""
        self.statement_id = self._call("execute_statement", Sql=sql, **self.target)["Id"]
        started = time.monotonic()
        while True:
            status = self._call("describe_statement", Id=self.statement_id)
            if status["Status"] == DONE:
                return status
            if status["Status"] in FAILED:
                raise EngineError(f"redshift: {status.get('Error', status['Status'])}")
            if self.timeout_s and time.monotonic() - started > self.timeout_s:
                self.cancel()
                raise EngineError(
                    f"redshift: statement cancelled after statement_timeout ({self.timeout_s:g} s)"
                )
            time.sleep(self.poll_interval)

    def execute(self, sql: str) -> None:
        self._run(sql)
        self.statement_id = None

    def fetch_batches(self, sql: str, rows: int, cursor_name: str = "") -> Iterator[pa.RecordBatch]:
        status = self._run(sql)
        if not status.get("HasResultSet"):
            raise EngineError("redshift: the statement returns no rows")
        token = None
        while True:
            page = self._call("get_statement_result", Id=self.statement_id, **({"NextToken": token} if token else {}))
            yield self._batch(page)
            token = page.get("NextToken")
            if not token:
                break
        self.statement_id = None

    def _batch(self, page: dict) -> pa.RecordBatch:
        meta = page["ColumnMetadata"]
        names = [m.get("label") or m["name"] for m in meta]
        kinds = [m["typeName"].lower() for m in meta]
        types = [
            arrow_type(kind, m.get("precision") if kind == "numeric" else None, m.get("scale"))
            for kind, m in zip(kinds, meta)
        ]
        columns = [[] for _ in meta]
        for record in page["Records"]:
            for column, kind, field in zip(columns, kinds, record):
                column.append(python_value(field_value(field), kind))
        return record_batch(names, types, columns)

    def fetch_table(self, sql: str, rows: int, cursor_name: str = "") -> pa.Table:
        return combine(list(self.fetch_batches(sql, rows)))

    def cancel(self) -> None:
        if self.statement_id:
            try:
                self.client.cancel_statement(Id=self.statement_id)
            except Exception:  # best effort: the interrupt or timeout is what the user sees
                pass
            self.statement_id = None

    def close(self) -> None:
        self.cancel()
