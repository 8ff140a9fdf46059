"""Issue 11, outputs: where results go (-o), what a terminal shows, and what JSON/CSV hold.

Every test runs the CLI as a user does (a subprocess) on a small project whose values are
computed by the engines themselves (NaN, infinities, binary, dates, decimals, nested types).
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_cli import assert_one_line_error


def env() -> dict:
    """The environment as the test runs (conftest sets SQLRUN_FORBID_SPARK per test), with COLUMNS:
    rich wraps a table to the terminal's width; 80 in a pipe."""
    return {**os.environ, "COLUMNS": "250"}


STRINGS = ["arr[i] = 1", "x:smile:y", "a[/]b", "[bold]b[/bold]", "e\x1b[31mred\x1b[0m", "bell\x07 cr\r csi\x9bZ"]

VALUES_SQL = """SELECT id, s, b,
  CAST('NaN' AS DOUBLE) AS nan, CAST('Infinity' AS DOUBLE) AS pinf, CAST('-Infinity' AS DOUBLE) AS ninf,
  DATE '2025-08-03' AS d, TIMESTAMP '2025-08-03 10:00:00.5' AS ts,
  CAST('0.1234567890123456789' AS DECIMAL(38, 19)) AS dec
FROM t ORDER BY id
"""


def sqlrun(*args, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "sqlrun", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, env=env())


def sqlrun_bytes(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sqlrun", *args], capture_output=True, cwd=cwd, timeout=300, env=env())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Sources t (strings that look like markup or hold control characters, binary) and k (1200 ints)."""
    root = tmp_path / "proj"
    (root / "q").mkdir(parents=True)
    (root / "sqlrun.toml").write_text(
        "[project]\nqueries = 'q'\n\n[sources.t]\npath = 't.parquet'\n\n[sources.k]\npath = 'k.parquet'\n"
    )
    binary = [bytes([0, 255, 27, i]) for i in range(len(STRINGS))]
    pq.write_table(pa.table({"id": list(range(len(STRINGS))), "s": STRINGS, "b": pa.array(binary, pa.binary())}),
                   root / "t.parquet")
    pq.write_table(pa.table({"i": list(range(1200))}), root / "k.parquet")
    (root / "q" / "vals.sql").write_text("-- description: odd values\n" + VALUES_SQL)
    (root / "q" / "small.sql").write_text("SELECT id, s FROM t ORDER BY id\n")
    (root / "q" / "big.sql").write_text("SELECT a.i AS i, b.i AS j, 'padding text' AS pad FROM k a CROSS JOIN k b\n")
    (root / "q" / "nested.sql").write_text(
        "-- dialect: duckdb\n"
        "SELECT id, [1.5, CAST('NaN' AS DOUBLE)] AS l, {'a': id, 'b': s} AS st, MAP {'k': b} AS m, b"
        " FROM t ORDER BY id\n"
    )
    (root / "q" / "step.sql").write_text("-- materialize: parquet\nSELECT id, s FROM t\n")
    (root / "q" / "top.sql").write_text("SELECT id FROM step\n")
    return root


def temps(directory: Path, name: str) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.startswith(f".{name}."))


def no_constants(token: str):
    raise ValueError(f"not strict JSON: {token}")


def strict_json_lines(text: str) -> list[dict]:
    return [json.loads(line, parse_constant=no_constants) for line in text.splitlines()]


# -- class 3: -o -, devices, FIFOs, symlinks --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_dash_output_is_stdout(project, tmp_path, fmt):
    result = sqlrun_bytes("run", "small", "-o", "-", "--format", fmt, "-p", str(project), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "-").exists()
    if fmt == "parquet":
        assert pq.read_table(io.BytesIO(result.stdout)).column("s").to_pylist() == STRINGS
    elif fmt == "csv":
        assert [row["s"] for row in csv.DictReader(io.StringIO(result.stdout.decode()))] == STRINGS
    else:
        assert [row["s"] for row in strict_json_lines(result.stdout.decode())] == STRINGS


def test_dash_output_without_a_format_asks_for_one_before_running(project, tmp_path):
    result = sqlrun("run", "top", "-o", "-", "-p", str(project), cwd=tmp_path)
    assert_one_line_error(result, "stdout", "--format")
    assert not (tmp_path / "-").exists()
    assert _step_still_unrun(project)


