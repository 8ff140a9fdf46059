"""Property: whatever a hostile user feeds the CLI (bytes as SQL files, odd names, parameter values,
sqlrun.toml contents), it ends with exit 0, or exit 1 and one `error:` line; never a traceback,
and nothing outside the store is deleted. The CLI runs in this process (`sqlrun.cli.main`) on
DuckDB, so hundreds of examples take seconds; tests/test_cli.py covers the subprocess."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqlrun.cli import main

SETTINGS = settings(
    max_examples=int(os.environ.get("SQLRUN_HOSTILE_EXAMPLES", "60")),
    deadline=None,
    derandomize=True,  # a seeded run in `make test`; `make fuzz` raises the count
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def cli(*args: str, cwd: Path) -> tuple[int, str, str]:
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    old_argv, old_cwd = sys.argv, os.getcwd()
    sys.argv = ["sqlrun", *args]
    os.chdir(cwd)
    code = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    out.flush()
    return code, out.buffer.getvalue().decode("utf-8", "replace"), err.getvalue()


def assert_clean(code, stderr: str) -> None:
    assert code in (0, 1), (code, stderr)
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr  # the CLI's last resort: a bug, even as one line
    if code == 1:
        lines = stderr.strip().splitlines()
        assert len(lines) >= 1 and lines[-1].startswith("error: "), stderr
        assert all(not line.startswith("error: ") for line in lines[:-1]), stderr
        assert not any(line.startswith(("  File ", "    ")) for line in lines), stderr


@pytest.fixture
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "sqlrun.toml").write_text('[project]\ndialect = "spark"\n\n[sources.t]\npath = "data/t.parquet"\n')
    (root / "data").mkdir()
    pq.write_table(pa.table({"a": [1, 2, None], "s": ["x", "y", None]}), root / "data" / "t.parquet")
    (root / "queries").mkdir()
    (root / "keep").mkdir()
    (root / "keep" / "file.txt").write_text("must survive")
    return root


def _survivors(root: Path) -> None:
    assert (root / "keep" / "file.txt").read_text() == "must survive"
    assert (root / "data" / "t.parquet").is_file()
    assert (root / "sqlrun.toml").is_file()


SQL_WORDS = st.sampled_from([
    "SELECT", "FROM", "t", "WHERE", "a", "s", "(", ")", ",", "*", "1", "'x'", "NULL", "CASE", "WHEN", "THEN",
    "END", "GROUP BY", "ORDER BY", "LIMIT", "JOIN", "ON", "=", "+", "/", "||", ":p", "${env:HOME}", "--", "\n",
    "CAST(a AS INT)", "COUNT(*)", "AS", "x", "UNION ALL", ";", "'", '"', "`", "[", "]", "\\", "\x00", "é", "\ufeff",
])


@SETTINGS
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.lists(SQL_WORDS, max_size=30).map(lambda words: " ".join(words).encode()),
        st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    ),
    header=st.sampled_from([b"", b"\xef\xbb\xbf", b"-- param p: int = 1\n", b"-- materialize: parquet\n"]),
)
def test_any_sql_file_gives_a_result_or_one_error_line(project, body, header):
    (project / "queries" / "q.sql").write_bytes(header + body)
    for args in (["list"], ["compile", "q"], ["run", "q", "-f", "csv"]):
        code, _, err = cli(*args, cwd=project)
        assert_clean(code, err)
    _survivors(project)


NAMES = st.one_of(
    st.sampled_from([".", "..", "../..", "../x", "/tmp/x", "a/b", "", " ", "-", "--x", "a b", "~", "$HOME", "${x}",
                     "q" * 300, "CON", "nul", "é", "a\\b", ".sqlrun", "models", "current.json"]),
    st.text(min_size=1, max_size=20),
)


@SETTINGS
@given(name=NAMES)
def test_any_step_name_stays_inside_the_store(project, name):
    query = project / "queries" / "step.sql"
    query.write_text(f"-- name: {name}\n-- materialize: parquet\nSELECT a FROM t\n")
    for args in (["run", name, "-f", "csv"], ["run", "step", "-f", "csv"], ["plan", name]):
        code, _, err = cli(*args, cwd=project)
        assert_clean(code, err)
    _survivors(project)


@SETTINGS
@given(name=NAMES.filter(lambda n: "/" not in n and "\x00" not in n and n not in ("", ".", "..")))
def test_any_file_name_stays_inside_the_store(project, name):
    try:
        path = project / "queries" / f"{name}.sql"
        path.write_text("-- materialize: parquet\nSELECT a FROM t\n")
    except (OSError, ValueError):
        return  # the file system refuses the name: nothing to run
    try:
        for args in (["list"], ["run", name, "-f", "csv"], ["run", str(path), "-f", "csv"]):
            code, _, err = cli(*args, cwd=project)
            assert_clean(code, err)
        _survivors(project)
    finally:
        path.unlink()


PARAM_TYPES = ["date", "timestamp", "int", "float", "decimal", "string", "bool"]


@SETTINGS
@given(
    kind=st.sampled_from(PARAM_TYPES),
    value=st.one_of(
        st.text(max_size=60),
        st.sampled_from(["2025-08-03T10:00:00+05:00", "1e999999", "nan", "-inf", "9" * 40, "0." + "1" * 40,
                         "2025-02-30", "-0", "0x10", "1_000", " 1 ", "${env:HOME}", "true", "9223372036854775808"]),
        st.integers().map(str),
        st.floats().map(repr),
    ),
)
def test_any_parameter_value_is_a_literal_or_one_error_line(project, kind, value):
    if "\x00" in value:
        value = value.replace("\x00", "")  # argv cannot carry NUL
    (project / "queries" / "p.sql").write_text(f"-- param v: {kind}\nSELECT :v AS v\n")
    for args in (["compile", "p", "--param", f"v={value}"], ["run", "p", "--param", f"v={value}", "-f", "json"]):
        code, out, err = cli(*args, cwd=project)
        assert_clean(code, err)
    if kind == "string" and code == 0:
        import json

        assert json.loads(out.splitlines()[0])["v"] == value


TOML_KEYS = st.sampled_from([
    "project", "project.dialect", "project.engine", "project.queries", "sources", "sources.t", "sources.t.path",
    "sources.t.format", "sources.t.header", "sourcs.x", "engines", "engines.duckdb", "engines.duckdb.threads",
    "engines.duckdb.memory_limit", "engines.polars.streaming", "engines.spark.master", "engines.spark.conf",
    "engines.redshift.password_env", "engines.redshift.statement_timeout", "engines.duckdb.bogus", "x",
])
TOML_VALUES = st.one_of(
    st.integers(), st.booleans(), st.text(max_size=20), st.floats(allow_nan=False),
    st.sampled_from(["data/t.parquet", "../../etc", "duckdb", "spark", "csv", "orc", "soon", "/dev/null"]),
    st.lists(st.integers(), max_size=3),
)


def _toml_value(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value) if not isinstance(value, float) else f"{value!r}".replace("inf", "inf")


@SETTINGS
@given(
    entries=st.lists(st.tuples(TOML_KEYS, TOML_VALUES), max_size=6),
    raw=st.one_of(st.none(), st.binary(max_size=80)),
)
def test_any_config_gives_a_result_or_one_error_line(project, entries, raw):
    text = "".join(f"{key} = {_toml_value(value)}\n" for key, value in entries)
    (project / "sqlrun.toml").write_bytes(raw if raw is not None else text.encode())
    (project / "queries" / "q.sql").write_text("SELECT 1 AS one\n")
    for args in (["list"], ["compile", "q"], ["run", "q", "-f", "csv"]):
        code, _, err = cli(*args, cwd=project)
        assert_clean(code, err)


@pytest.mark.parametrize(
    "error, line",
    [
        (OSError(28, "No space left on device", "/data/out.csv"), "error: No space left on device: /data/out.csv"),
        (
            ValueError("a bug\nover two lines"),
            "error: internal error (ValueError: a bug over two lines); SQLRUN_DEBUG=1 shows where",
        ),
    ],
)
def test_an_unexpected_failure_is_still_one_line(project, monkeypatch, error, line):
    from sqlrun.api import Session

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(Session, "compile", broken)
    (project / "queries" / "q.sql").write_text("SELECT 1 AS one\n")
    code, _, err = cli("compile", "q", cwd=project)
    assert code == 1 and err.strip().splitlines() == [line], err
    monkeypatch.setenv("SQLRUN_DEBUG", "1")
    with pytest.raises(type(error)):
        cli("compile", "q", cwd=project)
