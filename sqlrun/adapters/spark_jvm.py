"""The one JVM a process runs Spark in: started by sqlrun with its own output (the JVM's banner,
Spark's log4j log, Java stack traces) in a log file rather than on sqlrun's stderr, and stopped
and reaped when Python exits, so neither a running nor a defunct java process is left behind."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import threading
from pathlib import Path

from sqlrun.errors import EngineError

LOG_NAME = "spark.log"
LOG_LIMIT = 8 * 2**20  # past this size the log moves to spark.log.1


def start_jvm(conf: dict[str, str], log_dir: str | None) -> None:
    """Start this process's JVM with `conf`, its output appended to `log_dir`/spark.log
    (dropped without a log_dir); nothing to do if one runs already (it is then not ours)."""
    if os.environ.get("SQLRUN_FORBID_SPARK"):  # set by the tests for a test not marked spark
        raise EngineError("spark: SQLRUN_FORBID_SPARK is set, and this run would start a Spark JVM")
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    if SparkContext._gateway is not None:
        return
    launch_conf = SparkConf(loadDefaults=False).setAll(list(conf.items()))
    sink = _log_sink(log_dir)
    try:
        with _held_interrupt() as interrupted:
            gateway = launch_gateway(launch_conf, popen_kwargs={"stdout": sink, "stderr": sink})
    finally:
        if sink is not subprocess.DEVNULL:
            sink.close()  # the JVM holds its own copy
    SparkContext._ensure_initialized(gateway=gateway)
    if gateway.proc is not None:
        atexit.register(_stop, gateway.proc)
    if interrupted:
        raise KeyboardInterrupt


def _log_sink(log_dir: str | None):
    if not log_dir:
        return subprocess.DEVNULL
    try:
        directory = Path(log_dir)
        directory.mkdir(parents=True, exist_ok=True)
        log = directory / LOG_NAME
        if log.exists() and log.stat().st_size > LOG_LIMIT:
            log.replace(directory / f"{LOG_NAME}.1")
        return open(log, "ab")  # appended: two runs at once each add their lines
    except OSError:  # a read-only project still runs; the JVM's output is then dropped
        return subprocess.DEVNULL


class _held_interrupt:
    """Ctrl-C while the JVM starts is held until it has started (so that it is stopped at exit
    like any other), then raised. Only the main thread can handle signals."""

    def __enter__(self) -> list:
        self.caught: list = []
        self.held = threading.current_thread() is threading.main_thread()
        if self.held:
            self.previous = signal.signal(signal.SIGINT, lambda *_: self.caught.append(True))
        return self.caught

    def __exit__(self, *exc) -> None:
        if self.held:  # None: a handler not set from Python; Python's own is the nearest
            signal.signal(signal.SIGINT, self.previous if self.previous is not None else signal.default_int_handler)


def _stop(proc: subprocess.Popen) -> None:
    """At exit: the JVM ends when its stdin closes (Spark's shutdown hooks run); it is waited for.
    pyspark's accumulator server (Python UDFs report to it) then reads a closed socket: its
    traceback is not printed."""
    from pyspark import SparkContext

    server = getattr(SparkContext._active_spark_context, "_accumulatorServer", None)
    if server is not None:
        server.handle_error = lambda *_: None
    try:
        proc.stdin.close()
    except OSError:
        pass
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def quiet_python_loggers() -> None:
    """py4j and pyspark log to Python's logging (e.g. a connection closing at exit), and every
    failed query is logged again, as JSON with the Java stack trace, by two loggers pyspark gives
    a stderr handler of their own: sqlrun says the error in one line instead."""
    from pyspark.logger import PySparkLogger

    for name in ("py4j", "pyspark"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)  # as PySparkLoggers: they take extra fields
    logging.getLogger().addFilter(_not_from_py4j)  # py4j also logs to the root logger (added once)


def _not_from_py4j(record: logging.LogRecord) -> bool:
    """py4j calls logging.exception() itself, e.g. for a call to a JVM that has exited (objects
    collected at exit) or one interrupted by Ctrl-C: a traceback on stderr, unless dropped here."""
    return f"{os.sep}py4j{os.sep}" not in record.pathname
