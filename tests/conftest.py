"""Shared fixtures: a small copy of the example project with demo data, and engine lists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sqlrun.adapters import LOCAL_ENGINES

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "queries"


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory) -> Path:
    """The example catalog with 20k rows of demo data, in a temp directory."""
    from sqlrun.demo import generate

    root = tmp_path_factory.mktemp("demo")
    for path in EXAMPLES.iterdir():
        if path.suffix in (".sql", ".toml"):
            shutil.copy(path, root / path.name)
    generate(root / "data", rows=20_000)
    return root


@pytest.fixture(scope="session")
def demo_session(demo_project):
    """One Session (so one Spark session) for all tests that use the demo project."""
    from sqlrun.api import Session

    with Session(demo_project) as session:
        yield session


@pytest.fixture(params=LOCAL_ENGINES)
def engine_name(request) -> str:
    return request.param
