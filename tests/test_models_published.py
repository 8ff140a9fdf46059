"""CREATE MODEL statements as others published them (tests/models_published/collection.yaml): each
parses and validates as the CREATE MODEL reference says Redshift does, is sent to Redshift as
written (only the training query compiled), and, where its form runs locally, trains (or loads)
and scores with its published scoring query on a synthetic table of its columns, with identical
results on duckdb and polars (and spark for one)."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from sqlrun.api import Session
from sqlrun.engine.catalog import Query
from sqlrun.engine.models.spec import parse_model
from sqlrun.errors import NotSupported, SqlrunError

pytest.importorskip("xgboost")

COLLECTION = Path(__file__).parent / "models_published" / "collection.yaml"
ROWS = 240
TOML = """[project]
dialect = "redshift"
engine = "duckdb"
queries = "."

[engines.redshift]
host = "127.0.0.1"
database = "dev"
user = "ml"
"""


def entries() -> list[dict]:
    data = yaml.safe_load(COLLECTION.read_text())
    found = []
    for source in data["sources"]:
        for entry in source["entries"]:
            found.append({**entry, "repo": source["repo"], "commit": source["commit"], "licence": source["licence"]})
    return found


ENTRIES = entries()


def filled(entry: dict) -> str:
    text = entry["statement"]
    for placeholder, value in (entry.get("fill") or {}).items():
        assert placeholder in text, f"{entry['id']}: fill {placeholder!r} is not in the statement"
        text = text.replace(placeholder, value)
    return text


def spec_of(entry: dict):
    return parse_model(Query(entry["id"], Path(f"{entry['id']}.sql"), "redshift", filled(entry)))


def test_the_collection_is_sourced():
    assert len(ENTRIES) >= 35
    assert len({e["id"] for e in ENTRIES}) == len(ENTRIES)
    for entry in ENTRIES:
        assert re.fullmatch(r"[0-9a-f]{40}", entry["commit"]) and entry["licence"] and entry["file"]
        assert entry["local"] in ("trains", "byom", "redshift"), entry["id"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_published_statement_validates(entry):
    spec = spec_of(entry)
    forms = {"redshift": ("BYOM_LOCAL", "BYOM_REMOTE", "FORECAST"), "byom": ("BYOM_LOCAL",)}
    assert spec.form in forms.get(entry["local"], ("AUTO_ON", "AUTO_OFF", "KMEANS", "BYOM_LOCAL"))


def _column(name: str, kind: str, rng) -> pa.Array:
    n = ROWS
    if kind.startswith("int:"):
        low, high = map(int, kind[4:].split("-"))
        return pa.array(rng.integers(low, high + 1, n).astype(np.int64))
    if kind == "int":
        values = np.arange(n) * 13 + 1 if name.endswith(("id", "number")) else rng.integers(1, 200, n)
        return pa.array(values.astype(np.int64))
    if kind == "float":
        return pa.array(np.round(rng.normal(size=n), 3))
    if kind == "bool":
        return pa.array(rng.integers(0, 2, n).astype(bool))
    if kind.startswith("varchar"):
        words = kind.partition(":")[2].split(",") if ":" in kind else ["north", "south", "east", "west", "centre"]
        return pa.array(np.array(words)[rng.integers(0, len(words), n)])
    if kind in ("date", "timestamp"):
        days = rng.integers(0, 1500, n).astype("timedelta64[D]") + np.datetime64("2019-01-01")
        if kind == "date":
            return pa.array(days)
        return pa.array(days.astype("datetime64[s]") + rng.integers(0, 86400, n).astype("timedelta64[s]"))
    raise AssertionError(kind)


def make_table(columns: dict, target: dict | None, rng) -> pa.Table:
    data = {name: _column(name, kind, rng) for name, kind in columns.items()}
    numeric = [np.asarray(a.to_numpy(zero_copy_only=False), dtype=float) for n, a in data.items()
               if columns[n] in ("int", "float") and (not target or n != target["column"])]
    score = sum((x - x.mean()) / (x.std() or 1) for x in numeric) + rng.normal(scale=0.3, size=ROWS)
    if target and target["column"] in data:
        name, labels = target["column"], target.get("labels")
        if labels:
            cut = np.digitize(score, np.quantile(score, np.linspace(0, 1, len(labels) + 1)[1:-1]))
            data[name] = pa.array([labels[i] for i in cut])
        else:
            value = 3 * score + 20
            data[name] = pa.array(np.round(value).astype(np.int64) if columns[name] == "int" else value)
    return pa.table(data)


def write_project(root: Path, entry: dict, s3_endpoint: str | None = None) -> None:
    rng = np.random.default_rng(11)
    lines = [TOML, f'[s3]\nendpoint_url = "{s3_endpoint}"\n' if s3_endpoint else ""]
    (root / "data").mkdir(parents=True)
    for table, columns in (entry.get("tables") or {}).items():
        name = table.split(".")[-1]  # a schema-qualified table: the source whose Redshift table it is
        pq.write_table(make_table(columns, entry.get("target"), rng), root / "data" / f"{name}.parquet")
        redshift = f'redshift = "{table}"\n' if "." in table else ""
        lines.append(f'[sources.{name}]\npath = "data/{name}.parquet"\n{redshift}')
    (root / "sqlrun.toml").write_text("\n".join(lines))
    (root / "model.sql").write_text("-- dialect: redshift\n" + filled(entry))
    if entry.get("scoring"):
        (root / "scores.sql").write_text("-- dialect: redshift\n" + entry["scoring"])
    for i, (sql, _, _) in enumerate(published_queries(entry, ())):
        (root / f"published_{i}.sql").write_text("-- dialect: redshift\n" + sql)


def published_queries(entry: dict, engines: tuple[str, ...]) -> list[tuple[str, tuple[str, ...], str | None]]:
    """The entry's other published queries, the engines each runs on, Polars' error if it has one."""
    queries = [(q, engines, None) for q in entry.get("queries") or []]
    others = tuple(e for e in engines if e != "polars")
    queries += [(q["sql"], others, q["polars"]) for q in entry.get("queries_not_polars") or []]
    return sorted(queries, key=lambda q: q[0].split()[0].upper() == "DROP")  # DROP MODEL last


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_statement_sent_to_redshift_is_the_statement_as_written(entry, tmp_path):
    write_project(tmp_path, entry)
    spec, text = spec_of(entry), filled(entry)
    with Session(tmp_path) as session:
        sent = session.compile("model", "redshift")
        if not spec.training_sql:  # bring your own model: nothing to compile
            assert sent == text.strip().rstrip(";").strip()
            return
        training = session.compile(session.models.training_query(session.query("model")), "redshift")
    start, end = spec.from_span[0], spec.from_span[1]
    prefix, suffix = text[:start], text[end:].strip().rstrip(";").rstrip()
    assert sent.startswith(prefix) and sent.endswith(suffix), sent
    middle = " ".join(sent[len(prefix): len(sent) - len(suffix)].split())
    if spec.source_table:
        assert middle == spec.source_table
    else:
        assert middle == " ".join(training.split())


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    from tests.servers import s3_with_credentials

    with s3_with_credentials(tmp_path_factory, "testing", "testing") as url:
        yield url


def _byom_model(root: Path, source: str, features: int, s3_endpoint: str | None) -> None:
    """A booster trained elsewhere, saved as SageMaker does (model.tar.gz holding xgboost-model)."""
    import xgboost as xgb

    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, features))
    data = xgb.DMatrix(x, label=x @ np.arange(features))
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3}, data, num_boost_round=10)
    raw = bytes(booster.save_raw("json"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(raw)
        archive.addfile(info, io.BytesIO(raw))
    if source.startswith("s3://"):
        import boto3

        bucket, _, key = source[len("s3://"):].partition("/")
        client = boto3.client("s3", endpoint_url=s3_endpoint)
        client.create_bucket(Bucket=bucket)
        client.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())
        return
    (root / source).parent.mkdir(parents=True, exist_ok=True)
    (root / source).write_bytes(buffer.getvalue())


LOCAL = [e for e in ENTRIES if e["local"] != "redshift"]


def _run_locally(entry: dict, root: Path, engines: tuple[str, ...], request) -> None:
    spec = spec_of(entry)
    s3 = request.getfixturevalue("s3_endpoint") if (spec.byom_source or "").startswith("s3://") else None
    write_project(root, entry, s3)
    if spec.form == "BYOM_LOCAL":
        _byom_model(root, spec.byom_source, len(spec.arg_types), s3)
    with Session(root) as session:
        summary = session.run("model", "duckdb").to_pylist()[0]
        assert summary["state"] == "trained" and (summary["rows"] > 0 or spec.form == "BYOM_LOCAL")
        _published_queries(entry, session, engines)
        if not entry.get("scoring"):
            return
        if entry.get("scoring_skip"):
            pytest.skip(entry["scoring_skip"])
        if entry.get("scoring_xfail"):  # the model trained; its scoring still fails (when not: update the entry)
            with pytest.raises(SqlrunError):
                for engine in engines:
                    session.run("scores", engine)
            pytest.xfail(entry["scoring_xfail"])
        results = {e: session.run("scores", e) for e in engines}
    first = results[engines[0]]
    assert first.num_rows > 0
    for engine, table in results.items():
        assert _rows(table) == _rows(first), engine


def _published_queries(entry: dict, session: Session, engines: tuple[str, ...]) -> None:
    """The entry's other published queries, in order: SHOW MODEL / DROP MODEL on the local store;
    queries on every engine with equal results (a struct and its JSON text compare equal); those
    Polars refuses on the others, and Polars' one-line error."""
    for i, (sql, on, polars_error) in enumerate(published_queries(entry, engines)):
        name = f"published_{i}"
        if sql.split()[0].upper() in ("SHOW", "DROP"):
            table = session.run(name, "duckdb")
            if sql.split()[0].upper() == "DROP":
                assert table.to_pylist() == [{"model": spec_of(entry).name, "action": "dropped"}]
                continue
            shown = dict(zip(table["Key"].to_pylist(), table["Value"].to_pylist()))
            assert shown["Model State"] == "READY" and shown["Function Name"] == spec_of(entry).function, shown
            continue
        results = {e: _rows(session.run(name, e)) for e in on}
        assert results[on[0]], f"{name}: no rows"
        assert all(r == results[on[0]] for r in results.values()), (sql, results)
        if polars_error:
            with pytest.raises(SqlrunError, match=re.escape(polars_error)) as info:
                session.run(name, "polars")
            assert "\n" not in str(info.value)


