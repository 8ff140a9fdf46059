"""Results and charts written to S3 (`sqlrun run QUERY -o s3://bucket/key`) and the upload API the
dashboard reuses (sqlrun.s3_write), against a real moto S3 server on 127.0.0.1: whole objects
equal to the local outputs, nothing left by a failed or interrupted upload, checks before the
query runs, the [s3] table, and no secret in any output."""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun import s3_write
from sqlrun.api import Session
from sqlrun.config import load_project
from sqlrun.errors import ConfigError, SqlrunError
from tests.servers import free_port, s3_with_credentials
from tests.test_cli import assert_one_line_error, sqlrun

BUCKET = "sqlrun-results"
KEY_ID = "sqlrun-out-key-id"
SECRET = "sqlrun-out-SECRET-4Hv8pQ"
ALL_PLAYS = "-- description: every play row (about 1 MB of CSV)\nSELECT * FROM play_logs\n"


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


@pytest.fixture(scope="module")
def project(demo_project, endpoint, tmp_path_factory) -> Path:
    """The demo project, local sources, with `[s3] endpoint_url` for its outputs."""
    root = tmp_path_factory.mktemp("out")
    shutil.copytree(demo_project, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".sqlrun"))
    (root / "all_plays.sql").write_text(ALL_PLAYS)
    with open(root / "sqlrun.toml", "a") as f:
        f.write(f'\n[s3]\nendpoint_url = "{endpoint}"\n')
    return root


def run(*args, env: dict | None = None):
    """The CLI (tests/test_cli.py's sqlrun); no credential ever appears in what it prints."""
    result = sqlrun(*args, env=env)
    for secret in (SECRET, KEY_ID):
        assert secret not in result.stdout + result.stderr
    return result


def uploads(s3, key: str | None = None) -> list[dict]:
    found = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    return [u for u in found if key is None or u["Key"] == key]


def parts_stored(s3, key: str) -> int:
    """Parts stored so far by the uploads in progress to `key` (one may end while we ask)."""
    stored = 0
    for upload in uploads(s3, key):
        try:
            stored += len(s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload["UploadId"]).get("Parts", []))
        except s3.exceptions.NoSuchUpload:  # the check before the query: started and aborted at once
            pass
    return stored


