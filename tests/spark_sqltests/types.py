"""How many imported Spark sql-tests cases come back with Spark's own column types, per engine.

    .venv/bin/python -m tests.spark_sqltests.types [--engines duckdb polars] [--only TEXT] [--list FILE]

Counts, over the cases an engine answers with Spark's rows (runner.difference), those whose
column types equal the frozen Arrow types of Spark's answer as parity compares them
(parity.type_name); --list writes every case whose types differ (case, engine, column, types).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from sqlrun.engine.parity import type_name
from tests.spark_sqltests import load_cases
from tests.spark_sqltests.runner import difference, project_for, query_of, sessions_by_sources


def spark_type_name(text: str) -> str:
    """A frozen type (str() of Spark's Arrow type) as parity.type_name spells it."""
    text = re.sub(r"timestamp\[[^]]*\]", "timestamp", text.replace(" not null", "").replace("element: ", ""))
    return re.sub(r"duration\[[^]]*\]", "duration", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", nargs="*", default=["duckdb", "polars"])
    parser.add_argument("--only", help="only the cases whose id contains this text")
    parser.add_argument("--list", type=Path, help="write the cases whose types differ here")
    args = parser.parse_args(argv)
    cases = [c for c in load_cases() if c.status == "ok" and (not args.only or args.only in c.id)]
    counts = {e: Counter() for e in args.engines}
    differ = []
    for _, session, group in sessions_by_sources(cases, project_for, "sqlrun-types-"):
        for case in group:
            for engine in args.engines:
                try:
                    table = session.run(query_of(case), engine)
                except Exception:
                    counts[engine]["no answer"] += 1
                    continue
                if difference(case, table):
                    counts[engine]["other rows"] += 1
                    continue
                want = [spark_type_name(t) for _, t in case.columns]
                got = [type_name(f.type) for f in table.schema]
                if want == got:
                    counts[engine]["spark's types"] += 1
                else:
                    counts[engine]["other types"] += 1
                    j = next(j for j, (w, g) in enumerate(zip(want, got)) if w != g)
                    differ.append(f"{case.id}\t{engine}\t{j + 1}\t{want[j]}\t{got[j]}")
    for engine, c in counts.items():
        right = c["spark's types"]
        print(f"{engine}: {right} of {right + c['other types']} right answers have Spark's types"
              f" ({c['other rows']} other rows, {c['no answer']} no answer)")
    if args.list:
        args.list.write_text("case\tengine\tcolumn\tspark\tgot\n" + "".join(f"{d}\n" for d in sorted(differ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
