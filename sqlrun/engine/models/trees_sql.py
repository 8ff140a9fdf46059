"""Tree ensembles as SQL text: one expression per tree, summed in float32 as XGBoost sums them.

Two encodings of a tree (an engine declares which it runs faster, MODEL_TREES):
- "case": nested CASE WHEN ... THEN <leaf value> ... END. Engines that evaluate only the
  branch a row takes (DuckDB, Spark) do depth-many steps per row.
- "index": the same nested CASE yielding the leaf's number as a small integer, then the leaf
  value read from an array literal. Polars evaluates every branch of a CASE for every row;
  choosing between 1-byte numbers instead of doubles halves that work.

XGBoost compares float32 feature values, `float32(x) < t`. For a double x that is the same
as comparing x with the midpoint between t and the float32 below it (`<=` when a value on
the midpoint rounds down, to the even neighbour), so the SQL keeps doubles and still takes
every branch booster.predict takes. A NULL (XGBoost's missing value) makes the condition
NULL, so the row takes the ELSE branch: the node's default direction.

The raw score (margin) is XGBoost's own, bit for bit: its CPU predictor starts from the base
margin as a float32 and adds each tree's float32 leaf value in tree order, each partial sum a
float32. The SQL does the same: one chain `CAST(base AS REAL) + CAST(tree 1 AS REAL) + ...`,
left to right (REAL + REAL is REAL on DuckDB, Polars and Spark), then CAST(... AS DOUBLE) before
the link function. So the trees as SQL, the engine function (scorer.py: inplace_predict's
margins) and the library's batch give the same margins on every engine.

With an engine function for the model (Layout.function, scorer.py) the raw scores are its calls.

Argument i is the placeholder `arg(i)`: compile.generate puts CAST(<argument> AS DOUBLE) there.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from sqlrun.engine.compile import raw_arg as arg


def number(value: float) -> str:
    """A DOUBLE literal in every engine: the shortest exact text, always with an exponent."""
    text = repr(float(value))
    if "inf" in text or "nan" in text:
        raise ValueError(f"the model holds a non-finite number ({text})")
    return text if "e" in text else text + "e0"


def f32(value: float) -> float:
    return struct.unpack("f", struct.pack("f", value))[0]


def _below32(value: float) -> tuple[float, bool]:
    """The float32 just below `value`, and whether its mantissa is even."""
    bits = struct.unpack("I", struct.pack("f", value))[0]
    bits = bits - 1 if value > 0 else (bits + 1 if value < 0 else 0x80000001)
    return struct.unpack("f", struct.pack("I", bits))[0], bits % 2 == 0


def goes_left(x: str, threshold: float) -> tuple[str, str]:
    """(x goes left, x goes right) as SQL predicates equal to float32(x) < threshold."""
    t = f32(threshold)
    below, even = _below32(t)
    mid = number((below + t) / 2)  # exact in double
    return (f"{x} <= {mid}", f"{x} > {mid}") if even else (f"{x} < {mid}", f"{x} >= {mid}")


def _case(tree: dict, leaf) -> str:
    """A tree as nested CASE; `leaf(i)` is the text of leaf node i."""
    left, right, feature = tree["left"], tree["right"], tree["feature"]
    default_left, threshold = tree["default_left"], tree["threshold"]

    def node(i: int) -> str:
        if left[i] == -1:
            return leaf(i)
        yes, no = goes_left(arg(feature[i]), threshold[i])
        if default_left[i]:  # the default direction is the ELSE branch
            return f"CASE WHEN {no} THEN {node(right[i])} ELSE {node(left[i])} END"
        return f"CASE WHEN {yes} THEN {node(left[i])} ELSE {node(right[i])} END"

    return node(0)


def _int_type(count: int) -> str:
    return "TINYINT" if count <= 127 else "SMALLINT" if count <= 32767 else "INT"


# A leaf value by its number (1-based) from an array literal, per dialect.
LOOKUP = {
    "duckdb": "[{values}][{index}]",
    "polars": "[{values}][{index}]",
    "spark": "element_at(array({values}), {index})",
}


def tree_sql(tree: dict, style: str, dialect: str) -> str:
    values = tree["threshold"]
    if style == "case":
        return _case(tree, lambda i: number(f32(values[i])))
    leaves = [i for i, left in enumerate(tree["left"]) if left == -1]
    if len(leaves) == 1:
        return number(f32(values[leaves[0]]))
    kind = _int_type(len(leaves))
    ordinal = {leaf: n for n, leaf in enumerate(leaves, start=1)}
    index = _case(tree, lambda i: f"CAST({ordinal[i]} AS {kind})")
    return LOOKUP[dialect].format(values=", ".join(number(f32(values[i])) for i in leaves), index=index)


def total(terms: list[str], sums: str = "balanced") -> str:
    """terms (of linear models, k-means) summed: as a balanced tree of additions (nesting grows
    with log2 of their count: DuckDB and Polars plan a long chain in quadratic time), or as one
    chain in parentheses."""
    if len(terms) == 1:
        return terms[0]
    if sums == "chain":
        return f"({' + '.join(terms)})"
    half = len(terms) // 2
    return f"({total(terms[:half])} + {total(terms[half:])})"


@dataclass(frozen=True)
class Layout:
    """How an engine runs trees best: its adapter's MODEL_TREES and MODEL_SUMS."""

    trees: str = "case"
    sums: str = "balanced"
    dialect: str = "duckdb"
    function: str = ""  # the engine function scoring the model (scorer.py), or "": the trees as SQL


def margins(model: dict, layout: Layout) -> list[str]:
    """One raw score per output (class) of a tree ensemble: base margin plus its trees (or the
    engine's model function's output k)."""
    if layout.function:
        args = ", ".join(arg(i) for i in range(len(model["features"])))
        return [f"{layout.function}({k}, {args})" for k in range(model["groups"])]
    trees: list[list[str]] = [[] for _ in range(model["groups"])]
    for tree in model["trees"]:
        trees[tree["group"]].append(tree_sql(tree, layout.trees, layout.dialect))
    return [f32_sum([number(base)] + group) for base, group in zip(model["base_margin"], trees)]


def f32_sum(terms: list[str]) -> str:
    """terms (float32 values as DOUBLE) summed left to right in float32, as a DOUBLE: one chain
    (no nesting; a balanced tree would add in another order)."""
    return f"CAST({' + '.join(f'CAST({t} AS REAL)' for t in terms)} AS DOUBLE)"
