"""The tables Spark's SQLQueryTestSuite creates before any input file runs (createTestTables)."""

from __future__ import annotations

from pathlib import Path

TEST_DATA = "sql/core/src/test/resources/test-data/postgresql"
POSTGRES_COLUMNS = (
    "unique1 int, unique2 int, two int, four int, ten int, twenty int, hundred int, thousand int,"
    " twothousand int, fivethous int, tenthous int, odd int, even int, stringu1 string, stringu2 string,"
    " string4 string"
)
SQL = {
    "testdata": "SELECT CAST(id AS INT) AS key, CAST(id AS STRING) AS value FROM range(1, 101)",
    "arraydata": "SELECT * FROM VALUES (array(1, 2, 3), array(array(1, 2, 3))),"
                 " (array(2, 3, 4), array(array(2, 3, 4))) AS t(arraycol, nestedarraycol)",
    "mapdata": "SELECT * FROM VALUES (map(1, 'a1', 2, 'b1', 3, 'c1', 4, 'd1', 5, 'e1')),"
               " (map(1, 'a2', 2, 'b2', 3, 'c2', 4, 'd2')), (map(1, 'a3', 2, 'b3', 3, 'c3')),"
               " (map(1, 'a4', 2, 'b4')), (map(1, 'a5')) AS t(mapcol)",
}
TSV = {"aggtest": ("agg.data", "a int, b float"), "onek": ("onek.data", POSTGRES_COLUMNS),
       "tenk1": ("tenk.data", POSTGRES_COLUMNS)}
BUILTIN = (*SQL, *TSV)


def create_builtin_tables(engine, read, scratch: str) -> None:
    """Create them as parquet tables in the session's catalog; `read(path)` gives a file's bytes."""
    for name, query in SQL.items():
        engine.execute(f"CREATE TABLE {name} USING parquet AS {query}")
    for name, (data, schema) in TSV.items():
        path = Path(scratch) / data
        path.write_bytes(read(f"{TEST_DATA}/{data}"))
        frame = engine.spark.read.format("csv").options(delimiter="\t", header="false").schema(schema).load(str(path))
        frame.write.format("parquet").saveAsTable(name)