def _value(v):
    if isinstance(v, str) and v.startswith("{"):
        v = json.loads(v)  # Polars gives a constant struct (EXPLAIN_MODEL) as its JSON text
    if isinstance(v, dict):
        return tuple(sorted((k, _value(x)) for k, x in v.items()))
    if isinstance(v, list):
        return tuple(_value(x) for x in v)
    return round(v, 9) if isinstance(v, float) else v


def _rows(table: pa.Table) -> list:
    return sorted((tuple(_value(v) for v in row.values()) for row in table.to_pylist()), key=repr)


@pytest.mark.parametrize("entry", LOCAL, ids=[e["id"] for e in LOCAL])
def test_published_model_runs_end_to_end_locally(entry, tmp_path, request):
    _run_locally(entry, tmp_path, ("duckdb", "polars"), request)


@pytest.mark.spark
def test_published_model_scores_the_same_on_spark(tmp_path, request):
    entry = next(e for e in ENTRIES if e.get("spark"))
    _run_locally(entry, tmp_path, ("duckdb", "polars", "spark"), request)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["local"] == "redshift"],
                         ids=[e["id"] for e in ENTRIES if e["local"] == "redshift"])
def test_redshift_only_forms_say_so_in_one_line_locally(entry, tmp_path):
    write_project(tmp_path, entry)
    with Session(tmp_path) as session, pytest.raises(Exception) as info:
        session.run("model", "duckdb")
    message = str(info.value)
    assert "\n" not in message and ("-e redshift" in message), message
    assert isinstance(info.value, NotSupported) or "SageMaker job" in message