def _char_device(path: Path) -> Path:
    """A node like /dev/null (1, 3) in tmp_path: the test never touches the machine's own /dev/null."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    return path


@pytest.mark.parametrize("via_symlink", [False, True])
def test_a_character_device_is_written_through_not_replaced(project, tmp_path, via_symlink):
    device = _char_device(tmp_path / "null")
    target = device
    if via_symlink:
        target = tmp_path / "link"
        target.symlink_to(device)
    result = sqlrun("run", "small", "-o", str(target), "--format", "csv", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert target.is_symlink() == via_symlink
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["null", "proj", *(["link"] if via_symlink else [])])


def test_a_fifo_is_written_through(project, tmp_path):
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = sqlrun("run", "small", "-o", str(fifo), "-p", str(project), timeout=120)
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received, "nothing was written into the FIFO"
    assert [row["s"] for row in csv.DictReader(io.StringIO(received[0].decode()))] == STRINGS


@pytest.mark.parametrize("stdout_is", ["pipe", "file"])
def test_a_link_to_dev_stdout_writes_to_stdout(project, tmp_path, stdout_is):
    """Like `-o /dev/stdout`, through a link of the test's own (the machine's /dev is never at risk)."""
    link = tmp_path / "stdout.csv"
    link.symlink_to("/dev/stdout")
    args = [sys.executable, "-m", "sqlrun", "run", "small", "-o", str(link), "-p", str(project)]
    if stdout_is == "pipe":
        written = subprocess.run(args, capture_output=True, timeout=300, env=env()).stdout
    else:
        with open(tmp_path / "redirected", "wb") as handle:
            subprocess.run(args, stdout=handle, stderr=subprocess.DEVNULL, timeout=300, env=env())
        written = (tmp_path / "redirected").read_bytes()
    assert link.is_symlink()
    assert [row["s"] for row in csv.DictReader(io.StringIO(written.decode()))] == STRINGS


@pytest.mark.parametrize("target_exists", [True, False])
def test_a_symlink_keeps_pointing_at_its_target_which_gets_the_result(project, tmp_path, target_exists):
    (tmp_path / "links").mkdir()
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "data.csv"
    if target_exists:
        real.write_text("old\n")
    link = tmp_path / "links" / "out.csv"
    link.symlink_to(Path("..") / "real" / "data.csv")
    result = sqlrun("run", "small", "-o", str(link), "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "real" / "data.csv")
    assert real.is_file() and not real.is_symlink()
    assert [row["s"] for row in csv.DictReader(io.StringIO(real.read_bytes().decode()))] == STRINGS
    assert [p.name for p in (tmp_path / "links").iterdir()] == ["out.csv"]
    assert [p.name for p in (tmp_path / "real").iterdir()] == ["data.csv"]


def test_a_chart_through_a_symlink_keeps_the_link(project, tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "chart.html"
    link.symlink_to(real)
    result = sqlrun("run", "small", "--chart", "bar", "--x", "s", "--y", "id", "-o", str(link), "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and "Plotly.newPlot" in real.read_text()


def test_a_symlink_loop_is_one_line(project, tmp_path):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(tmp_path / "loop2.csv")
    (tmp_path / "loop2.csv").symlink_to(loop)
    assert_one_line_error(sqlrun("run", "small", "-o", str(loop), "-p", str(project)), "loop.csv")
    assert loop.is_symlink()


def test_a_write_error_is_one_line(project, tmp_path):
    try:
        os.mknod(tmp_path / "full", stat.S_IFCHR | 0o666, os.makedev(1, 7))  # like /dev/full: ENOSPC
    except PermissionError:
        pytest.skip("mknod needs root")
    result = sqlrun("run", "small", "-o", str(tmp_path / "full"), "--format", "csv", "-p", str(project))
    assert_one_line_error(result, "no space left")


def test_a_replaced_file_keeps_its_permissions(project, tmp_path):
    out = tmp_path / "private.csv"
    out.write_text("old")
    out.chmod(0o600)
    assert sqlrun("run", "small", "-o", str(out), "-p", str(project)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text() != "old"


# -- class 16: bad output places fail in one line before the query runs ------------------------------------------


def _step_still_unrun(project: Path) -> bool:
    plan = sqlrun("plan", "top", "-p", str(project))
    assert plan.returncode == 0, plan.stderr
    return "will run" in plan.stdout


@pytest.mark.parametrize("where", ["directory", "directory.png", "file_as_dir", "missing_parent", "proc", "no_suffix"])
def test_a_bad_output_place_is_one_line_before_anything_runs(project, tmp_path, where):
    places = {
        "directory": tmp_path / "adir",
        "directory.png": tmp_path / "adir.png",
        "file_as_dir": tmp_path / "afile.txt" / "out.csv",
        "missing_parent": tmp_path / "nowhere" / "out.csv",
        "proc": Path("/proc/sqlrun-output-test.csv"),
        "no_suffix": tmp_path / "out",
    }
    (tmp_path / "adir").mkdir()
    (tmp_path / "adir.png").mkdir()
    (tmp_path / "afile.txt").write_text("x")
    chart = ["--chart", "bar", "--x", "id", "--y", "id"] if where.endswith(".png") else []
    result = sqlrun("run", "top", *chart, "-o", str(places[where]), "-p", str(project))
    assert_one_line_error(result)
    assert _step_still_unrun(project), "the query ran before the output was checked"
    assert (tmp_path / "adir").is_dir() and (tmp_path / "afile.txt").read_text() == "x"


def test_csv_output_writes_nested_columns_and_binary_as_text(project, tmp_path):
    out = tmp_path / "nested.csv"
    result = sqlrun("run", "nested", "-e", "duckdb", "-o", str(out), "-p", str(project))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode())))
    assert len(rows) == len(STRINGS)
    first = rows[0]
    assert json.loads(first["l"], parse_constant=no_constants) == [1.5, "NaN"]
    assert json.loads(first["st"]) == {"a": 0, "b": STRINGS[0]}
    assert json.loads(first["m"]) == {"k": base64.b64encode(bytes([0, 255, 27, 0])).decode()}
    assert base64.b64decode(first["b"]) == bytes([0, 255, 27, 0])


def test_csv_to_stdout_of_nested_columns(project):
    result = sqlrun("run", "nested", "-e", "duckdb", "--format", "csv", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == len(STRINGS)


def test_a_chart_of_an_unplottable_x_column_is_one_line(project, tmp_path):
    result = sqlrun("run", "nested", "-e", "duckdb", "--chart", "line", "--x", "st", "--y", "id",
                    "-o", str(tmp_path / "c.png"), "-p", str(project))
    assert_one_line_error(result, "st")


# -- class 8: data and messages are printed as text; JSON is strict -------------------------------------------


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_the_table_shows_markup_like_values_literally(project, engine):
    result = sqlrun("run", "small", "-e", engine, "-p", str(project))
    assert result.returncode == 0, result.stderr
    for value in ("arr[i] = 1", "x:smile:y", "a[/]b", "[bold]b[/bold]"):
        assert value in result.stdout
    assert "\U0001f604" not in result.stdout  # :smile:


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_control_characters_in_data_reach_the_terminal_escaped(project, engine):
    result = sqlrun("run", "small", "-e", engine, "-p", str(project))
    assert result.returncode == 0, result.stderr
    for char in "\x1b\x07\r\x9b":
        assert char not in result.stdout
    assert r"e\x1b[31mred\x1b[0m" in result.stdout
    assert r"csi\x9bZ" in result.stdout


def test_list_shows_markup_in_a_description_as_text(project):
    header = "-- description: uses [/] and [red]x[/red] :smile: \x1b[2J\n"
    (project / "q" / "desc.sql").write_text(header + "SELECT 1 AS x\n")
    result = sqlrun("list", "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert "uses [/] and [red]x[/red] :smile: \\x1b[2J" in result.stdout
    assert "\x1b" not in result.stdout


def test_parity_detail_with_markup_is_text(project):
    (project / "q" / "bad.sql").write_text("SELECT * FROM `a[/]b`\n")
    result = sqlrun("parity", "bad", "--engines", "duckdb,polars", "-p", str(project))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "a[/]b" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")


def test_an_error_line_prints_its_text_literally(project):
    result = sqlrun("run", "x:smile:y[/]\x1b[2J", "-p", str(project))
    assert_one_line_error(result, "x:smile:y[/]", "\\x1b[2J")
    assert "\x1b" not in result.stderr and "\U0001f604" not in result.stderr


def _check_values(rows: list[dict]) -> None:
    assert [row["s"] for row in rows] == STRINGS
    first = rows[0]
    assert (first["nan"], first["pinf"], first["ninf"]) == ("NaN", "Infinity", "-Infinity")
    assert base64.b64decode(first["b"]) == bytes([0, 255, 27, 0])
    assert first["d"] == "2025-08-03"
    assert first["ts"].startswith("2025-08-03T10:00:00.5")
    assert first["dec"] == "0.1234567890123456789"


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_json_output_is_strict_json(project, tmp_path, engine):
    result = sqlrun("run", "vals", "-e", engine, "--format", "json", "-p", str(project))
    assert result.returncode == 0, result.stderr
    _check_values(strict_json_lines(result.stdout))
    out = tmp_path / "vals.json"
    assert sqlrun("run", "vals", "-e", engine, "-o", str(out), "-p", str(project)).returncode == 0
    _check_values(strict_json_lines(out.read_text()))


@pytest.mark.spark
def test_json_output_is_strict_json_on_spark(project):
    result = sqlrun("run", "vals", "-e", "spark", "--format", "json", "-p", str(project))
    assert result.returncode == 0, result.stderr
    _check_values(strict_json_lines(result.stdout))


def test_nested_json_output_is_strict_json(project):
    result = sqlrun("run", "nested", "-e", "duckdb", "--format", "json", "-p", str(project))
    assert result.returncode == 0, result.stderr
    first = strict_json_lines(result.stdout)[0]
    assert first["l"] == [1.5, "NaN"] and first["st"] == {"a": 0, "b": STRINGS[0]}
    assert base64.b64decode(first["m"]["k"]) == bytes([0, 255, 27, 0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5), st.lists(st.floats(), min_size=1, max_size=5),
       st.lists(st.text(), min_size=2, max_size=2))
def test_any_string_renders_as_text_and_any_float_is_strict_json(strings, floats, names):
    from rich.console import Console

    from sqlrun.output import render_table, write_stdout

    floats = (floats * 5)[: len(strings)]
    console = Console(file=io.StringIO(), width=120)
    console.print(render_table(pa.Table.from_arrays([pa.array(strings), pa.array(floats)], names), strings[0]))
    shown = console.file.getvalue()
    assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) < 0xA0 for c in shown)
    buffer = io.BytesIO()
    write_stdout(pa.table({"s": strings, "f": floats}), "json", buffer)
    rows = strict_json_lines(buffer.getvalue().decode())
    assert [row["s"] for row in rows] == strings
    assert all(row["f"] == f or (row["f"] == "NaN" and f != f) or row["f"] in ("Infinity", "-Infinity")
               for row, f in zip(rows, floats))


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_categories=())))
def test_any_message_prints_as_one_encodable_line_of_text(message):
    """What the CLI's consoles print (error lines, names, descriptions): lone surrogates of an
    undecodable file name included."""
    from rich.console import Console

    from sqlrun.console import _LazyConsole, printable

    shown = printable(message)
    shown.encode("utf-8")
    assert not any(ord(c) < 32 and c != "\t" or 0x7F <= ord(c) < 0xA0 for c in shown)
    console = _LazyConsole(file=io.StringIO(), width=40)
    console.print(f"error: {message}")
    printed = console.file.getvalue()
    assert isinstance(console._get(), Console) and printed.count("\n") == 1 and printed.startswith("error: ")
    assert printed.rstrip("\n").rstrip() == f"error: {shown}".expandtabs(8).rstrip() or "\t" in message


def test_every_arrow_type_is_written_as_strict_json_csv_and_a_table():
    import datetime as dt
    import decimal

    from rich.console import Console

    from sqlrun.output import render_table, write_stdout

    table = pa.table({
        "dur": pa.array([dt.timedelta(seconds=1, microseconds=500000), dt.timedelta(seconds=-5)], pa.duration("us")),
        "durns": pa.array([1, -1], pa.duration("ns")),
        "iv": pa.array([pa.MonthDayNano([1, 2, 3]), None], pa.month_day_nano_interval()),
        "tm": pa.array([dt.time(1, 2, 3), None], pa.time64("us")),
        "tsns": pa.array([1, None], pa.timestamp("ns", tz="UTC")),
        "fsb": pa.array([b"ab", None], pa.binary(2)),
        "ll": pa.array([[1.0, float("inf")], None], pa.large_list(pa.float64())),
        "dict": pa.array(["a", None]).dictionary_encode(),
        "u": pa.UnionArray.from_sparse(pa.array([0, 1], pa.int8()),
                                       [pa.array([float("nan"), 2.0]), pa.array(["x", "y"])]),
        "m": pa.array([[(1, b"x")], None], pa.map_(pa.int64(), pa.binary())),
        "dec": pa.array([decimal.Decimal("1E+2"), None], pa.decimal128(10, 6)),
        "big": pa.array([decimal.Decimal("1.5"), None], pa.decimal256(40, 2)),
    })
    buffer = io.BytesIO()
    write_stdout(table, "json", buffer)
    first, second = strict_json_lines(buffer.getvalue().decode())
    assert first == {"dur": "PT1.5S", "durns": "PT0.000000001S", "iv": {"months": 1, "days": 2, "nanoseconds": 3},
                     "tm": "01:02:03", "tsns": "1970-01-01T00:00:00.000000001+00:00", "fsb": "YWI=",
                     "ll": [1.0, "Infinity"], "dict": "a", "u": "NaN", "m": {"1": "eA=="}, "dec": "100.000000",
                     "big": "1.50"}
    assert second["dur"] == "-PT5S" and second["durns"] == "-PT0.000000001S" and second["u"] == "y"
    buffer = io.BytesIO()
    write_stdout(table, "csv", buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue().decode())))
    assert rows[0]["dur"] == "PT1.5S" and json.loads(rows[0]["ll"], parse_constant=no_constants) == [1.0, "Infinity"]
    assert rows[0]["fsb"] == "YWI=" and json.loads(rows[0]["m"]) == {"1": "eA=="}
    console = Console(file=io.StringIO(), width=300)
    console.print(render_table(table, "types"))
    assert "PT1.5S" in console.file.getvalue() and "0x6162" in console.file.getvalue()


# -- class 11: temp files of killed writers are removed by the next write -------------------------------------


def _wait_for_temp(directory: Path, name: str, proc: subprocess.Popen, seconds: float = 120) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in temps(directory, name):
            try:
                if path.stat().st_size > 0:
                    return path
            except FileNotFoundError:
                pass
        assert proc.poll() is None, "the writer finished before it could be killed"
        time.sleep(0.01)
    raise AssertionError("no temp file appeared")


def test_sigkill_mid_write_leaves_a_temp_that_the_next_write_removes(project, tmp_path):
    out = tmp_path / "big.json"
    proc = subprocess.Popen([sys.executable, "-m", "sqlrun", "run", "big", "-o", str(out), "-p", str(project)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_temp(tmp_path, "big.json", proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert temps(tmp_path, "big.json"), "kill -9 left no temp file: the test proves nothing"
    assert not out.exists()
    result = sqlrun("run", "small", "-o", str(out), "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert temps(tmp_path, "big.json") == []
    assert len(strict_json_lines(out.read_text())) == len(STRINGS)


SLOW_WRITER = """
import sys, time
from pathlib import Path
from sqlrun.output import atomic_path
with atomic_path(Path(sys.argv[1])) as tmp, open(tmp, "wb") as handle:
    handle.write(b"partial chart")
    handle.flush()
    print(tmp, flush=True)
    time.sleep(300)
