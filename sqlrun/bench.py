"""`sqlrun bench`: one query on several engines, checked for parity, timed, and its memory measured.

Each engine runs in its own child process, so its peak memory is its own: the peak is the
largest resident set (RSS) of that process and its descendants (Spark's JVM is one), sampled
every 20 ms with psutil, and never below the process's own ru_maxrss. The child imports sqlrun
and the engine's driver before anything is measured, so the number covers one engine at work.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

import psutil

from sqlrun.config import Project

_SAMPLE_SECONDS = 0.02


@dataclass
class EngineRun:
    """One engine's timings (seconds per repeat), result rows, peak RSS and parity verdict."""

    engine: str
    times: list[float] = field(default_factory=list)
    startup: float = 0.0
    rows: int = 0
    peak_rss: int = 0  # bytes
    base_rss: int = 0  # bytes, before the engine started: Python, sqlrun and sqlglot
    child_rss: int = 0  # bytes, peak of the engine's own processes (Spark's JVM), part of peak_rss
    matched: bool | None = None  # None: this engine is the reference
    detail: str = ""
    error: str = ""

    @property
    def min(self) -> float:
        return min(self.times) if self.times else float("nan")

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def ok(self) -> bool:
        return not self.error and self.matched is not False


@dataclass
class BenchReport:
    query: str
    repeat: int
    runs: list[EngineRun]

    def recommendation(self) -> str:
        """The fastest engine (by median) whose result matched the reference, in one line."""
        good = [r for r in self.runs if r.ok]
        if not good:
            return "no recommendation: no engine produced a result"
        best = min(good, key=lambda r: r.median)
        others = [r for r in good if r is not best]
        line = f"use {best.engine}: fastest engine with the same result ({best.median:.3f} s median"
        if others:
            slowest = max(others, key=lambda r: r.median)
            ratio = slowest.median / max(best.median, 1e-9)
            line += (f"; {slowest.engine} is {ratio:.1f}x slower" if ratio >= 1.1
                     else f"; {slowest.engine} is within 10%")
        line += ")"
        bad = [r.engine for r in self.runs if not r.ok]
        if bad:
            line += f"; not {', '.join(bad)} (" + ", ".join(
                "error" if r.error else "different result" for r in self.runs if not r.ok) + ")"
        return line


def bench(
    project: Project,
    query: str,
    engines: list[str],
    repeat: int = 3,
    params: dict | None = None,
    timeout: float | None = None,
    max_rss: int | None = None,
) -> BenchReport:
    """Run `query` `repeat` times on each engine (each in a child process), compare with the first.

    An engine still running after `timeout` seconds, or over `max_rss` bytes, is stopped
    and reported as an error (before the machine's out-of-memory killer picks a victim)."""
    from sqlrun.engine.parity import compare, is_ordered

    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    runs = []
    reference = None
    ordered = None
    for name in engines:
        run, table = in_child(project, query, name, repeat, params or {}, timeout, max_rss)
        runs.append(run)
        if table is None:
            continue
        if reference is None:
            reference = table
            continue
        if ordered is None:
            from sqlrun.api import Session

            ordered = is_ordered(Session(project).query(query).ast())
        cmp = compare(reference, table, ordered)
        run.matched, run.detail = cmp.equal, cmp.reason
    return BenchReport(query, repeat, runs)


def in_child(
    project: Project, query: str, engine: str, repeat: int, params: dict, timeout: float | None, max_rss: int | None,
    main=None,
):
    """An EngineRun and the result table, computed in a fresh (spawned) Python process by
    `main(conn, project, query, engine, repeat, params)` (default: a sqlrun run), watched for
    its time and peak memory."""
    import pyarrow as pa

    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=main or _child_main, args=(child, project, query, engine, repeat, params))
    process.start()
    child.close()
    # Watched from here too, so a child that is stopped or killed still has a peak to report.
    deadline = time.monotonic() + timeout if timeout is not None else None
    peak = 0
    while not parent.poll(_SAMPLE_SECONDS * 5):
        peak = max(peak, tree_rss(process.pid))
        over_time = deadline is not None and time.monotonic() > deadline
        over_memory = max_rss is not None and peak > max_rss
        if over_time or over_memory:
            process.kill()  # Spark's JVM exits with it: its stdin pipe closes
            process.join()
            why = f"after {timeout:g} s" if over_time else f"at {peak / 2**30:.1f} GiB (limit {max_rss / 2**30:.1f})"
            return EngineRun(engine, peak_rss=peak, error=f"stopped {why}"), None
    try:
        run, payload = parent.recv()
    except EOFError:  # the child died before reporting (killed, out of memory)
        process.join()
        why = ": killed, most likely out of memory" if process.exitcode == -9 else ""
        error = f"the {engine} process died (exit code {process.exitcode}{why})"
        run, payload = EngineRun(engine, peak_rss=peak, error=error), None
    process.join()
    table = pa.ipc.open_stream(payload).read_all() if payload is not None else None
    return run, table


def _child_main(conn, project: Project, query: str, engine: str, repeat: int, params: dict) -> None:
    from sqlrun.api import Session
    from sqlrun.errors import SqlrunError

    run = EngineRun(engine)
    payload = None
    sampler = PeakSampler()
    try:
        with Session(project) as session:
            run.base_rss = tree_rss(os.getpid())
            started = time.perf_counter()
            session.engine(engine)
            run.startup = time.perf_counter() - started
            sampler.start()
            table = None
            for _ in range(repeat):
                started = time.perf_counter()
                # refresh: every repeat computes every pipeline step, as a scheduled job would
                table = session.run(query, engine, params, refresh=True)
                run.times.append(time.perf_counter() - started)
            run.rows = table.num_rows
            payload = ipc(table)
    except SqlrunError as exc:
        run.error = str(exc)
    except Exception as exc:  # report, not crash: the other engines still run
        run.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc(file=sys.stderr)
    finally:
        run.peak_rss = sampler.stop()
        run.child_rss = sampler.children
    conn.send((run, payload))
    conn.close()


def ipc(table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


class PeakSampler:
    """The peak RSS of this process and its descendants, sampled in a background thread."""

    def __init__(self):
        self.peak = 0
        self.children = 0  # the descendants' share of the peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(_SAMPLE_SECONDS)

    def _sample(self) -> None:
        own, children = _own_and_children_rss(os.getpid())
        self.peak = max(self.peak, own + children)
        self.children = max(self.children, children)

    def stop(self) -> int:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
        self._sample()
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        own *= 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
        return max(self.peak, own)


def tree_rss(pid: int) -> int:
    """RSS in bytes of a process and all its descendants; 0 where unavailable."""
    return sum(_own_and_children_rss(pid))


def _own_and_children_rss(pid: int) -> tuple[int, int]:
    """RSS in bytes of a process, and of its descendants, from one reading of each."""
    try:
        root = psutil.Process(pid)
        children = root.children(recursive=True)
    except psutil.Error:  # gone, or not ours to read
        return 0, 0
    return _rss(root), sum(_rss(process) for process in children)


def _rss(process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:  # ended meanwhile
        return 0
