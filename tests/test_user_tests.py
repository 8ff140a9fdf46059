"""Tests users write (NAME.test.yaml beside the queries): `sqlrun test`, its JUnit XML, hostile
test files, and the pytest plugin, all on the example catalog's own tests and real engines."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pytest

from sqlrun.config import load_project
from sqlrun.engine.catalog import Catalog
from sqlrun.errors import SqlrunError
from sqlrun.user_tests.cases import prepare
from sqlrun.user_tests.runner import run_tests
from sqlrun.user_tests.spec import Case, Given
from tests.conftest import EXAMPLES
from tests.test_cli import assert_one_line_error, sqlrun

EXAMPLE_TESTS = {  # test -> its file, as the example catalog ships them
    "top_track_per_age_band": "charts_by_age.test.yaml",
    "ties_break_on_listeners_then_track_id": "charts_by_age.test.yaml",
    "a_day_without_plays_has_an_empty_chart": "charts_by_age.test.yaml",
    "user_plays_keep_users_without_plays": "churn.test.yaml",
    "activity_before_and_after_the_cutoff": "churn.test.yaml",
    "precision_and_recall_at_each_threshold": "pr_curve.test.yaml",
    "no_churners_means_no_recall": "pr_curve.test.yaml",
    "trapezoids_per_day": "pr_auc_by_day.test.yaml",
}
PAIRS = 2 * len(EXAMPLE_TESTS)  # each test on duckdb and polars
WRONG = ("precision: 0.6, recall: 1.0}", "precision: 0.7, recall: 1.0}")  # pr_curve's first row, made wrong


@pytest.fixture
def catalog(tmp_path) -> Path:
    """A copy of the example catalog and its tests, without data: given rows only."""
    root = tmp_path / "catalog"
    root.mkdir()
    for path in EXAMPLES.iterdir():
        if path.suffix in (".sql", ".toml") or path.name.endswith(".test.yaml"):
            shutil.copy(path, root / path.name)
    return root


def make_wrong(root: Path) -> None:
    path = root / "pr_curve.test.yaml"
    text = path.read_text()
    assert text.count(WRONG[0]) == 1
    path.write_text(text.replace(*WRONG))


def test_sqlrun_test_passes_the_example_catalog_and_writes_junit(catalog, tmp_path):
    junit = tmp_path / "results.xml"
    result = sqlrun("test", "-p", str(catalog), "--engines", "duckdb,polars", "--junit", str(junit))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("│ pass ") == PAIRS and "FAIL" not in result.stdout, result.stdout
    suites = ET.parse(junit).getroot()
    assert suites.tag == "testsuites"
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == (str(PAIRS), "0", "0")
    cases = {(c.get("classname"), c.get("name")) for c in suites.iter("testcase")}
    assert cases == {(f, f"{n}[{e}]") for n, f in EXAMPLE_TESTS.items() for e in ("duckdb", "polars")}
    assert not (catalog / ".sqlrun").exists()  # each test ran in a throwaway project


def test_a_wrong_expectation_fails_with_the_differing_rows(catalog, tmp_path):
    make_wrong(catalog)
    junit = tmp_path / "results.xml"
    result = sqlrun("test", "pr_curve", "-p", str(catalog), "--engines", "duckdb,polars", "--junit", str(junit))
    assert_one_line_error(result, "2 of 4 test runs failed")
    for engine in ("duckdb", "polars"):
        assert f"pr_curve.test.yaml::precision_and_recall_at_each_threshold on {engine}: row 1 differs" in result.stdout
    assert "expected: {threshold: 0.1, tp: 3, fp: 2, fn: 0, precision: 0.7, recall: 1.0}" in result.stdout
    assert "got:      {threshold: 0.1, tp: 3, fp: 2, fn: 0, precision: 0.6, recall: 1.0}" in result.stdout
    assert "churn.test.yaml" not in result.stdout  # NAMES chose the query's tests only
    suites = ET.parse(junit).getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors")) == ("4", "2", "0")
    failed = {c.get("name"): c.find("failure") for c in suites.iter("testcase") if c.find("failure") is not None}
    assert set(failed) == {f"precision_and_recall_at_each_threshold[{e}]" for e in ("duckdb", "polars")}
    for failure in failed.values():
        assert failure.get("message") == "row 1 differs"
        assert "precision: 0.7" in failure.text and "precision: 0.6" in failure.text


def test_types_and_row_counts_are_checked(catalog):
    (catalog / "x.test.yaml").write_text(
        "query: pr_curve\ntests:\n  - name: t\n"
        "    given: {predictions: [{label: 1, score: 0.5}, {label: 0, score: 0.7}]}\n"
        "    expect: [{threshold: 0.5, tp: 1, fp: 1, fn: 0, precision: 0.5, recall: 1.0}]\n"
        "    expect_types: {precision: DOUBLE, threshold: STRING}\n"
    )
    (result,) = run_tests(catalog, ["t"], ["duckdb"])
    assert result.status == "fail"
    assert result.message == "row count: expected 1, got 2; type of threshold: expected STRING, got DOUBLE"
    assert result.lines == (
        "expected: (no row)",
        "got:      {threshold: 0.7, tp: 0, fp: 1, fn: 1, precision: 0.0, recall: 0.0}",
    )


def test_a_query_limited_to_other_engines_is_skipped(catalog):
    (catalog / "one.sql").write_text("-- engines: duckdb\nSELECT count(*) AS n FROM predictions\n")
    (catalog / "one.test.yaml").write_text(
        "query: one\ntests:\n  - name: counts\n    given: {predictions: {types: {score: DOUBLE}, rows: []}}\n"
        "    expect: [{n: 0}]\n"
    )
    results = run_tests(catalog, ["one"], ["duckdb", "polars"])
    assert [(r.engine, r.status) for r in results] == [("duckdb", "pass"), ("polars", "skip")]
    assert results[1].message == "one runs only on duckdb"


def test_given_columns_take_their_types_from_types_then_the_real_source_then_the_values(demo_project):
    project = load_project(demo_project)
    case = Case(Path("x.test.yaml"), "t", "churn_user_plays", given={
        "play_logs": Given([{"user_id": 1, "track_id": 2, "ds": dt.date(2025, 8, 3), "ms_played": 40000}]),
        "users": Given([{"user_id": 1, "birth_year": 1990, "extra": 1.5}], {"user_id": "INT"}),
        "tracks": Given([]),
    })
    tables = prepare(project, Catalog(project), case).tables
    users = tables["users"].schema
    assert (users.field("user_id").type, users.field("birth_year").type) == (pa.int32(), pa.int32())
    assert users.field("extra").type == pa.float64()  # not in the real source: from the value
    assert tables["play_logs"].schema.field("ms_played").type == pa.int32()  # the demo data's
    assert tables["tracks"].num_rows == 0 and "genre" in tables["tracks"].column_names  # the ORC file's columns


@pytest.mark.spark
def test_the_example_tests_pass_on_every_engine_with_real_data_present(demo_project, tmp_path):
    """With data present, given columns take the real sources' types (INT birth_year, ...)."""
    root = tmp_path / "project"
    shutil.copytree(demo_project, root, ignore=shutil.ignore_patterns(".sqlrun"))
    for path in EXAMPLES.glob("*.test.yaml"):
        shutil.copy(path, root / path.name)
    results = run_tests(root, None, ["duckdb", "polars", "spark"])
    assert [(r.test, r.engine) for r in results if r.status != "pass"] == []
    assert len(results) == 3 * len(EXAMPLE_TESTS)
    assert not (root / ".sqlrun").exists()  # the project's store is never touched


