"""Random queries in the spark or duckdb dialect, built from what sqlrun translates: string, math,
date, conditional and cast functions, filters, GROUP BY with aggregates, windows, joins, set
operations, DISTINCT, ORDER BY / LIMIT (ordered by every output column, so ties cannot make the
answer depend on the engine)."""

from __future__ import annotations

import random

from tests.fuzz.tables import COLUMNS, STRINGS, TABLES

TYPES = ("int", "big", "float", "str", "date", "ts", "bool", "dec")
CAST = {"int": "INT", "big": "BIGINT", "float": "DOUBLE", "str": "STRING", "date": "DATE", "ts": "TIMESTAMP",
        "bool": "BOOLEAN", "dec": "DECIMAL(10,2)"}
DUCK_CAST = {**CAST, "str": "VARCHAR"}
ORDERABLE = ("int", "big", "float", "str", "date", "ts", "dec")
NUMERIC = ("int", "float", "dec")

# (result type, argument types, spark spelling, duckdb spelling or None when the same).
# Argument type "n" is a small integer literal. `big` (extremes) takes no arithmetic: overflow is
# a known difference of the engines themselves (Spark wraps, DuckDB fails).
F = [
    ("str", "str", "upper({0})", None), ("str", "str", "lower({0})", None), ("str", "str", "trim({0})", None),
    ("str", "str", "ltrim({0})", None), ("str", "str", "rtrim({0})", None), ("str", "str", "reverse({0})", None),
    ("str", "s n n", "substr({0}, {1}, {2})", None), ("str", "s s", "concat({0}, {1})", None),
    ("str", "s s", "{0} || {1}", None), ("str", "str", "replace({0}, 'a', 'xy')", None),
    ("str", "s n", "lpad({0}, {1}, '*')", None), ("str", "s n", "rpad({0}, {1}, '-')", None),
    ("str", "s n", "repeat({0}, {1})", None), ("str", "s n", "left({0}, {1})", None),
    ("str", "s n", "right({0}, {1})", None), ("str", "str", "regexp_replace({0}, '[a-c]', 'z')", None),
    ("str", "str", "split_part({0}, 'b', 1)", None),
    ("str", "ts", "date_format({0}, 'yyyy-MM-dd HH:mm')", "strftime({0}, '%Y-%m-%d %H:%M')"),
    ("str", "date", "date_format({0}, 'yyyy/MM/dd')", "strftime({0}, '%Y/%m/%d')"),
    ("int", "str", "length({0})", None), ("int", "str", "instr({0}, 'a')", None),
    ("int", "int int", "{0} + {1}", None), ("int", "int int", "{0} - {1}", None),
    ("int", "int int", "{0} * {1}", None), ("int", "int int", "{0} % {1}", None),
    ("int", "int int", "{0} div {1}", "{0} // {1}"), ("int", "int", "abs({0})", None), ("int", "int", "-{0}", None),
    ("int", "date", "year({0})", None), ("int", "date", "month({0})", None), ("int", "date", "day({0})", None),
    ("int", "date", "quarter({0})", None), ("int", "date", "dayofweek({0})", None),
    ("int", "date", "dayofyear({0})", None), ("int", "date", "weekofyear({0})", None),
    ("int", "ts", "hour({0})", None), ("int", "ts", "minute({0})", None), ("int", "ts", "second({0})", None),
    ("int", "date date", "datediff({0}, {1})", "datediff('day', {1}, {0})"),
    ("int", "float", "CAST({0} AS INT)", "TRY_CAST({0} AS INT)"),
    ("int", "str", "CAST({0} AS INT)", "TRY_CAST({0} AS INT)"),
    ("int", "dec", "CAST({0} AS INT)", None), ("int", "bool", "CAST({0} AS INT)", None),
    ("int", "float", "floor({0})", None), ("int", "float", "ceil({0})", None),
    ("int", "int int", "greatest({0}, {1})", None), ("int", "int int", "least({0}, {1})", None),
    ("big", "float", "CAST({0} AS BIGINT)", "TRY_CAST({0} AS BIGINT)"),
    ("big", "str", "CAST({0} AS BIGINT)", "TRY_CAST({0} AS BIGINT)"),
    ("float", "int int", "{0} / {1}", None), ("float", "float float", "{0} / {1}", None),
    ("float", "float float", "{0} + {1}", None), ("float", "float float", "{0} * {1}", None),
    ("float", "f n", "round({0}, {1})", None), ("float", "float", "sqrt({0})", None),
    ("float", "float", "ln({0})", None), ("float", "float", "abs({0})", None),
    ("float", "float", "power({0}, 2)", None), ("float", "float", "sign({0})", None),
    ("float", "int", "CAST({0} AS DOUBLE)", None), ("float", "dec", "CAST({0} AS DOUBLE)", None),
    ("float", "str", "CAST({0} AS DOUBLE)", "TRY_CAST({0} AS DOUBLE)"), ("float", "big", "CAST({0} AS DOUBLE)", None),
    ("float", "float float", "greatest({0}, {1})", None), ("float", "float float", "least({0}, {1})", None),
    ("dec", "dec dec", "{0} + {1}", None), ("dec", "dec dec", "{0} - {1}", None),
    ("dec", "dec int", "{0} * {1}", None), ("dec", "dec", "round({0}, 1)", None), ("dec", "dec", "abs({0})", None),
    ("dec", "int", "CAST({0} AS DECIMAL(10,2))", None),
    ("dec", "str", "CAST({0} AS DECIMAL(10,2))", "TRY_CAST({0} AS DECIMAL(10,2))"),
    ("date", "d n", "date_add({0}, {1})", "({0} + {1})"), ("date", "d n", "date_sub({0}, {1})", "({0} - {1})"),
    ("date", "date", "last_day({0})", None), ("date", "date", "trunc({0}, 'MM')", "date_trunc('month', {0})"),
    ("date", "ts", "CAST({0} AS DATE)", None), ("date", "str", "CAST({0} AS DATE)", "TRY_CAST({0} AS DATE)"),
    ("date", "d n", "add_months({0}, {1})", "CAST({0} + to_months({1}) AS DATE)"),
    ("ts", "ts", "date_trunc('HOUR', {0})", "date_trunc('hour', {0})"), ("ts", "date", "CAST({0} AS TIMESTAMP)", None),
    ("ts", "ts", "{0} + INTERVAL 90 MINUTES", "{0} + INTERVAL 90 MINUTE"),
    ("str", "int", "CAST({0} AS STRING)", "CAST({0} AS VARCHAR)"),
    ("str", "big", "CAST({0} AS STRING)", "CAST({0} AS VARCHAR)"),
    ("str", "float", "CAST({0} AS STRING)", "CAST({0} AS VARCHAR)"),
    ("str", "date", "CAST({0} AS STRING)", "CAST({0} AS VARCHAR)"),
    ("str", "ts", "CAST({0} AS STRING)", "CAST({0} AS VARCHAR)"),
    ("str", "dec", "CAST({0} AS STRING)", "CAST({0} AS VARCHAR)"),
    ("str", "bool", "CAST({0} AS STRING)", "CAST({0} AS VARCHAR)"),
    ("bool", "str", "{0} LIKE 'a%'", None), ("bool", "str", "{0} LIKE '%b_'", None),
    ("bool", "float", "isnan({0})", None), ("bool", "bool", "NOT {0}", None),
    ("bool", "bool bool", "({0} AND {1})", None), ("bool", "bool bool", "({0} OR {1})", None),
]
SHORT = {"s": "str", "n": "n", "f": "float", "d": "date"}
# Differences found and not fixed yet (findings.md, "Open"), per source dialect: the seeded run in
# `make test` leaves them out (gaps=False); the long run keeps them.
KNOWN_GAPS = {"spark": {"floor({0})", "ceil({0})"}}
AGGREGATES = [  # (result, argument, spelling)
    ("int", None, "count(*)"), ("int", "any", "count({0})"), ("int", "any", "count(DISTINCT {0})"),
    ("int", "int", "sum({0})"), ("float", "float", "sum({0})"), ("dec", "dec", "sum({0})"),
    ("float", "int", "avg({0})"), ("float", "float", "avg({0})"), ("dec", "dec", "avg({0})"),
    ("float", "float", "stddev_samp({0})"), ("bool", "bool", "bool_and({0})"), ("bool", "bool", "bool_or({0})"),
    ("int", "bool", "count_if({0})"),
]


