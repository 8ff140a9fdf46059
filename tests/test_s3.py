"""S3 sources, against a real S3-compatible server (moto_server) on 127.0.0.1: listing and
globbing keys, reading through every engine, pipeline fingerprints, and no secret in errors."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from sqlrun import s3 as s3_module
from sqlrun.adapters import LOCAL_ENGINES
from sqlrun.api import Session
from sqlrun.config import load_project
from sqlrun.engine.fingerprint import source_fingerprint
from sqlrun.engine.parity import compare
from sqlrun.engine.schema import SchemaCache
from sqlrun.errors import ConfigError, EngineError, SqlrunError
from sqlrun.s3 import glob_regex
from tests.servers import s3_with_credentials

BUCKET = "sqlrun-data"
KEY_ID = "sqlrun-test-key-id"
SECRET = "sqlrun-test-SECRET-value-7Qz"
QUERIES = ["charts_by_age", "users_by_country"]
USERS_BY_COUNTRY = """-- description: users per country and gender, from the CSV copy of users
SELECT country, gender, COUNT(*) AS users, MIN(signup_date) AS first_signup, AVG(birth_year) AS born
FROM users_csv GROUP BY country, gender
"""
PLAYS_PER_DAY = "SELECT ds, COUNT(*) AS plays, SUM(ms_played) AS ms FROM play_logs GROUP BY ds\n"
ENGINES = [pytest.param(e, marks=[pytest.mark.spark] if e == "spark" else []) for e in LOCAL_ENGINES]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    with s3_with_credentials(tmp_path_factory, KEY_ID, SECRET) as url:
        yield url


@pytest.fixture(scope="module")
def s3(endpoint):
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    return client


def toml(endpoint: str, prefix: str) -> str:
    base = f"s3://{BUCKET}/{prefix}"
    return f"""[project]
dialect = "spark"
queries = "."
[sources.play_logs]
path = "{base}/play_logs/*.parquet"
endpoint_url = "{endpoint}"
[sources.users]
path = "{base}/users.parquet"
endpoint_url = "{endpoint}"
[sources.tracks]
path = "{base}/tracks"
format = "orc"
endpoint_url = "{endpoint}"
[sources.users_csv]
path = "{base}/csv/users.csv"
endpoint_url = "{endpoint}"
"""


def upload_demo(s3, local: Path, prefix: str) -> None:
    for path in sorted(local.rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), BUCKET, f"{prefix}/{path.relative_to(local)}")
    s3.put_object(Bucket=BUCKET, Key=f"{prefix}/tracks/_SUCCESS", Body=b"")


@pytest.fixture(scope="module")
def local_project(demo_project, tmp_path_factory) -> Path:
    """The demo project plus a CSV copy of users and a query over it, all on local disk."""
    root = tmp_path_factory.mktemp("local")
    shutil.copytree(demo_project, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".sqlrun"))
    (root / "data" / "csv").mkdir()
    pacsv.write_csv(pq.read_table(root / "data" / "users.parquet"), root / "data" / "csv" / "users.csv")
    (root / "users_by_country.sql").write_text(USERS_BY_COUNTRY)
    (root / "plays_per_day.sql").write_text(PLAYS_PER_DAY)
    with open(root / "sqlrun.toml", "a") as f:
        f.write('\n[sources.users_csv]\npath = "data/csv/users.csv"\n')
    return root


def s3_project(s3, endpoint: str, local_project: Path, root: Path, prefix: str) -> Path:
    """The same project with every source on S3 under `prefix`."""
    upload_demo(s3, local_project / "data", prefix)
    root.mkdir(parents=True, exist_ok=True)
    for sql in local_project.glob("*.sql"):
        shutil.copy(sql, root / sql.name)
    (root / "sqlrun.toml").write_text(toml(endpoint, prefix))
    return root


@pytest.fixture(scope="module")
def remote_project(s3, endpoint, local_project, tmp_path_factory) -> Path:
    return s3_project(s3, endpoint, local_project, tmp_path_factory.mktemp("remote"), "demo")


@pytest.fixture(scope="module")
def expected(local_project):
    """A query's answer on local files, on the same engine (results cached per engine)."""
    answers: dict[tuple[str, str], pa.Table] = {}
    with Session(local_project) as session:

        def answer(query: str, engine: str) -> pa.Table:
            if (query, engine) not in answers:
                answers[query, engine] = session.run(query, engine)
            return answers[query, engine]

        yield answer