TEST = "query: pr_curve\ntests:\n  - name: a\n"
HOSTILE = [
    ("tests: [", "x.test.yaml:1: not valid YAML"),
    ("- a", "expected a mapping with 'query:' and 'tests:', got a list"),
    ("", "got nothing"),
    ("query: pr_curve\ntset: []", "unknown key 'tset' (known: query, tests)"),
    ("query: pr_curve\ntests: []", "tests: expected a list of tests"),
    (TEST + "    expected: []", "test a: unknown key 'expected'"),
    (TEST + "    given: {predictions: [{label: 1}]}", "test a: expect: missing"),
    (TEST.replace("pr_curve", "../pr_curve.sql") + "    expect: []", "test a: query: no catalog query named"),
    (TEST.replace("pr_curve", "churn_model") + "    expect: []", "churn_model is a CREATE MODEL file"),
    (TEST + "    given: {users: [{a: 1}], predictions: [{a: 1}]}\n    expect: []",
     "test a: given users: pr_curve does not read it (it reads: predictions)"),
    (TEST + "    expect: []", "test a: given: pr_curve reads predictions; give rows"),
    ("query: churn_activity\ntests:\n  - name: a\n    given: {churn_user_plays: [{a: 1}], users: [{a: 1}]}\n"
     "    expect: []", "given users: churn_activity does not read it (it reads: churn_user_plays)"),
    (TEST + "    given: {predictions: [{a: 1}, {b: 2}]}\n    expect: []", "row 2 has columns b; row 1 has a"),
    (TEST + "    given: {predictions: [{a: 1, A: 2}]}\n    expect: []", "columns that differ only in case: a"),
    (TEST + "    given: {predictions: []}\n    expect: []", "given predictions: no rows and no types"),
    (TEST + "    given: {predictions: {types: {a: FOO}, rows: []}}\n    expect: []", "'FOO' is not a spark type"),
    (TEST + "    given: {predictions: {types: {a: STRING}, rows: [{a: NO}]}}\n    expect: []",
     "column a: false is not of type STRING (YAML reads yes/no/on/off as true/false: quote it)"),
    (TEST + "    given: {predictions: [{a: 99999999999999999999}]}\n    expect: []", "given predictions: column a:"),
    (TEST + "    given: {predictions: [{a: null}]}\n    expect: []", "column a: only nulls"),
    (TEST + "    given: {predictions: [{a: {b: 1}}]}\n    expect: []", "row 1: a: expected a value"),
    (TEST + "    given: {predictions: [], predictions: []}\n    expect: []",
     "x.test.yaml:4: key 'predictions' given twice"),
    (TEST + "    given: {predictions: [{a: 1}]}\n    params: {x: 1}\n    expect: []", "pr_curve has no parameter 'x'"),
    (TEST + "    params: {x: [1]}\n    expect: []", "params: x: expected a single value, got a list"),
    (TEST + "    expect: []\n    order_matters: yes please", "order_matters: expected true or false"),
    (TEST + "    expect: []\n    expect_types: {a: 1}", "expect_types: a: expected a type name"),
    (TEST + "    expect: []\n  - name: a\n    expect: []", "test a: the name is used twice"),
    ("query: pr_curve\ntests:\n  - name: a b\n    expect: []", "test 1: name: expected letters"),
    ("query: pr_curve\ntests:\n  - name: a\n    given: {on: []}\n    expect: []", "names must be text, got true"),
    ("a: &a [1, *a]", "x.test.yaml:1: an alias refers to a node that contains it"),
    ("a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(  # a "billion laughs"
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdef", "bcdefg")),
     "more than 1,000,000 values once aliases are expanded"),
    ("a: " + "[" * 1000 + "]" * 1000, "x.test.yaml"),
]