class Gen:
    def __init__(self, rng: random.Random, dialect: str, columns: dict[str, list[str]], gaps: bool = True):
        self.rng, self.dialect, self.columns = rng, dialect, columns
        self.skip = set() if gaps else KNOWN_GAPS.get(dialect, set())

    def pick(self, options):
        return self.rng.choice(options)

    def literal(self, kind: str) -> str:
        r = self.rng
        if r.random() < 0.05:
            return f"CAST(NULL AS {(DUCK_CAST if self.dialect == 'duckdb' else CAST)[kind]})"
        if kind in ("int", "n"):
            return str(r.choice([0, 1, 2, 3, -1, 5, 10]))
        if kind == "big":
            return r.choice(["0", "7", "-3", "CAST(2147483648 AS BIGINT)"])
        if kind == "float":
            return r.choice(["1.5", "-0.5", "0.0", "2.0", "CAST('NaN' AS DOUBLE)"])
        if kind == "str":  # Spark's '' is a quote, sqlglot reads two literals: a known gap (findings.md)
            quote = "\\'" if self.dialect == "spark" else "''"
            return "'" + r.choice(STRINGS).replace("'", quote) + "'"
        if kind == "date":
            return r.choice(["DATE '2024-02-29'", "DATE '2024-03-01'", "DATE '1970-01-01'"])
        if kind == "ts":
            return r.choice(["TIMESTAMP '2024-02-29 23:59:59.5'", "TIMESTAMP '2024-03-01 00:00:00'"])
        if kind == "bool":
            return r.choice(["TRUE", "FALSE"])
        return r.choice(["CAST(1.25 AS DECIMAL(10,2))", "CAST(-3.50 AS DECIMAL(10,2))"])

    def expr(self, kind: str, depth: int = 2) -> str:
        r = self.rng
        if kind == "n":
            return str(r.choice([0, 1, 2, 3, 5, -1]))
        if depth <= 0 or r.random() < 0.3:
            if self.columns.get(kind) and r.random() < 0.8:
                return r.choice(self.columns[kind])
            return self.literal(kind)
        roll = r.random()
        if kind == "bool" and roll < 0.35:
            return self.condition(depth)
        if roll < 0.12:
            return f"coalesce({self.expr(kind, depth - 1)}, {self.expr(kind, depth - 1)})"
        if roll < 0.2:
            return (f"CASE WHEN {self.condition(depth - 1)} THEN {self.expr(kind, depth - 1)}"
                    f" ELSE {self.expr(kind, depth - 1)} END")
        if roll < 0.24:
            return f"nullif({self.expr(kind, depth - 1)}, {self.expr(kind, depth - 1)})"
        options = [f for f in F if f[0] == kind and f[2] not in self.skip]
        if not options:
            return self.expr(kind, 0)
        _, args, spark, duck = r.choice(options)
        template = duck if self.dialect == "duckdb" and duck else spark
        return template.format(*(self.expr(SHORT.get(a, a), depth - 1) for a in args.split()))

    def condition(self, depth: int = 2) -> str:
        r = self.rng
        roll = r.random()
        kind = r.choice(ORDERABLE + ("bool",))
        if roll < 0.5:
            op = r.choice(["=", "<>", "<", "<=", ">", ">="] if kind != "bool" else ["=", "<>"])
            return f"{self.expr(kind, depth - 1)} {op} {self.expr(kind, depth - 1)}"
        if roll < 0.65:
            return f"{self.expr(kind, depth - 1)} IS {r.choice(['', 'NOT '])}NULL"
        if roll < 0.75:
            items = ", ".join(self.literal(kind) for _ in range(r.randint(1, 3)))
            return f"{self.expr(kind, depth - 1)} {r.choice(['', 'NOT '])}IN ({items})"
        if roll < 0.85 and kind != "bool":
            return f"{self.expr(kind, depth - 1)} BETWEEN {self.literal(kind)} AND {self.expr(kind, depth - 1)}"
        if roll < 0.92:
            return f"NOT ({self.condition(depth - 1)})" if depth > 0 else self.expr("bool", 0)
        return self.expr("bool", depth - 1)

    def aggregate(self) -> tuple[str, str]:
        kind, arg, spelling = self.pick(AGGREGATES)
        if arg == "any":
            arg = self.pick(TYPES)
        return (kind, spelling.format(self.expr(arg, 1)) if arg else spelling)

    def window(self, partition: str) -> str:
        r = self.rng
        over = f"PARTITION BY {partition}" if r.random() < 0.8 else ""
        by_id = f"ORDER BY {self.columns['id'][0]}"
        key = self.expr(self.pick(ORDERABLE), 1)
        shape = r.randint(0, 7)
        if shape == 0:
            return f"row_number() OVER ({over} {by_id})"
        if shape == 1:
            return f"{self.pick(['rank', 'dense_rank'])}() OVER ({over} ORDER BY {key} {self.nulls()})"
        if shape == 2:
            return f"sum({self.expr('int', 1)}) OVER ({over})"
        if shape == 3:
            return f"sum({self.expr(self.pick(['int', 'dec']), 1)}) OVER ({over} ORDER BY {key} {self.nulls()})"
        if shape == 4:
            return f"{self.pick(['lag', 'lead'])}({self.expr(self.pick(TYPES), 1)}) OVER ({over} {by_id})"
        if shape == 5:
            return f"count(*) OVER ({over})"
        if shape == 6:
            frame = "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW"
            return f"{self.pick(['min', 'max'])}({self.expr(self.pick(ORDERABLE), 1)}) OVER ({over} {by_id} {frame})"
        return f"first_value({self.expr(self.pick(TYPES), 1)}) OVER ({over} {by_id})"

    def key(self) -> str:
        """A grouping key that reads a column (a literal key would be an ordinal in DuckDB)."""
        kind = self.pick(TYPES)
        column = self.pick(self.columns[kind])
        options = [f for f in F if f[1] == kind and f[2] not in self.skip]
        if self.rng.random() < 0.6 or not options:
            return column
        _, _, spark, duck = self.pick(options)
        return (duck if self.dialect == "duckdb" and duck else spark).format(column)

    def nulls(self) -> str:
        return self.pick(["", "ASC", "DESC", "ASC NULLS FIRST", "DESC NULLS LAST", "NULLS LAST"])