"""


def test_a_killed_slow_chart_writer_is_cleaned_up_by_the_next_chart(project, tmp_path):
    out = tmp_path / "chart.png"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        tmp = Path(proc.stdout.readline().strip())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert tmp.exists() and tmp.parent == tmp_path
    result = sqlrun("run", "small", "--chart", "bar", "--x", "s", "--y", "id", "-o", str(out), "-p", str(project))
    assert result.returncode == 0, result.stderr
    assert not tmp.exists() and temps(tmp_path, "chart.png") == []
    assert out.read_bytes()[:4] == b"\x89PNG"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_temps_of_dead_writers_of_that_target_are_removed(project, tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    keep = [
        f".out.csv.{alive}.abcd1234.tmp",  # a live writer's
        f".other.csv.{dead}.abcd1234.tmp",  # another target's
        ".out.csv.notes.tmp",  # not the pattern
        f"out.csv.{dead}.abcd1234.tmp",
        f".out.csv.{dead}.abcd1234.tmp.bak",
    ]
    gone = [f".out.csv.{dead}.abcd1234.tmp", f".out.csv.{dead}.zz_9zz9z.tmp"]
    for name in keep + gone:
        (tmp_path / name).write_text("x")
    result = sqlrun("run", "small", "-o", str(tmp_path / "out.csv"), "-p", str(project))
    assert result.returncode == 0, result.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert set(keep) <= names
    assert not set(gone) & names
