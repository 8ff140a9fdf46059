"""Issue 11, the store and the catalog: names never become paths outside the store, cleanup
removes only what the store made, a model retrained invalidates the steps that call it,
concurrent runs both succeed, damaged entries are recomputed (steps) or named (models),
and bad catalog files or directories are one line naming them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sqlrun.api import Session
from sqlrun.engine.catalog import Catalog
from sqlrun.engine.models.store import ModelStore
from sqlrun.engine.store import Store, write_parquet
from sqlrun.errors import CatalogError
from tests.test_cli import assert_one_line_error
from tests.test_cli import sqlrun as run_sqlrun

TOML = '[project]\ndialect = "spark"\nengine = "duckdb"\nqueries = "queries"\n\n' \
       '[sources.numbers]\npath = "data/numbers.parquet"\n'


def sqlrun(*args: str, project: Path | None = None) -> subprocess.CompletedProcess:
    return run_sqlrun(*args, *(["--project", str(project)] if project is not None else []))


def write_sql(project: Path, name: str, sql: str | bytes) -> Path:
    path = project / "queries" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(sql, bytes):
        path.write_bytes(sql)
    else:
        path.write_text(textwrap.dedent(sql).lstrip())
    return path


def tiny_project(root: Path) -> Path:
    """numbers(id, grp) from a parquet file; `base` is stored, `reader` reads it."""
    (root / "data").mkdir(parents=True)
    pq.write_table(pa.table({"id": list(range(100)), "grp": [i % 3 for i in range(100)]}),
                   root / "data" / "numbers.parquet")
    (root / "sqlrun.toml").write_text(TOML)
    write_sql(root, "base.sql", "-- materialize: parquet\nSELECT id, id * 2 AS y, grp FROM numbers\n")
    write_sql(root, "reader.sql", "SELECT count(*) AS n, sum(y) AS s FROM base\n")
    return root


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


# -- 1. names become paths --------------------------------------------------------------

@pytest.fixture
def guarded(tmp_path) -> tuple[Path, Path]:
    """A project beside a sibling directory, with a stored step: what a bad name could destroy."""
    (tmp_path / "sibling").mkdir()
    (tmp_path / "sibling" / "keep.txt").write_text("mine")
    project = tiny_project(tmp_path / "project")
    (project / "notes").mkdir()
    (project / "notes" / "todo.txt").write_text("keep me")
    with Session(project) as session:
        session.run("base", "duckdb")
    return tmp_path, project


@pytest.mark.parametrize("name", ["..", ".", "../..", "../sibling", "a/b", "x y", "", "..\\x", ".hidden", "-rf"])
def test_a_name_that_would_be_a_path_is_refused_and_nothing_is_deleted(guarded, name):
    top, project = guarded
    write_sql(project, "evil.sql", f"-- name: {name}\n-- materialize: parquet\nSELECT 1 AS x\n")
    before = tree(top)
    result = sqlrun("run", "--project", str(project), "--", name)  # `--`: a name may start with '-'
    line = assert_one_line_error(result)
    if "/" not in name:  # a ref with a slash is a path to a .sql file (there is none)
        assert "evil.sql" in line and "name" in line
    assert before <= tree(top)
    # The bad file does not make the others unusable, and stays reported.
    good = sqlrun("run", "reader", "--format", "csv", project=project)
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines()[1] == "100,9900"
    listed = sqlrun("list", project=project)
    assert listed.returncode == 0 and "reader" in listed.stdout
    warnings = listed.stderr.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("warning: ") and "evil.sql" in warnings[0]
    assert before <= tree(top)


def test_a_file_whose_stem_is_dotdot_is_refused_by_name_and_by_path(guarded):
    top, project = guarded
    path = write_sql(project, "...sql", "-- materialize: parquet\nSELECT 1 AS x\n")
    before = tree(top)
    assert_one_line_error(sqlrun("run", "..", project=project), "...sql")
    assert_one_line_error(sqlrun("run", str(path), project=project), "...sql")
    assert_one_line_error(sqlrun("plan", str(path), project=project), "...sql")
    assert before <= tree(top)


def test_a_partition_column_that_is_a_path_is_refused(guarded):
    top, project = guarded
    write_sql(project, "parts.sql", "-- materialize: parquet\n-- partition_by: ../../x\nSELECT 1 AS `../../x`\n")
    before = tree(top)
    assert_one_line_error(sqlrun("run", "parts", project=project), "parts.sql", "partition_by")
    assert before <= tree(top)


def test_partition_values_and_column_names_stay_inside_the_version(tmp_path):
    column = "../../a=b/c"
    values = ["..", ".", "../../escape", "a/b", "", None, "=", "%2F", "x" * 50]
    table = pa.table({column: values, "v": list(range(len(values)))})
    target = tmp_path / "store" / "version"
    write_parquet(table, target, (column,), "step")
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == len(values)
    for path in files:
        relative = path.relative_to(target)  # inside the version
        assert len(relative.parts) == 2  # one directory level: column=value, then the file
        assert unquote(relative.parts[0].split("=")[0]) == column
    read = pa.concat_tables([pq.read_table(p) for p in files]).sort_by("v")
    assert read.column(column).to_pylist() == values


def test_session_reads_back_hostile_partition_values(tmp_path):
    project = tiny_project(tmp_path / "project")
    write_sql(project, "parts.sql", """\
        -- materialize: parquet
        -- partition_by: label
        SELECT id, CASE WHEN id % 4 = 0 THEN '..' WHEN id % 4 = 1 THEN '../../up'
                        WHEN id % 4 = 2 THEN 'a/b' ELSE NULL END AS label
        FROM numbers
        """)
    with Session(project) as session:
        table = session.run("parts", "duckdb")
        stored = session.store.current("parts")
    assert table.num_rows == 100
    inside = stored.path.resolve()
    for path in tmp_path.rglob("*.parquet"):
        if path.parent != project / "data":
            assert inside in path.resolve().parents
    assert sorted(stored.read().column("id").to_pylist()) == list(range(100))


@pytest.mark.parametrize("name", ["..", ".", "../x", "a/b", "", "/abs"])
def test_the_stores_check_names_again(tmp_path, name):
    table = pa.table({"x": [1]})
    before = tree(tmp_path)
    with pytest.raises(CatalogError, match="name"):
        Store(tmp_path).write(name, table, "f" * 64, "duckdb")
    with pytest.raises(CatalogError, match="name"):
        Store(tmp_path).current(name)
    with pytest.raises(CatalogError, match="name"):
        ModelStore(tmp_path).write(name, {}, "model.bin", b"", {"fingerprint": "f" * 64})
    with pytest.raises(CatalogError, match="name"):
        ModelStore(tmp_path).current(name)
    assert tree(tmp_path) - before <= {".sqlrun", ".sqlrun/steps", ".sqlrun/models"}


def test_schema_qualified_and_plain_names_are_stored(tmp_path):
    for name in ("s.m", "churn_model", "daily-report", "2024_totals"):
        Store(tmp_path).write(name, pa.table({"x": [1]}), "f" * 64, "duckdb")
        assert Store(tmp_path).current(name).read().num_rows == 1


FOREIGN = ["notes", "0123-abc", ".tmp-notapid-00", "abcdef0123456789-zzzzzzzz", "ABCDEF0123456789-0123456Z"]


def test_cleanup_removes_only_what_the_store_made(tmp_path):
    project = tiny_project(tmp_path / "project")
    with Session(project) as session:
        session.run("base", "duckdb")
        step_dir = session.store.current("base").path.parent
    for name in FOREIGN:
        (step_dir / name).mkdir()
        (step_dir / name / "data.txt").write_text("not the store's")
    (step_dir / "readme.txt").write_text("not the store's")
    for _ in range(2):
        with Session(project) as session:
            session.run("base", "polars", refresh=True)
    current = Session(project).store.current("base")
    assert {p.name for p in step_dir.iterdir() if p.is_dir()} == {*FOREIGN, current.path.name}
    assert (step_dir / "readme.txt").read_text() == "not the store's"


META = {k: "x" for k in ("name", "engine", "statement", "model_type", "problem_type", "target", "function",
                         "rows", "trained_at", "train_seconds")}


def test_model_cleanup_removes_only_what_the_store_made(tmp_path):
    store = ModelStore(tmp_path)
    first = store.write("m", {"a": 1}, "model.bin", b"one", {**META, "fingerprint": "a" * 64})
    for name in FOREIGN:
        (first.path.parent / name).mkdir()
    second = store.write("m", {"a": 2}, "model.bin", b"two", {**META, "fingerprint": "b" * 64})
    assert not first.path.exists()
    assert {p.name for p in second.path.parent.iterdir() if p.is_dir()} == {*FOREIGN, second.path.name}
    assert store.current("m").model() == {"a": 2}
    assert store.names() == ["m"]


def test_pointer_temps_are_removed_and_a_linked_pointer_is_replaced(tmp_path):
    """current.json is written by sqlrun.atomic; cleanup knows its temp names (and the old ones)."""
    store = ModelStore(tmp_path)
    entry = store.write("m", {"a": 1}, "model.bin", b"one", {**META, "fingerprint": "a" * 64}).path.parent
    gone = [f".current.json.{os.getpid()}.ab_12cd3.tmp", ".current.json.0123abcd"]
    keep = [".current.json.notes", ".current.json.1.abcd1234.tmp.bak", ".other.json.1.abcd1234.tmp"]
    for name in gone + keep:
        (entry / name).write_text("x")
    outside = tmp_path / "outside.json"
    outside.write_text("not the store's")
    (entry / "current.json").unlink()
    (entry / "current.json").symlink_to(outside)
    store.write("m", {"a": 2}, "model.bin", b"two", {**META, "fingerprint": "b" * 64})
    names = {p.name for p in entry.iterdir()}
    assert set(keep) <= names and not set(gone) & names
    assert outside.read_text() == "not the store's" and not (entry / "current.json").is_symlink()
    assert store.current("m").model() == {"a": 2}


# -- 5. a step calling a model's FUNCTION depends on the model's version ---------------------

CHURN_FEATURES = ("age, tenure_days, gender_f, gender_m, gender_unknown, country_kr, country_jp, country_us,"
                  " country_de, country_br, plays_before, active_days_before, minutes_before, genres_before,"
                  " days_since_last_play")


@pytest.fixture(scope="module")
def churn_trained(demo_project, tmp_path_factory) -> Path:
    """The demo project with churn_model trained (duckdb)."""
    pytest.importorskip("xgboost")
    root = tmp_path_factory.mktemp("churn") / "project"
    shutil.copytree(demo_project, root, ignore=shutil.ignore_patterns(".sqlrun"))
    with Session(root) as session:
        session.run("churn_model", "duckdb")
    return root


@pytest.fixture
def churn(churn_trained, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(churn_trained, root)
    return root


def statuses(project: Path, query: str, **kwargs) -> dict[str, str]:
    reports = []
    with Session(project) as session:
        session.run(query, "duckdb", on_step=reports.append, **kwargs)
    return {r.step: r.status for r in reports}


def test_a_stored_step_calling_a_model_is_recomputed_after_retraining(churn):
    (churn / "churn_scored.sql").write_text(
        f"-- materialize: parquet\nSELECT user_id, predict_churn_probabilities({CHURN_FEATURES}) AS p\n"
        "FROM churn_holdout\n")
    (churn / "churn_p_view.sql").write_text(
        f"SELECT user_id, predict_churn({CHURN_FEATURES}) AS c, predict_churn_probabilities({CHURN_FEATURES}) AS cp"
        " FROM churn_holdout\n")
    (churn / "churn_p_stored.sql").write_text("-- materialize: parquet\nSELECT * FROM churn_p_view\n")
    assert statuses(churn, "churn_scored")["churn_scored"] == "ran"
    assert statuses(churn, "churn_p_stored")["churn_p_stored"] == "ran"
    assert statuses(churn, "churn_scored")["churn_scored"] == "fresh"
    before = Session(churn).store.current("churn_scored").read().sort_by("user_id")
    before_view = Session(churn).store.current("churn_p_stored").read().sort_by("user_id")

    model = churn / "churn_model.sql"
    model.write_text(model.read_text().replace("WHERE user_id % 5 <> 0", "WHERE user_id % 5 <> 0 AND user_id % 3 <> 0"))
    with Session(churn) as session:
        assert session.run("churn_model", "duckdb")["state"].to_pylist() == ["trained"]
    plan = Session(churn).plan("churn_scored")
    assert plan.status("churn_scored") == "run"
    assert Session(churn).plan("churn_p_stored").status("churn_p_stored") == "run"
    assert statuses(churn, "churn_scored")["churn_scored"] == "ran"
    assert statuses(churn, "churn_p_stored")["churn_p_stored"] == "ran"
    after = Session(churn).store.current("churn_scored").read().sort_by("user_id")
    after_view = Session(churn).store.current("churn_p_stored").read().sort_by("user_id")
    assert after.column("user_id").equals(before.column("user_id"))
    assert after.column("p").to_pylist() != before.column("p").to_pylist()
    assert after_view.column("cp").to_pylist() != before_view.column("cp").to_pylist()

    # Retrained again with --refresh (a new version, same spec): the steps are stale again.
    with Session(churn) as session:
        session.run("churn_model", "duckdb", refresh=True)
    assert Session(churn).plan("churn_scored").status("churn_scored") == "run"


# -- 9. two runs at once ----------------------------------------------------------------

@pytest.fixture
def demo_copy(demo_project, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(demo_project, root, ignore=shutil.ignore_patterns(".sqlrun"))
    return root


def test_two_refreshing_runs_at_once_both_succeed(demo_copy):
    command = [sys.executable, "-m", "sqlrun", "run", "churn_training", "--refresh", "--format", "csv",
               "--project", str(demo_copy)]
    for _ in range(3):
        children = [subprocess.Popen([*command, "-e", engine], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for engine in ("duckdb", "polars")]
        outputs = [child.communicate(timeout=300) for child in children]
        for child, (_, stderr) in zip(children, outputs):
            assert child.returncode == 0, stderr
            assert "Traceback" not in stderr
        assert outputs[0][0].count("\n") == outputs[1][0].count("\n") > 1
    with Session(demo_copy) as session:
        assert session.plan("churn_training").status("churn_training") == "fresh"
        assert session.run("churn_training", "duckdb").num_rows == outputs[0][0].count("\n") - 1


def test_a_version_being_read_is_not_removed_by_another_writer(tmp_path):
    project = tiny_project(tmp_path / "project")
    with Session(project) as session:
        session.run("base", "duckdb")
    refresh = [sys.executable, "-m", "sqlrun", "run", "base", "--refresh", "--project", str(project)]
    with Session(project) as reader:
        engine = reader.engine("duckdb")
        real = engine.to_arrow

        def refreshed_meanwhile(sql):
            # Another process replaces `base` (and cleans up) after this run chose its version.
            done = subprocess.run(refresh, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            return real(sql)

        engine.to_arrow = refreshed_meanwhile
        assert reader.run("reader", "duckdb").to_pylist() == [{"n": 100, "s": 9900}]
    # Once nobody reads it, the next write removes the old version.
    assert sqlrun("run", "base", "--refresh", project=project).returncode == 0
    step_dir = Store(project).current("base").path.parent
    assert len([p for p in step_dir.iterdir() if p.is_dir()]) == 1


# -- 10. damaged store entries ------------------------------------------------------------

def _truncate(version: Path) -> None:
    part = version / "part-0.parquet"
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])


def _flip(version: Path) -> None:
    part = version / "part-0.parquet"
    data = bytearray(part.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 8] = bytes(b ^ 0xFF for b in data[middle: middle + 8])
    part.write_bytes(bytes(data))


def _pointer(text: str):
    def damage(version: Path) -> None:
        (version.parent / "current.json").write_text(text)
    return damage


def _extra(version: Path) -> None:
    shutil.copy(version / "part-0.parquet", version / "part-1.parquet")


DAMAGES = {
    "truncated": _truncate,
    "same-size bytes changed": _flip,
    "file removed": lambda version: (version / "part-0.parquet").unlink(),
    "extra file": _extra,
    "version removed": lambda version: shutil.rmtree(version),
    "pointer []": _pointer("[]"),
    "pointer {}": _pointer("{}"),
    "pointer null": _pointer("null"),
    "pointer garbage": _pointer("\x00\xff{not json"),
    "pointer outside": _pointer('{"dir": "../../data", "fingerprint": "x", "rows": 1, "engine": "duckdb",'
                                ' "partition_by": []}'),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_stored_step_is_recomputed_with_one_warning(tmp_path, damage):
    project = tiny_project(tmp_path / "project")
    with Session(project) as session:
        session.run("base", "duckdb")
        version = session.store.current("base").path
    data_before = tree(project / "data")
    DAMAGES[damage](version)
    assert Session(project).plan("reader").status("base") == "run"
    planned = sqlrun("plan", "reader", project=project)
    assert planned.returncode == 0 and "will run" in planned.stdout, planned.stderr
    result = sqlrun("run", "reader", "--format", "csv", project=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "100,9900"
    lines = result.stderr.strip().splitlines()
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert len(warnings) == 1 and all(line.startswith("  ") for line in lines if line not in warnings), lines
    assert "stored step base" in warnings[0] and "damaged" in warnings[0] and "recomput" in warnings[0]
    again = sqlrun("run", "reader", "--format", "csv", project=project)
    assert again.returncode == 0 and "warning" not in again.stderr and "base: fresh" in again.stderr
    assert tree(project / "data") == data_before


@pytest.mark.parametrize("engine", ["duckdb", "polars"])
def test_a_damaged_target_step_is_recomputed(tmp_path, engine):
    project = tiny_project(tmp_path / "project")
    with Session(project) as session:
        session.run("base", engine)
        _truncate(session.store.current("base").path)
    result = sqlrun("run", "base", "-e", engine, "--format", "csv", project=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 101
    assert "damaged" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("query, engine, expected", [
    ("reader", "duckdb", [{"n": 100, "s": 9900}]),
    ("reader", "polars", [{"n": 100, "s": 9900}]),
    ("base", "duckdb", None),
])
def test_damage_the_sizes_cannot_see_is_found_when_reading_fails(tmp_path, capfd, query, engine, expected):
    """Same size, same mtime: caught when the read fails; the checksum confirms it."""
    project = tiny_project(tmp_path / "project")
    with Session(project) as session:
        session.run("base", "duckdb")
        part = session.store.current("base").path / "part-0.parquet"
    stat = part.stat()
    data = bytearray(part.read_bytes())
    data[-12:-8] = b"\xff\xff\xff\x7f"  # the footer length: unreadable, same size
    part.write_bytes(bytes(data))
    os.utime(part, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert Session(project).plan("reader").status("base") == "fresh"  # sizes and mtimes cannot tell
    with Session(project) as session:
        table = session.run(query, engine)
    assert table.to_pylist() == expected if expected else table.num_rows == 100
    err = capfd.readouterr().err
    assert err.count("warning: stored step base was damaged") == 1 and "checksum" in err
    assert Session(project).plan("reader").status("base") == "fresh"
    assert Session(project).run("base", "duckdb").num_rows == 100


@pytest.fixture(scope="module")
def model_project(tmp_path_factory) -> Path:
    """A tiny project with one trained XGBoost model and a query scoring with it."""
    pytest.importorskip("xgboost")
    root = tiny_project(tmp_path_factory.mktemp("model") / "project")
    write_sql(root, "flag_model.sql", """\
        -- dialect: redshift
        CREATE MODEL flag_model
        FROM (SELECT id, grp FROM numbers)
        TARGET grp FUNCTION predict_grp IAM_ROLE default AUTO OFF MODEL_TYPE XGBOOST
        OBJECTIVE 'multi:softmax' PREPROCESSORS 'none'
        HYPERPARAMETERS DEFAULT EXCEPT (NUM_CLASS '3', NUM_ROUND '3', MAX_DEPTH '2')
        SETTINGS (S3_BUCKET 'b')
        """)
    write_sql(root, "scores.sql", "SELECT id, predict_grp(id) AS g FROM numbers ORDER BY id\n")
    trained = sqlrun("run", "flag_model", project=root)
    assert trained.returncode == 0, trained.stderr
    return root


def _model_file(name: str):
    def damage(version: Path) -> None:
        path = version / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return damage


MODEL_DAMAGES = {
    "model.json truncated": _model_file("model.json"),
    "model.json garbage": lambda v: (v / "model.json").write_bytes(b"x" * (v / "model.json").stat().st_size),
    "artifact truncated": _model_file("booster.json"),
    "version removed": lambda version: shutil.rmtree(version),
    "pointer []": _pointer("[]"),
    "pointer garbage": _pointer("{"),
    "pointer outside": _pointer('{"dir": "../../../data", "statement": "x", "fingerprint": "x"}'),
}


@pytest.mark.parametrize("damage", list(MODEL_DAMAGES))
def test_a_damaged_model_is_one_line_telling_to_retrain(model_project, tmp_path, damage):
    project = tmp_path / "project"
    shutil.copytree(model_project, project)
    good = sqlrun("run", "scores", "--format", "csv", project=project)
    assert good.returncode == 0, good.stderr
    MODEL_DAMAGES[damage](ModelStore(project).current("flag_model").path)
    assert_one_line_error(sqlrun("run", "scores", project=project), "flag_model", "damaged",
                          "sqlrun run flag_model")
    listed = sqlrun("models", "list", project=project)
    assert listed.returncode == 0 and "DAMAGED" in listed.stdout and "Traceback" not in listed.stderr
    retrained = sqlrun("run", "flag_model", project=project)
    assert retrained.returncode == 0, retrained.stderr
    again = sqlrun("run", "scores", "--format", "csv", project=project)
    assert again.returncode == 0 and again.stdout == good.stdout, again.stderr


# -- 13. catalog files and directories ----------------------------------------------------

@pytest.mark.parametrize("content", [
    b"-- description: caf\xe9\nSELECT 1 AS x\n",
    b"SELECT '\xff\xfe' AS x\n",
    b"-- name: bad\xc3\nSELECT 1 AS x\n",
])
def test_a_non_utf8_file_is_named_and_other_queries_still_run(tmp_path, content):
    project = tiny_project(tmp_path / "project")
    bad = write_sql(project, "bad.sql", content)
    write_sql(project, "reads_bad.sql", "SELECT * FROM bad\n")
    listed = sqlrun("list", project=project)
    assert listed.returncode == 0 and "reader" in listed.stdout, listed.stderr
    warnings = listed.stderr.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("warning: ") and "bad.sql" in warnings[0]
    good = sqlrun("run", "reader", "--format", "csv", project=project)
    assert good.returncode == 0 and "bad.sql" not in good.stderr, good.stderr
    for command in (("run", "bad"), ("compile", "bad"), ("plan", "bad"), ("run", str(bad)), ("run", "reads_bad")):
        assert_one_line_error(sqlrun(*command, project=project), "bad.sql", "UTF-8")


def test_a_utf8_bom_is_accepted(tmp_path):
    project = tiny_project(tmp_path / "project")
    write_sql(project, "bom.sql", "\ufeff-- param n: int = 3\n-- description: with a BOM\nSELECT :n AS x\n")
    write_sql(project, "bom_plain.sql", "\ufeffSELECT 2 AS x\n")
    result = sqlrun("run", "bom", "--format", "csv", project=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ['"x"', "3"]
    plain = sqlrun("run", "bom_plain", "--format", "csv", project=project)
    assert plain.returncode == 0 and plain.stdout.splitlines() == ['"x"', "2"], plain.stderr
    assert "with a BOM" in sqlrun("list", project=project).stdout


def test_an_unreadable_catalog_directory_is_named(tmp_path, monkeypatch):
    project = tiny_project(tmp_path / "project")
    write_sql(project, "locked/hidden.sql", "SELECT 1 AS x\n")
    locked = str(project / "queries" / "locked")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    session = Session(project)
    assert "reader" in session.catalog.queries  # the other queries still work
    with pytest.raises(CatalogError, match=r"locked.*Permission denied"):
        session.catalog.get("hidden")
    problems = [str(e) for e in session.catalog.problems()]
    assert len(problems) == 1 and "locked" in problems[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 directory anyway")
def test_an_unreadable_catalog_directory_is_named_by_the_cli(tmp_path):
    project = tiny_project(tmp_path / "project")
    write_sql(project, "locked/hidden.sql", "SELECT 1 AS x\n")
    (project / "queries" / "locked").chmod(0)
    try:
        assert_one_line_error(sqlrun("run", "hidden", project=project), "locked")
        listed = sqlrun("list", project=project)
        assert listed.returncode == 0 and "locked" in listed.stderr
    finally:
        (project / "queries" / "locked").chmod(0o755)


def test_a_catalog_directory_that_is_a_file_is_one_line(tmp_path):
    project = tiny_project(tmp_path / "project")
    shutil.rmtree(project / "queries")
    (project / "queries").write_text("not a directory")
    for command in (("list",), ("run", "base")):
        assert_one_line_error(sqlrun(*command, project=project), "queries", "not a directory")


def test_the_example_catalog_still_loads():
    from sqlrun.config import load_project

    catalog = Catalog(load_project(Path(__file__).resolve().parent.parent / "queries"))
    assert "churn_training" in catalog.queries and not catalog.problems()
