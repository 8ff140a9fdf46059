"""Root-cause classes of the DuckDB sqllogictest failures: a few of their own, read first, then
the Spark sql-tests' table (tests/spark_sqltests/classes.py)."""

from __future__ import annotations

import re

from tests.spark_sqltests import classes as spark

CLASSES = {
    **spark.CLASSES,
    "refused: DuckDB function without a translation":
        ("notimpl", "a DuckDB function sqlrun does not translate for this engine"),
    "refused: translated only for constant arguments":
        ("notimpl", "translated only when an argument (a format, a part name) is a constant"),
    "table the engine cannot read":
        ("notyet", "the engine cannot read a column type of the frozen table (INTERVAL, unsigned...)"),
    "generated SQL the engine cannot parse": ("notimpl", "sqlrun sent SQL the engine's parser rejects"),
    "other values": ("notimpl", "ran and gave other values; not classified further"),
}
_I = re.I | re.S
RULES = [  # (class, statuses, detail pattern)
    ("refused: DuckDB function without a translation", ("refused",), r"unknown duckdb function"),
    ("refused: translated only for constant arguments", ("refused",),
     r"only translated for a constant|only a constant|constant, non-NULL"),
    ("table the engine cannot read", ("error",), r"cannot read source"),
    ("generated SQL the engine cannot parse", ("error",), r"PARSE_SYNTAX_ERROR|sql parser error|Parser Error"),
    ("function the target lacks", ("error",), r"UNRESOLVED_ROUTINE"),
    ("datetime functions", ("error",), r"DATETIME_PATTERN|cannot format Date"),
]


def classify(case, engine: str, outcome) -> str:
    for name, statuses, detail in RULES:
        if outcome.status in statuses and re.search(detail, outcome.detail, _I):
            return name
    name = spark.classify(case, engine, outcome)
    return "other values" if outcome.status == "wrong" and name.startswith("unclassified") else name
