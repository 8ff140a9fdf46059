"""The Redshift Data API transport, with recorded responses through botocore's Stubber.

Stubber is the AWS SDK's own test tool: the real boto3 client validates every request we make
against the service model and returns the responses recorded here, in order.
"""

from __future__ import annotations

import signal
import threading
from decimal import Decimal

import boto3
import pyarrow as pa
import pytest
from botocore.stub import Stubber

from sqlrun.adapters.redshift import RedshiftEngine
from sqlrun.errors import ConfigError, EngineError

SETTINGS = {
    "transport": "data-api", "cluster_identifier": "analytics", "database": "dev",
    "db_user": "analyst", "region": "us-east-1", "poll_interval": 0.01,
}
TARGET = {"ClusterIdentifier": "analytics", "Database": "dev", "DbUser": "analyst"}
ID = "d9b6c0c9-0747-4bf4-b142-e8883122f766"
META = [
    {"name": "n", "typeName": "int4"},
    {"name": "amount", "typeName": "numeric", "precision": 12, "scale": 2},
    {"name": "ok", "typeName": "bool"},
    {"name": "day", "typeName": "date"},
    {"name": "at", "typeName": "timestamp"},
    {"name": "label", "typeName": "varchar"},
    {"name": "ratio", "typeName": "float8"},
]


def row(n, amount, ok, day, at, label, ratio) -> list[dict]:
    values = [
        {"longValue": n}, {"stringValue": amount}, {"booleanValue": ok}, {"stringValue": day},
        {"stringValue": at}, {"stringValue": label}, {"doubleValue": ratio},
    ]
    return [{"isNull": True} if v is None else f for v, f in zip((n, amount, ok, day, at, label, ratio), values)]


@pytest.fixture
def client():
    client = boto3.client("redshift-data", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        client.stubber = stubber
        yield client
        stubber.assert_no_pending_responses()


def expect_run(stub: Stubber, sql: str, statuses=("STARTED", "FINISHED"), has_result=True) -> None:
    stub.add_response("execute_statement", {"Id": ID}, {"Sql": sql, **TARGET})
    for status in statuses:
        stub.add_response(
            "describe_statement", {"Id": ID, "Status": status, "HasResultSet": has_result}, {"Id": ID}
        )


def test_pages_become_record_batches_with_redshift_types(client):
    sql = "SELECT n, amount, ok, day, at, label, ratio FROM t"
    expect_run(client.stubber, sql)
    client.stubber.add_response(
        "get_statement_result",
        {"Records": [row(1, "10.50", True, "2024-02-29", "2024-02-29 23:59:58.5", "a", 0.5)],
         "ColumnMetadata": META, "TotalNumRows": 2, "NextToken": "page-2"},
        {"Id": ID},
    )
    client.stubber.add_response(
        "get_statement_result",
        {"Records": [row(None, None, None, None, None, None, None)], "ColumnMetadata": META, "TotalNumRows": 2},
        {"Id": ID, "NextToken": "page-2"},
    )
    with RedshiftEngine(SETTINGS, client=client) as engine:
        batches = list(engine.batches(sql))
    assert [b.num_rows for b in batches] == [1, 1]
    table = pa.Table.from_batches(batches)
    assert table.schema.types == [
        pa.int32(), pa.decimal128(12, 2), pa.bool_(), pa.date32(), pa.timestamp("us"),
        pa.string(), pa.float64(),
    ]
    first, second = table.to_pylist()
    assert first["amount"] == Decimal("10.50") and first["at"].isoformat() == "2024-02-29T23:59:58.500000"
    assert set(second.values()) == {None}


def test_failed_statement_is_an_engine_error(client):
    client.stubber.add_response("execute_statement", {"Id": ID}, {"Sql": "SELECT * FROM nope", **TARGET})
    client.stubber.add_response(
        "describe_statement",
        {"Id": ID, "Status": "FAILED", "Error": 'ERROR: relation "nope" does not exist'},
        {"Id": ID},
    )
    with RedshiftEngine(SETTINGS, client=client) as engine:
        with pytest.raises(EngineError, match='relation "nope" does not exist'):
            engine.to_arrow("SELECT * FROM nope")


def test_statement_timeout_cancels_the_statement(client):
    sql = "SELECT pg_sleep(60)"
    client.stubber.add_response("execute_statement", {"Id": ID}, {"Sql": sql, **TARGET})
    # Polled at 0 s and 0.3 s; past the 0.1 s timeout at the second poll, so it is cancelled.
    for _ in range(2):
        client.stubber.add_response("describe_statement", {"Id": ID, "Status": "STARTED"}, {"Id": ID})
    client.stubber.add_response("cancel_statement", {"Status": True}, {"Id": ID})
    settings = {**SETTINGS, "statement_timeout": 0.1, "poll_interval": 0.3}
    with RedshiftEngine(settings, client=client) as engine:
        with pytest.raises(EngineError, match=r"statement_timeout \(0.1 s\)"):
            engine.to_arrow(sql)


def test_ctrl_c_cancels_the_statement(client):
    sql = "SELECT pg_sleep(60)"
    client.stubber.add_response("execute_statement", {"Id": ID}, {"Sql": sql, **TARGET})
    client.stubber.add_response("describe_statement", {"Id": ID, "Status": "STARTED"}, {"Id": ID})
    client.stubber.add_response("cancel_statement", {"Status": True}, {"Id": ID})
    main = threading.main_thread().ident
    # Ctrl-C lands while the engine waits between two polls (poll_interval 2 s).
    threading.Timer(0.3, lambda: signal.pthread_kill(main, signal.SIGINT)).start()
    engine = RedshiftEngine({**SETTINGS, "poll_interval": 2}, client=client)
    with pytest.raises(KeyboardInterrupt):
        engine.to_arrow(sql)
    # The fixture asserts that cancel_statement was called (no response left unconsumed).


def test_serverless_workgroup_and_secret_arn_target():
    from sqlrun.adapters.redshift_data_api import target_kwargs

    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rs-AbCdEf"
    assert target_kwargs({"workgroup": "wg", "secret_arn": arn}) == {
        "Database": "dev", "WorkgroupName": "wg", "SecretArn": arn,
    }
    with pytest.raises(ConfigError, match="needs cluster_identifier or workgroup"):
        target_kwargs({"database": "dev"})


def test_data_api_statements_are_the_query_itself():
    assert RedshiftEngine(SETTINGS).statements("SELECT 1") == ["SELECT 1"]
