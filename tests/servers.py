"""Real servers the tests start on 127.0.0.1: an S3-compatible store (moto_server) and a
Spark Connect server. Each gets a free port, a bounded start-up wait and a stop at the end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sqlrun.adapters.spark_conf import LOG4J_CONFIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} within {timeout:.0f} s: {log.read_text()[-2000:]}")


@contextmanager
def serve(command: list[str], port: int, log: Path, timeout: float, env: dict | None = None) -> Iterator[None]:
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_for_port(port, process, timeout, log)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def moto_server(log_dir: Path) -> Iterator[str]:
    """A moto S3 server; yields its endpoint URL. It takes multipart uploads with parts of any size
    (S3 wants 5 MiB but for the last), so tests can interrupt an upload of many small parts."""
    port = free_port()
    moto = Path(sys.executable).with_name("moto_server")
    env = {**os.environ, "S3_UPLOAD_PART_MIN_SIZE": "1"}
    with serve([str(moto), "-H", "127.0.0.1", "-p", str(port)], port, log_dir / "moto.log", timeout=30, env=env):
        yield f"http://127.0.0.1:{port}"


@contextmanager
def spark_connect_server(log_dir: Path) -> Iterator[str]:
    """A local Spark Connect server (its own JVM, local[2]); yields its sc:// URL."""
    if os.environ.get("SQLRUN_FORBID_SPARK"):  # set by tests/conftest.py while a test not marked spark runs
        pytest.fail("a Spark Connect server starts a JVM: mark it @pytest.mark.spark", pytrace=False)
    import pyspark

    port = free_port()
    home = Path(pyspark.__file__).parent
    command = [
        str(home / "bin" / "spark-submit"),
        "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master", "local[2]",
        "--driver-memory", "1g",
        "--conf", f"spark.connect.grpc.binding.port={port}",
        "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.shuffle.partitions=2",
        "--conf", f"spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:{LOG4J_CONFIG}",
    ]
    env = {**os.environ, "SPARK_HOME": str(home)}
    with serve(command, port, log_dir / "spark-connect.log", timeout=90, env=env):
        yield f"sc://127.0.0.1:{port}"


@contextmanager
def s3_with_credentials(tmp_path_factory, key_id: str, secret: str) -> Iterator[str]:
    """A moto S3 server, with dummy credentials in the environment only (no profile, no config
    file, no part-size knob); yields its endpoint URL."""
    with pytest.MonkeyPatch.context() as env:
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "_SQLRUN_S3_PART_BYTES"):
            env.delenv(var, raising=False)
        missing = str(tmp_path_factory.mktemp("aws") / "none")
        env.setenv("AWS_CONFIG_FILE", missing)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
        env.setenv("AWS_ACCESS_KEY_ID", key_id)
        env.setenv("AWS_SECRET_ACCESS_KEY", secret)
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        with moto_server(tmp_path_factory.mktemp("moto")) as url:
            yield url
