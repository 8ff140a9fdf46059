"""Spark's ARRAY_APPEND, ARRAY_PREPEND, ARRAY_INSERT and ARRAY_COMPACT of constant arrays,
evaluated at compile time for Polars (whose SQL has none of them): the answer is an ARRAY[...]
literal cast to Spark's array type, or a NULL typed as the array.

An array is constant when it is array(...) of literals of one kind (integers, text, doubles such
as 1D, or constant arrays), NULLs and typed NULLs, or a CAST of NULL or of array() to an array
type. ARRAY_INSERT as Spark 3.5 and 4: a position past the end pads with NULLs, -1 is after the
last element, a negative position past the start pads with NULLs after the new element; position
0 (an error in Spark) is left as written, as is anything else.
"""

from __future__ import annotations

from sqlglot import exp

KINDS = (exp.ArrayAppend, exp.ArrayPrepend, exp.ArrayInsert, exp.ArrayCompact)
_INTEGERS = {exp.DType.TINYINT: 8, exp.DType.SMALLINT: 16, exp.DType.INT: 32}
_ARRAY_OF = {"int": "array<int>", "text": "array<string>", "double": "array<double>"}


class NotConstant(Exception):
    """Not a constant array or element this module decides."""


def polars_array_constants(tree: exp.Expression, ctx) -> exp.Expression:
    for node in reversed(list(tree.find_all(*KINDS))):  # innermost first
        try:
            value = _evaluate(node)
        except NotConstant:
            continue
        if node is tree:
            return value
        node.replace(value)
    return tree


