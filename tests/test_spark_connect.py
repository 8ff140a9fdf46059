"""Spark beyond one machine: [engines.spark] settings, and Spark Connect for real against a
local Connect server (its own JVM) that these tests start on 127.0.0.1."""

from __future__ import annotations

import dataclasses

import pytest

from sqlrun.adapters import create_engine
from sqlrun.adapters.spark_conf import runs_here, s3_read
from sqlrun.api import Session
from sqlrun.config import load_project
from sqlrun.engine.parity import compare
from sqlrun.errors import ConfigError, EngineError
from tests.servers import free_port, moto_server, spark_connect_server


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"masterr": "local[2]"}, "unknown key.*masterr"),
        ({"master": "local[2]", "remote": "sc://h:15002"}, "not both"),
        ({"remote": "http://h:15002"}, "Spark Connect URL"),
        ({"conf": "spark.sql.ansi.enabled=true"}, "conf: expected a table"),
        ({"s3_read": "boto"}, "s3_read: expected one of"),
    ],
)
def test_bad_spark_settings_are_config_errors_before_any_jvm(settings, message):
    with pytest.raises(ConfigError, match=message):
        create_engine("spark", settings)


@pytest.mark.parametrize(
    "settings, here, mode",
    [
        ({}, True, "copy"),
        ({"master": "spark://head:7077"}, False, "s3a"),
        ({"remote": "sc://127.0.0.1:15002"}, True, "copy"),
        ({"remote": "sc://[::1]:15002/;token=x"}, True, "copy"),
        ({"remote": "sc://spark.example.com:443/;use_ssl=true"}, False, "s3a"),
        ({"conf": {"spark.hadoop.fs.s3a.endpoint": "http://minio:9000"}}, True, "s3a"),
        ({"conf": {"spark.jars.packages": "org.apache.hadoop:hadoop-aws:3.4.1"}}, True, "s3a"),
        ({"master": "spark://head:7077", "s3_read": "arrow"}, False, "arrow"),
    ],
)
def test_how_spark_reads_s3_follows_where_it_runs(settings, here, mode):
    assert (runs_here(settings), s3_read(settings)) == (here, mode)


def test_an_unreachable_connect_server_fails_fast_without_its_token():
    with pytest.raises(EngineError, match="cannot reach Spark Connect at sc://127.0.0.1") as err:
        create_engine("spark", {"remote": f"sc://127.0.0.1:{free_port()}/;token=s3cr3t-token"})
    assert "s3cr3t" not in str(err.value)


@pytest.fixture(scope="module")
def connect_url(tmp_path_factory):
    with spark_connect_server(tmp_path_factory.mktemp("connect")) as url:
        yield url


def with_spark(project, **settings):
    return dataclasses.replace(load_project(project), engines={"spark": settings})


QUERIES = ["charts_by_age"]


@pytest.mark.spark
def test_queries_over_spark_connect_equal_classic_spark(connect_url, demo_project, demo_session):
    with Session(with_spark(demo_project, remote=connect_url)) as session:
        engine = session.engine("spark")
        assert type(engine.spark).__module__.startswith("pyspark.sql.connect")
        # sqlrun's session settings reach the server-side session
        assert engine.spark.conf.get("spark.sql.session.timeZone") == "UTC"
        assert engine.spark.conf.get("spark.sql.ansi.enabled") == "false"
        for query in QUERIES:
            over_connect = session.run(query, "spark")
            classic = demo_session.run(query, "spark")
            assert over_connect.num_rows > 0
            outcome = compare(over_connect, classic, ordered=True)
            assert outcome.equal, f"{query}: {outcome.reason}"


@pytest.mark.spark
def test_connect_session_conf_and_server_only_settings(connect_url, demo_project):
    with Session(with_spark(demo_project, remote=connect_url, conf={"spark.sql.shuffle.partitions": 3})) as session:
        assert session.engine("spark").spark.conf.get("spark.sql.shuffle.partitions") == "3"
    with pytest.raises(EngineError, match="cannot set spark.driver.memory on a Spark Connect session"):
        create_engine("spark", {"remote": connect_url, "conf": {"spark.driver.memory": "8g"}})


@pytest.mark.spark
def test_s3_sources_over_spark_connect(connect_url, demo_project, demo_session, tmp_path, monkeypatch):
    """A Connect server on loopback reads local copies of the objects (Spark's own readers)."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "connect-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "connect-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto_server(tmp_path) as endpoint:
        s3 = boto3.client("s3", endpoint_url=endpoint)
        s3.create_bucket(Bucket="connect-data")
        s3.upload_file(str(demo_project / "data" / "predictions.parquet"), "connect-data", "p/predictions.parquet")
        project = tmp_path / "project"
        project.mkdir()
        (project / "pr_curve.sql").write_text((demo_project / "pr_curve.sql").read_text())
        (project / "sqlrun.toml").write_text(
            f'[sources.predictions]\npath = "s3://connect-data/p/*.parquet"\nendpoint_url = "{endpoint}"\n'
        )
        with Session(with_spark(project, remote=connect_url)) as session:
            outcome = compare(session.run("pr_curve", "spark"), demo_session.run("pr_curve", "spark"), ordered=True)
    assert outcome.equal, outcome.reason