@pytest.mark.parametrize("text, fragment", HOSTILE, ids=[f"{i}" for i in range(len(HOSTILE))])
def test_a_hostile_test_file_is_one_line_naming_it(catalog, text, fragment):
    (catalog / "x.test.yaml").write_text(text)
    with pytest.raises(SqlrunError) as raised:
        run_tests(catalog, None, ["duckdb"])
    message = str(raised.value)
    assert "\n" not in message and str(catalog / "x.test.yaml") in message and fragment in message, message


def test_hostile_input_on_the_command_line(catalog, tmp_path):
    (catalog / "x.test.yaml").write_bytes(b"query: pr_curve\ntests:\n  - name: \xff\n")
    assert_one_line_error(sqlrun("test", "-p", str(catalog), "--engines", "duckdb"), "not UTF-8 text (line 3)")
    (catalog / "x.test.yaml").unlink()
    assert_one_line_error(sqlrun("test", "nope", "-p", str(catalog), "--junit", str(tmp_path)), "it is a directory")
    with pytest.raises(SqlrunError, match="no test or tested query named 'nope'"):
        run_tests(catalog, ["nope"], ["duckdb"])
    with pytest.raises(SqlrunError, match="tests run on local engines; redshift is not one"):
        run_tests(catalog, None, ["redshift"])
    for path in catalog.glob("*.test.yaml"):
        path.unlink()
    with pytest.raises(SqlrunError, match=r"no tests: no \*.test.yaml files in"):
        run_tests(catalog, None, ["duckdb"])


def pytest_in(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m pytest` in a user's project: the plugin comes from sqlrun's entry point (the
    other installed plugins are left out: hypothesis alone takes seconds to import)."""
    others = ["-p", "no:hypothesispytest", "-p", "no:xdist", "-p", "no:xdist.looponfail", "-p", "no:cacheprovider"]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *others, "-v", *args], cwd=root, capture_output=True,
        text=True, timeout=300, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def test_pytest_collects_one_item_per_test_and_engine(catalog):
    (catalog / "data").mkdir()
    (catalog / "data" / "stray.test.yaml").write_text("not: [a test")  # not in the catalog: not collected
    result = pytest_in(catalog, "--sqlrun-engines", "duckdb,polars")
    assert result.returncode == 0, result.stdout + result.stderr
    for name, file in EXAMPLE_TESTS.items():
        for engine in ("duckdb", "polars"):
            assert f"{file}::{name}[{engine}] PASSED" in result.stdout
    assert f"{PAIRS} passed" in result.stdout and "stray" not in result.stdout


def test_pytest_fails_a_wrong_expectation_with_the_rows(catalog):
    make_wrong(catalog)
    (catalog / "pytest.ini").write_text("[pytest]\nsqlrun_engines = duckdb\n")  # the ini key
    result = pytest_in(catalog)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pr_curve.test.yaml::precision_and_recall_at_each_threshold[duckdb] FAILED" in result.stdout
    assert "  expected: {threshold: 0.1, tp: 3, fp: 2, fn: 0, precision: 0.7, recall: 1.0}" in result.stdout
    assert "  got:      {threshold: 0.1, tp: 3, fp: 2, fn: 0, precision: 0.6, recall: 1.0}" in result.stdout
    assert f"1 failed, {len(EXAMPLE_TESTS) - 1} passed" in result.stdout
    assert "Traceback" not in result.stdout


def test_the_plugin_imports_nothing_until_it_collects():
    code = "import sqlrun.pytest_plugin, sys; print(sorted(m for m in sys.modules if m.startswith(('sqlrun', 'yaml'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['sqlrun', 'sqlrun.pytest_plugin']"