@pytest.mark.parametrize(
    "pattern, matches, misses",
    [
        ("logs/*.parquet", ["logs/a.parquet"], ["logs/x/a.parquet", "logs/a.orc"]),
        ("logs/**/*.parquet", ["logs/a.parquet", "logs/ds=1/a.parquet"], ["other/a.parquet"]),
        ("logs/ds=2025-08-0?.parquet", ["logs/ds=2025-08-01.parquet"], ["logs/ds=2025-08-10.parquet"]),
        ("logs/[!_]*.csv", ["logs/a.csv"], ["logs/_a.csv"]),
        ("a+b (1)/*.csv", ["a+b (1)/x.csv"], ["ab (1)/x.csv"]),
        ("logs/**", ["logs/a.csv", "logs/ds=1/a.csv"], ["other/a.csv", "logs"]),
    ],
)
def test_key_globs_match_like_local_globs(pattern, matches, misses):
    regex = glob_regex(pattern)
    assert all(regex.match(k) for k in matches)
    assert not any(regex.match(k) for k in misses)


def test_a_double_star_inside_a_key_segment_is_refused_before_listing(tmp_path):
    (tmp_path / "sqlrun.toml").write_text('[sources.t]\npath = "s3://b-1/logs/**x.parquet"\n')
    source = load_project(tmp_path).sources["t"]
    with pytest.raises(ConfigError, match=r"source 't': s3://b-1/logs/\*\*x\.parquet: .*entire path component"):
        source.files()


def test_s3_settings_are_parsed_and_credentials_refused(tmp_path):
    (tmp_path / "sqlrun.toml").write_text(
        '[sources.t]\npath = "s3://b-1/p/*.parquet"\nendpoint_url = "http://127.0.0.1:9"\n'
        'region = "eu-west-1"\nprofile = "analytics"\n'
    )
    source = load_project(tmp_path).sources["t"]
    assert (source.s3.bucket, source.s3.key, source.s3.region, source.s3.profile) == (
        "b-1", "p/*.parquet", "eu-west-1", "analytics"
    )
    assert source.options == {}  # S3 settings are not reader options
    for extra, message in [
        ('aws_secret_access_key = "x"', "credentials never go in sqlrun.toml"),
        ('endpoint_url = "127.0.0.1:9000"', "endpoint_url: expected an http"),
    ]:
        (tmp_path / "sqlrun.toml").write_text(f'[sources.t]\npath = "s3://b-1/p.parquet"\n{extra}\n')
        with pytest.raises(ConfigError, match=message):
            load_project(tmp_path)
    (tmp_path / "sqlrun.toml").write_text('[sources.t]\npath = "p.parquet"\nregion = "eu-west-1"\n')
    with pytest.raises(ConfigError, match="only apply to s3:// paths"):
        load_project(tmp_path)


def test_sources_list_globs_prefixes_and_exact_keys(remote_project):
    sources = load_project(remote_project).sources
    logs = sources["play_logs"].files()
    assert len(logs) == 7 and all(u.startswith(f"s3://{BUCKET}/demo/play_logs/ds=") for u in logs)
    assert sources["tracks"].files() == [f"s3://{BUCKET}/demo/tracks/tracks.orc"]  # _SUCCESS skipped
    assert sources["users"].files() == [f"s3://{BUCKET}/demo/users.parquet"]
    gone = dataclasses.replace(sources["users"], s3=dataclasses.replace(sources["users"].s3, key="nope/*.parquet"))
    with pytest.raises(ConfigError, match="no parquet objects"):
        gone.files()


def test_column_types_come_from_s3_footers(remote_project, tmp_path):
    sources = load_project(remote_project).sources
    cache = SchemaCache(tmp_path / "schemas.json")
    assert cache.columns(sources["users"])["signup_date"] == "date"
    assert cache.columns(sources["tracks"])["track_id"] == "bigint"


@pytest.mark.parametrize("engine", ENGINES)
def test_s3_sources_read_the_same_as_local_files(engine, remote_project, expected):
    with Session(remote_project) as session:
        for query in QUERIES:
            result = session.run(query, engine)
            assert result.num_rows > 0
            outcome = compare(result, expected(query, engine), ordered=False)
            assert outcome.equal, f"{query} on {engine}: {outcome.reason}"