def body(s3, key: str) -> bytes:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def no_plotly_ids(html: bytes) -> bytes:
    """plotly names its div with a fresh uuid per drawing."""
    return re.sub(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", b"ID", html)


@pytest.fixture(scope="module")
def local_file(project, tmp_path_factory):
    """pr_curve written to a local file in a format, by the writers `sqlrun run -o FILE` uses."""
    from sqlrun.chart import resolve, write_chart
    from sqlrun.output import write_result

    directory = tmp_path_factory.mktemp("local")
    with Session(project) as session:
        table, query = session.run("pr_curve", "duckdb"), session.query("pr_curve")
    spec = resolve(query.headers["chart"], None, None, None, query.description, str(query.path))

    def write(fmt: str) -> bytes:
        path = directory / f"pr_curve.{fmt}"
        write_chart(table, spec, path, query.name) if fmt in ("png", "html") else write_result(table, path)
        return path.read_bytes()

    return write


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json", "png", "html"])
def test_results_and_charts_land_whole_and_equal_the_local_file(fmt, s3, project, local_file):
    key = f"results/pr_curve.{fmt}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"an older result")
    result = run("run", "pr_curve", "-o", f"s3://{BUCKET}/{key}", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith(f"rows to s3://{BUCKET}/{key}"), result.stderr
    remote, local = body(s3, key), local_file(fmt)
    if fmt == "html":
        assert no_plotly_ids(remote) == no_plotly_ids(local)
    else:
        assert remote == local
    if fmt == "parquet":
        assert pq.read_table(io.BytesIO(remote)).num_rows == 21
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentType"] == s3_write.CONTENT_TYPES[f".{fmt}"]
    assert uploads(s3) == []  # neither the check before the query nor the upload left one behind


def test_format_option_names_the_format_of_a_key_without_extension(s3, project):
    result = run("run", "pr_curve", "-o", f"s3://{BUCKET}/results/pr_curve", "--format", "csv", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert body(s3, "results/pr_curve").startswith(b'"threshold","tp","fp","fn","precision","recall"\n')


@pytest.mark.parametrize("failure", [RuntimeError("the network went away"), KeyboardInterrupt()])
def test_a_failure_after_the_first_part_leaves_no_object_no_upload_and_the_old_object(failure, s3, endpoint):
    key = f"results/failed-{type(failure).__name__}.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"the older result\n")
    url, settings = f"s3://{BUCKET}/{key}", {"endpoint_url": endpoint}
    sent = []

    def fail_after_the_first_part(**_):
        sent.append(1)
        raise failure

    # The client sqlrun uploads with (one per endpoint): the failure comes after a part is stored.
    events = s3_write._client(s3_write.location(url, settings)).meta.events
    events.register("after-call.s3.UploadPart", fail_after_the_first_part, unique_id="fail")
    try:
        with pytest.raises(type(failure)):
            s3_write.upload(url, b"x" * 10_000, settings, part_size=1_000)
    finally:
        events.unregister("after-call.s3.UploadPart", unique_id="fail")
    assert sent == [1]  # it failed mid-way: 1 of 10 parts stored
    assert uploads(s3, key) == []
    assert body(s3, key) == b"the older result\n"
    s3_write.upload(url, b"x" * 10_000, settings, part_size=1_000)  # the same client still works
    assert body(s3, key) == b"x" * 10_000 and uploads(s3, key) == []


def test_uploading_sends_the_file_only_when_the_block_succeeds(s3, endpoint):
    key = "site/index.html"
    url, settings = f"s3://{BUCKET}/{key}", {"endpoint_url": endpoint}
    with s3_write.uploading(url, settings) as tmp:
        Path(tmp).write_text("<p>first</p>")
    assert body(s3, key) == b"<p>first</p>"
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentType"] == "text/html; charset=utf-8"
    with pytest.raises(ValueError), s3_write.uploading(url, settings) as tmp:
        Path(tmp).write_text("<p>half of the sec")
        raise ValueError("the page could not be built")
    assert not Path(tmp).exists()
    assert body(s3, key) == b"<p>first</p>" and uploads(s3, key) == []
    s3_write.upload(url, b"", settings)  # an empty object is one empty part
    assert body(s3, key) == b""


@pytest.mark.parametrize(
    "url, fragments",
    [
        ("s3://", ["s3://: names no bucket"]),
        (f"s3://{BUCKET}", [f"s3://{BUCKET}: names no object"]),
        (f"s3://{BUCKET}/results/", [f"s3://{BUCKET}/results/: names no object"]),
        (f"s3://{BUCKET}/results/train.txt", ["cannot tell the output format", "--format"]),
        (f"s3://{BUCKET}/results/train.svg", ["cannot tell the output format"]),  # not a chart either
        (f"s3://{KEY_ID}:{SECRET}@{BUCKET}/train.csv", ["invalid bucket"]),
        ("s3://no-such-bucket-here/train.parquet", ["cannot write s3://no-such-bucket-here/train.parquet",
                                                     "bucket 'no-such-bucket-here' does not exist"]),
    ],
)
def test_a_bad_destination_is_one_line_before_the_query_runs(url, fragments, s3, project):
    # churn_training is a pipeline: had it run, its steps would print progress and be stored.
    result = run("run", "churn_training", "-o", url, "-p", str(project))
    line = assert_one_line_error(result, *fragments)
    assert SECRET not in line
    assert not list((project / ".sqlrun" / "steps").glob("churn*"))
    assert uploads(s3) == []


def test_an_unreachable_endpoint_is_one_line_without_the_url(project, tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    shutil.copy(project / "pr_curve.sql", tmp_path)
    (tmp_path / "sqlrun.toml").write_text(
        f'[project]\nqueries = "."\n[sources.predictions]\npath = "{project}/data/predictions.parquet"\n'
        f'[s3]\nendpoint_url = "{closed}"\n'
    )
    line = assert_one_line_error(run("run", "pr_curve", "-o", f"s3://{BUCKET}/x.csv", "-p", str(tmp_path)),
                                 f"cannot write s3://{BUCKET}/x.csv: cannot reach the S3 endpoint")
    assert closed.split("//")[1] not in line


def test_ctrl_c_during_the_upload_aborts_it(s3, project):
    """A real Ctrl-C (SIGINT to the process group) once the upload has stored a part of ~1,000."""
    key = "results/interrupted.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"the older result\n")
    env = {**os.environ, "_SQLRUN_S3_PART_BYTES": "1000"}  # sqlrun's private test knob: ~1,000 parts
    command = [sys.executable, "-m", "sqlrun", "run", "all_plays", "-o", f"s3://{BUCKET}/{key}", "-p", str(project)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not parts_stored(s3, key):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["interrupted"] and SECRET not in stdout + stderr
    assert uploads(s3, key) == []
    assert body(s3, key) == b"the older result\n"
    spool = re.compile(rf"\.sqlrun-upload\.{proc.pid}\.")
    assert not [name for name in os.listdir(tempfile.gettempdir()) if spool.match(name)]


def test_the_dashboard_is_published_to_an_s3_prefix_whole(s3, project, tmp_path):
    """A week of the daily PR curve, then the example dashboard to s3://bucket/dashboards/daily/."""
    root = tmp_path / "project"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns(".sqlrun"))
    assert run("run", "pr_curve_daily", "--param", "ds=2025-08-01..2025-08-07", "-p", str(root)).returncode == 0
    key = "dashboards/daily/index.html"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"yesterday's page")
    result = run("dashboard", "-o", f"s3://{BUCKET}/dashboards/daily/", "-p", str(root))
    assert result.returncode == 0, result.stderr
    assert f"wrote a dashboard of 4 charts to s3://{BUCKET}/{key}" in result.stderr
    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "text/html; charset=utf-8"
    page = body(s3, key).decode()
    assert page.lower().startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert all(f"2025-08-0{d}" in page for d in range(1, 8))  # the daily curve's history is on it
    assert uploads(s3) == []
    # A prefix in a bucket that does not exist: one line before any query runs; the page stays.
    missing = run("dashboard", "-o", "s3://no-such-bucket-here/site/", "-p", str(root))
    assert_one_line_error(missing, "cannot write s3://no-such-bucket-here/site/index.html")
    assert "pr_curve" not in missing.stderr.split("error:")[0]
    assert body(s3, key) == page.encode()


# -- the [s3] table ---------------------------------------------------------------------------------------------


def test_s3_table_is_the_default_of_s3_sources(s3, endpoint, tmp_path):
    pq.write_table(pa.table({"n": [1, 2, 3]}), buffer := io.BytesIO())
    s3.put_object(Bucket=BUCKET, Key="inputs/n.parquet", Body=buffer.getvalue())
    (tmp_path / "total.sql").write_text("SELECT SUM(n) AS total FROM numbers\n")
    (tmp_path / "sqlrun.toml").write_text(
        f'[project]\nqueries = "."\n[s3]\nendpoint_url = "{endpoint}"\nregion = "eu-west-1"\n'
        f'[sources.numbers]\npath = "s3://{BUCKET}/inputs/n.parquet"\nregion = "us-east-1"\n'
        '[sources.local]\npath = "n.parquet"\n'
    )
    project = load_project(tmp_path)
    assert project.s3 == {"endpoint_url": endpoint, "region": "eu-west-1"}
    location = project.sources["numbers"].s3
    assert (location.endpoint_url, location.region) == (endpoint, "us-east-1")  # its own key wins
    assert project.sources["local"].s3 is None
    with Session(project) as session:
        assert session.run("total", "duckdb").to_pylist() == [{"total": 6}]


@pytest.mark.parametrize(
    "table, message",
    [
        ('[s3]\nendpoint = "http://h"\n', "[s3] unknown key(s): endpoint (known: endpoint_url, region, profile)"),
        ('[s3]\nregion = 1\n', "[s3] region: expected a string, got 1"),
        (f'[s3]\nendpoint_url = "ftp://u:{SECRET}@h"\n', "[s3] endpoint_url: expected an http(s)://host[:port] URL"),
        (f'[s3]\naws_secret_access_key = "{SECRET}"\n', "credentials never go in sqlrun.toml"),
        ('s3 = "http://h"\n', "[s3]: expected a table"),
    ],
)
def test_s3_table_is_checked_and_never_shows_a_secret(table, message, tmp_path):
    (tmp_path / "sqlrun.toml").write_text(table)
    with pytest.raises(ConfigError) as error:
        load_project(tmp_path)
    assert message in str(error.value) and SECRET not in str(error.value)


def test_location_refuses_urls_that_name_no_object():
    assert str(s3_write.location("s3://b-1/a/b.csv", {"region": "eu-west-1"})) == "s3://b-1/a/b.csv"
    for url in ("s3://", "s3://b-1", "s3://b-1/", "s3://b-1/a/", "s3://b 1/x.csv", "/tmp/x.csv"):
        with pytest.raises(SqlrunError):
            s3_write.location(url)
