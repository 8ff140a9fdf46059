"""Run the whole corpus through sqlrun and record every case's status in markers.toml.

    .venv/bin/python -m tests.corpus.triage            # print what changed
    .venv/bin/python -m tests.corpus.triage --write    # ... and rewrite markers.toml

A CompileError keeps its hand-chosen gap kind (notimpl / notyet / never) if it had one. Anything
else that fails is written as `proposed-<status>: detail` (status: compile, wrong or error): a
proposal makes no xfail, so the case keeps failing until a person writes its kind and reason, or
fixes it. Triage never turns a failure into a pass. A case that now passes loses its marker.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

from sqlrun.api import Session
from tests.corpus import DIALECTS, ENGINES, GAP_KINDS, MARKERS_FILE, PROPOSED, Case, all_cases
from tests.corpus.runner import run_case
from tests.corpus.tables import make_project

HEADER = """\
# Known gaps and bugs of the conformance corpus, per source dialect, case and engine:
#   engine = "kind: reason", kind one of
#   notimpl (sqlrun could do it) / notyet (the engine lacks it) / never  -> strict xfail, must
#       raise CompileError; written by a person, with the reason;
#   proposed-compile / proposed-wrong / proposed-error -> triage's proposal: no xfail, the case
#       fails until a person decides (a gap kind and reason, or a fix).
# Rewritten by `.venv/bin/python -m tests.corpus.triage --write`; gap kinds and reasons edited
# by hand are kept while the case still raises CompileError.
"""


def new_marker(case: Case, engine: str, status: str, detail: str) -> str | None:
    if status == "pass":
        return None
    one_line = " ".join(detail.split())[:300]
    old = case.marker(engine)
    if status == "compile" and old and old[0] in GAP_KINDS:
        return f"{old[0]}: {old[1]}"
    return f"{PROPOSED}-{status}: {one_line}"


def render(markers: dict) -> str:
    out = [HEADER]
    for dialect in DIALECTS:
        for case_id, engines in markers.get(dialect, {}).items():
            if not engines:
                continue
            out.append(f"\n[{dialect}.{case_id}]\n")
            for engine in ENGINES:
                if engine in engines:
                    out.append(f"{engine} = {json.dumps(engines[engine], ensure_ascii=False)}\n")
    return "".join(out)


def triage(write: bool) -> dict:
    cases = all_cases()
    markers: dict = {d: {} for d in DIALECTS}
    counts: Counter = Counter()
    changes = []
    with tempfile.TemporaryDirectory(prefix="sqlrun-corpus-") as tmp:
        with Session(make_project(Path(tmp))) as session:
            for case in cases:
                for engine in ENGINES:
                    outcome = run_case(session, case, engine)
                    counts[(case.dialect, engine, outcome.status)] += 1
                    marker = new_marker(case, engine, outcome.status, outcome.detail)
                    if marker:
                        markers[case.dialect].setdefault(case.id, {})[engine] = marker
                    before = case.markers.get(engine)
                    if (before or "").split(":")[0] != (marker or "").split(":")[0]:
                        changes.append(f"{case.key} on {engine}: {before or 'pass'} -> {marker or 'pass'}")
    for line in changes:
        print(line[:240])
    print(f"\n{'dialect':10}{'engine':8}" + "".join(f"{s:>9}" for s in ("pass", "compile", "wrong", "error")))
    for dialect in DIALECTS:
        for engine in ENGINES:
            row = "".join(f"{counts[(dialect, engine, s)]:>9}" for s in ("pass", "compile", "wrong", "error"))
            print(f"{dialect:10}{engine:8}{row}")
    if write:
        MARKERS_FILE.write_text(render(markers))
        print(f"\nwrote {MARKERS_FILE}")
    return markers


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite markers.toml")
    triage(parser.parse_args().write)