@pytest.mark.spark
def test_spark_can_read_s3_through_arrow_in_the_driver(remote_project, expected):
    project = load_project(remote_project)
    project = dataclasses.replace(project, engines={"spark": {"s3_read": "arrow"}})
    with Session(project) as session:
        outcome = compare(session.run("plays_per_day", "spark"), expected("plays_per_day", "spark"), ordered=False)
        assert outcome.equal, outcome.reason
        # pyarrow's CSV inference is not Spark's: refused rather than a different answer
        with pytest.raises(EngineError, match="reads parquet and orc only"):
            session.run("users_by_country", "spark")


@pytest.mark.spark
def test_spark_s3a_path_fails_clearly_without_the_connector(remote_project):
    project = load_project(remote_project)
    project = dataclasses.replace(project, engines={"spark": {"s3_read": "s3a"}})
    with Session(project) as session, pytest.raises(EngineError, match="cannot read source 'users'.*s3a") as err:
        session.engine("spark").register_source("users", project.sources["users"])
    assert SECRET not in str(err.value)


def test_a_changed_object_changes_the_pipeline_fingerprint(s3, endpoint, local_project, tmp_path):
    root = s3_project(s3, endpoint, local_project, tmp_path / "p", "pipeline")
    with Session(root) as session:
        reports = []
        first = session.run("churn_training", "duckdb", on_step=reports.append)
        assert {r.status for r in reports if r.step == "churn_training"} == {"ran"}
        reports.clear()
        session.run("churn_training", "duckdb", on_step=reports.append)
        assert {r.status for r in reports if r.step == "churn_training"} == {"fresh"}
        source = session.project.sources["play_logs"]
        before = source_fingerprint(source)
        # Drop the last day's plays: a changed object must recompute the steps reading it.
        key = "pipeline/play_logs/ds=2025-08-07.parquet"
        table = pq.read_table(local_project / "data" / "play_logs" / "ds=2025-08-07.parquet")
        body = io.BytesIO()
        pq.write_table(table.slice(0, table.num_rows // 2), body)
        s3.put_object(Bucket=BUCKET, Key=key, Body=body.getvalue())
        assert source_fingerprint(source) != before
        reports.clear()
        second = session.run("churn_training", "duckdb", on_step=reports.append)
        assert {r.status for r in reports if r.step == "churn_training"} == {"ran"}
        assert not compare(first, second, ordered=False).equal


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_errors_name_the_object_but_never_the_secret(engine, s3, endpoint, local_project, tmp_path):
    root = s3_project(s3, endpoint, local_project, tmp_path / "p", f"errors-{engine}")
    with Session(root) as session:
        session.run("users_by_country", engine)  # registered and read once
        s3.delete_object(Bucket=BUCKET, Key=f"errors-{engine}/csv/users.csv")
        with pytest.raises(SqlrunError) as err:
            session.run("users_by_country", engine)
    assert "users.csv" in str(err.value) and SECRET not in str(err.value) and KEY_ID not in str(err.value)
    (root / "sqlrun.toml").write_text(toml(endpoint, "x").replace(BUCKET, "no-such-bucket"))
    with Session(root) as session, pytest.raises(EngineError, match="NoSuchBucket") as err:
        session.run("users_by_country", engine)
    assert SECRET not in str(err.value)


def test_no_credentials_is_a_clear_error(remote_project, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    s3_module.client.cache_clear()  # clients made earlier hold the credentials they found
    try:
        with Session(remote_project) as session, pytest.raises(SqlrunError, match="(?i)credentials"):
            session.run("users_by_country", "polars")
    finally:
        s3_module.client.cache_clear()


@pytest.mark.parametrize("key", ["keys/../../../escaped.parquet", "keys//x.parquet", "keys/./x.parquet"])
def test_object_keys_never_become_paths_outside_the_copy_directory(s3, endpoint, tmp_path, key):
    """Spark's copy mode downloads objects keeping their key paths: a key with '..' segments once
    wrote outside the download directory."""
    from sqlrun.config import Source
    from sqlrun.s3 import S3Location, download

    body = (tmp_path / "x.parquet")
    pq.write_table(pa.table({"a": [1]}), body)
    s3.put_object(Bucket=BUCKET, Key=key, Body=body.read_bytes())
    try:
        location = S3Location.parse("t", f"s3://{BUCKET}/keys/", {"endpoint_url": endpoint})
        source = Source(name="t", path=f"s3://{BUCKET}/keys/", format="parquet", s3=location)
        copies = tmp_path / "deep" / "down" / "copies"
        with pytest.raises(EngineError, match="cannot be copied to local disk"):
            download(source, str(copies), {})
        assert not list(tmp_path.rglob("escaped.parquet"))
    finally:
        s3.delete_object(Bucket=BUCKET, Key=key)