def _kind(node: exp.Expression) -> str | None:
    """The element's kind (None: a NULL), or NotConstant."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal):
        if node.is_string:
            return "text"
        if node.is_int and abs(int(node.this)) < 2**31:
            return "int"
        raise NotConstant
    if isinstance(node, exp.Neg):
        return _kind(node.this)
    if isinstance(node, exp.Cast | exp.TryCast):
        if isinstance(node.this, exp.Null):  # a typed NULL: of its type's kind
            return _type_kind(node.to)
        if node.to.is_type(exp.DType.DOUBLE) and _kind(node.this) == "int":
            return "double"
        if node.to.this in _INTEGERS and _kind(node.this) == "int":
            if not _plain(node).is_int:
                raise NotConstant  # (out of the type: Spark wraps it)
            return "int"
    if isinstance(node, exp.Array | exp.Cast | exp.TryCast):
        _elements(node)
        return "array"
    raise NotConstant


def _type_kind(to: exp.DataType) -> str:
    if to.this in _INTEGERS:
        return "int"
    if to.is_type(*exp.DataType.TEXT_TYPES):
        return "text"
    if to.is_type(exp.DType.DOUBLE):
        return "double"
    raise NotConstant


def _plain(node: exp.Expression) -> exp.Expression:
    """An element as sent: CAST(2 AS TINYINT) as 2 (Spark widens it to the array's INT)."""
    if isinstance(node, exp.Cast | exp.TryCast) and node.to.this in _INTEGERS and node.this.is_int:
        if abs(int(node.this.this)) < 2 ** (_INTEGERS[node.to.this] - 1):
            return node.this.copy()
    return node.copy()


def _elements(node: exp.Expression) -> list[exp.Expression] | None:
    """The elements of a constant array (None: a NULL array); NotConstant for anything else."""
    if isinstance(node, exp.Cast | exp.TryCast) and node.to.is_type(exp.DType.ARRAY):
        if isinstance(node.this, exp.Null):
            return None
        if isinstance(node.this, exp.Array) and not node.this.expressions:
            return []
        raise NotConstant
    if not isinstance(node, exp.Array):
        raise NotConstant
    kinds = {_kind(e) for e in node.expressions} - {None}
    if len(kinds) > 1:
        raise NotConstant  # (Spark widens mixed kinds: not decided here)
    return list(node.expressions)


def _declared(array: exp.Expression) -> set[str]:
    """The kind of the elements a CAST to an array type declares (empty: none declared)."""
    if isinstance(array, exp.Cast | exp.TryCast) and array.to.expressions:
        element = array.to.expressions[0]
        return {"array"} if element.is_type(exp.DType.ARRAY) else {_type_kind(element)}
    return set()


def _array_type(array: exp.Expression, elements: list[exp.Expression]) -> exp.DataType:
    """Spark's type of the array: as cast, or of its elements' kind (an array of arrays: of the
    first inner array's elements)."""
    if isinstance(array, exp.Cast | exp.TryCast):
        return array.to.copy()
    kinds = {_kind(e) for e in elements} - {None}
    if len(kinds) != 1:
        raise NotConstant
    kind = next(iter(kinds))
    if kind == "array":
        inner = next(e for e in elements if _kind(e) == "array")
        inner_type = _array_type(inner, _elements(inner) or [])
        return exp.DataType(this=exp.DType.ARRAY, expressions=[inner_type], nested=True)
    return exp.DataType.build(_ARRAY_OF[kind], dialect="spark")


def _evaluate(node: exp.Expression) -> exp.Expression:
    array = node.this
    elements = _elements(array)
    item = node.expression if not isinstance(node, exp.ArrayCompact) else None
    if item is not None:
        _kind(item)
        if isinstance(item, exp.Array | exp.Cast | exp.TryCast) and _kind(item) == "array":
            raise NotConstant  # (arrays of arrays grow only by literal here)
    if elements is None:
        return exp.cast(exp.Null(), _array_type(array, []))
    if isinstance(node, exp.ArrayCompact):
        kept = [e for e in elements if _kind(e) is not None]
        return _array(kept, array)
    if isinstance(node, exp.ArrayAppend):
        return _array([*elements, item], array)
    if isinstance(node, exp.ArrayPrepend):
        return _array([item, *elements], array)
    position = node.args.get("position")
    if isinstance(position.unalias(), exp.Null) or (
            isinstance(position, exp.Cast | exp.TryCast) and isinstance(position.this, exp.Null)):
        return exp.cast(exp.Null(), _array_type(array, [*elements, item]))
    if _kind(position) != "int" or not isinstance(position, exp.Literal | exp.Neg):
        raise NotConstant
    at = int(position.this.this) * -1 if isinstance(position, exp.Neg) else int(position.this)
    n, null = len(elements), exp.Null()
    if at > 0:
        grown = elements + [null] * max(0, at - 1 - n)
        return _array([*grown[: at - 1], item, *grown[at - 1:]], array)
    if at < 0:
        if -at > n:
            return _array([item, *[null] * (-at - n - 1), *elements], array)
        index = n + at + 1
        return _array([*elements[:index], item, *elements[index:]], array)
    raise NotConstant


def _array(elements: list[exp.Expression], array: exp.Expression) -> exp.Expression:
    kinds = {_kind(e) for e in elements} - {None}
    if len(kinds | _declared(array)) > 1:
        raise NotConstant  # (Spark widens mixed kinds: not decided here)
    if not kinds:  # only NULLs (or none): typed as the array or a NULL in it is
        casts = [e.to for e in elements if isinstance(e, exp.Cast | exp.TryCast)]
        if casts:
            element = casts[0]
        elif isinstance(array, exp.Cast | exp.TryCast) and array.to.expressions:
            element = array.to.expressions[0]
        else:
            raise NotConstant
        if not elements:
            return exp.cast(exp.Array(), exp.DataType(this=exp.DType.ARRAY, expressions=[element.copy()], nested=True))
        return exp.Array(expressions=[exp.cast(exp.Null(), element.copy()) for _ in elements])
    # typed as Spark types it (Polars reads ARRAY[1, 2] as BIGINTs)
    return exp.Cast(this=exp.Array(expressions=[_plain(e) for e in elements]), to=_array_type(array, elements))