def columns_of(alias: str | None) -> dict[str, list[str]]:
    """Column references by grammar type (`id` as an int: its values are small)."""
    refs: dict[str, list[str]] = {}
    for name, (kind, _) in COLUMNS.items():
        kind = "int" if name == "id" else kind
        refs.setdefault(kind, []).append(f"{alias}.{name}" if alias else name)
    refs["id"] = [f"{alias}.id" if alias else "id"]
    return refs


def query(rng: random.Random, dialect: str, gaps: bool = True) -> str:
    """One random query (a SELECT or a set operation) over the tables of tables.py; `gaps`:
    with the known gaps (KNOWN_GAPS) or without them."""
    shape = rng.choice(["select", "select", "group", "group", "window", "join", "setop", "distinct"])
    table = rng.choice(TABLES)
    if shape == "join":
        other = rng.choice(TABLES)
        g = Gen(rng, dialect, _merge(columns_of("x"), columns_of("y")), gaps)
        g.columns["id"] = ["x.id"]
        kind = rng.choice(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "JOIN"])
        on = "x.k = y.k" + (f" AND {g.condition(1)}" if rng.random() < 0.3 else "")
        source = f"{table} x {kind} {other} y ON {on}"
    else:
        g = Gen(rng, dialect, columns_of(None), gaps)
        source = table
    where = f" WHERE {g.condition()}" if rng.random() < 0.5 else ""
    if shape == "setop":
        kinds = [g.pick(TYPES) for _ in range(rng.randint(1, 3))]
        left = _select(g, kinds, table, where)
        right = _select(g, kinds, rng.choice(TABLES), f" WHERE {g.condition()}" if rng.random() < 0.5 else "")
        op = rng.choice(["UNION", "UNION ALL", "INTERSECT", "EXCEPT"])
        return _order(g, f"{left} {op} {right}", len(kinds))
    if shape == "group":
        keys = [g.key() for _ in range(rng.randint(0, 2))]
        items = keys + [g.aggregate()[1] for _ in range(rng.randint(1, 3))]
        sql = f"SELECT {_aliased(items)} FROM {source}{where}"
        if keys:
            sql += " GROUP BY " + ", ".join(keys)
        if rng.random() < 0.3:
            kind, agg = g.aggregate()
            sql += f" HAVING {agg} {'IS NOT NULL' if kind in ('bool', 'str') else '> ' + g.literal('int')}"
        return _order(g, sql, len(items))
    items = [g.expr(g.pick(TYPES)) for _ in range(rng.randint(1, 4))]
    if shape == "window":
        items += [g.window(g.expr(g.pick(ORDERABLE), 0)) for _ in range(rng.randint(1, 2))]
    distinct = "DISTINCT " if shape == "distinct" else ""
    return _order(g, f"SELECT {distinct}{_aliased(items)} FROM {source}{where}", len(items))


def _select(g: Gen, kinds: list[str], table: str, where: str) -> str:
    return f"SELECT {_aliased([g.expr(k) for k in kinds])} FROM {table}{where}"


def _aliased(items: list[str]) -> str:
    return ", ".join(f"{item} AS c{i}" for i, item in enumerate(items))


def _order(g: Gen, sql: str, width: int) -> str:
    """ORDER BY every output column (ties are then equal rows) and maybe a LIMIT, or nothing."""
    if g.rng.random() < 0.6:
        return sql
    keys = ", ".join(f"{i} {g.nulls()}".strip() for i in range(1, width + 1))
    limit = f" LIMIT {g.rng.randint(0, 6)}" if g.rng.random() < 0.6 else ""
    return f"{sql} ORDER BY {keys}{limit}"


def _merge(a: dict, b: dict) -> dict:
    return {k: a.get(k, []) + b.get(k, []) for k in set(a) | set(b)}
