"""Model functions and models by name, as Redshift resolves them.

Unquoted names fold to lower case (Redshift's default). A model's FUNCTION lives in the schema the
FUNCTION names, else in the model's ("The function is created in the same schema as the model
object and can be overloaded"), else in public. A call `schema.f(...)` looks in that schema only;
a bare `f(...)` in every schema (sqlrun does not know the search_path). `f_probabilities(...)`,
and `f_prob(...)` as Redshift first named it, is the probability function of `f`.

Several models may declare one FUNCTION name (overloading): a call takes the one whose parameter
types its arguments match (by kind: number, string, boolean, date, timestamp; then by the most
exact matches); two equally good ones are a compile-time error, as in Redshift.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlglot import exp

if TYPE_CHECKING:
    from sqlrun.engine.catalog import Query
    from sqlrun.engine.models.spec import ModelSpec

SUFFIXES = ("_probabilities", "_prob")
_KINDS = {
    "number": ("smallint", "int2", "integer", "int", "int4", "bigint", "int8", "tinyint", "real", "float4", "float",
               "float8", "double", "double precision", "decimal", "numeric"),
    "string": ("char", "character", "varchar", "character varying", "text", "string", "bpchar", "nchar", "nvarchar"),
    "boolean": ("bool", "boolean"),
    "date": ("date",),
    "timestamp": ("timestamp", "timestamptz", "timestamp without time zone", "timestamp with time zone", "datetime"),
}
_KIND_OF = {name: kind for kind, names in _KINDS.items() for name in names}
_SAME = {"int": "integer", "int4": "integer", "int2": "smallint", "int8": "bigint", "float": "double precision",
         "float8": "double precision", "double": "double precision", "float4": "real", "numeric": "decimal",
         "bool": "boolean", "character varying": "varchar", "text": "varchar", "string": "varchar",
         "character": "char", "bpchar": "char", "timestamp without time zone": "timestamp"}

_SHORT = {"integer": "int4", "bigint": "int8", "smallint": "int2", "tinyint": "int2", "double precision": "float8",
          "real": "float4", "boolean": "bool", "decimal": "numeric"}


def split(name: str) -> tuple[str | None, str]:
    """(schema, name), folded; schema None when the name has none."""
    parts = name.lower().split(".")
    return (parts[-2] if len(parts) > 1 else None), parts[-1]


@dataclass(frozen=True)
class Function:
    """A model's FUNCTION: where it lives and the CREATE MODEL file declaring it."""

    query: Query
    schema: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def declared(query: Query, spec: ModelSpec) -> Function | None:
    if not spec.function:
        return None  # a FORECAST model has no function
    schema, name = split(spec.function)
    return Function(query, schema or split(spec.name)[0] or "public", name)


@dataclass
class Call:
    node: exp.Expression  # what the call's value replaces: `schema.f(...)` as a whole, or the call
    call: exp.Anonymous
    schema: str | None  # as qualified in the call
    name: str  # the FUNCTION it calls (a probability suffix taken off)
    probabilities: bool
    candidates: list[Function] = field(default_factory=list)
    elsewhere: list[Function] = field(default_factory=list)  # the FUNCTION in other schemas only


def _qualifier(node: exp.Anonymous) -> tuple[exp.Expression, str | None]:
    parent = node.parent
    if isinstance(parent, exp.Dot) and parent.expression is node:
        schema = parent.this.expression if isinstance(parent.this, exp.Dot) else parent.this
        if isinstance(schema, exp.Identifier):
            return parent, schema.name.lower()
    return node, None


def calls(tree: exp.Expression, functions: list[Function]) -> list[Call]:
    """Every call of a model FUNCTION (or its probability function) in `tree`."""
    found = []
    for node in tree.find_all(exp.Anonymous):
        outer, schema = _qualifier(node)
        name = node.name.lower()
        candidates = _named(functions, schema, name)
        probabilities = False
        if not candidates:
            base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s)), None)
            candidates = _named(functions, schema, base) if base else []
            probabilities, name = bool(candidates), base or name
        if candidates:
            found.append(Call(outer, node, schema, name, probabilities, candidates))
        elif schema is not None and _named(functions, None, name):  # declared, in another schema
            found.append(Call(outer, node, schema, name, False, [], _named(functions, None, name)))
    return found


def _named(functions: list[Function], schema: str | None, name: str) -> list[Function]:
    return [f for f in functions if f.name == name and (schema is None or f.schema == schema)]


class Ambiguous(ValueError):
    """No single model function fits a call: the message says which and why."""


def choose(call: Call, types_of: Callable[[Function], tuple[str, ...] | None], schema: dict | None) -> Function:
    """The function a call runs. One candidate is taken as it is (its own checks say what does
    not fit); between overloads, the argument types decide."""
    if not call.candidates:
        where = ", ".join(sorted(f.qualified for f in call.elsewhere))
        raise Ambiguous(f"no model function {call.schema}.{call.name} (declared: {where})")
    if len(call.candidates) == 1:
        return call.candidates[0]
    args = [arg_type(a, schema or {}) for a in call.call.expressions]
    scored = []
    for function in call.candidates:
        score = _fit(args, types_of(function))
        if score is not None:
            scored.append((score, function))
    best = max((s for s, _ in scored), default=None)
    winners = [f for s, f in scored if s == best]
    shown = "(" + ", ".join(a or "?" for a in args) + ")"
    if len(winners) == 1:
        return winners[0]
    listed = "; ".join(f"{f.qualified}{_types(types_of(f))} in {f.query.path.name}"
                       for f in (winners or call.candidates))
    if winners:
        raise Ambiguous(f"{call.name}{shown} matches more than one model function ({listed}): cast the"
                        " arguments, or qualify the call with the model's schema")
    raise Ambiguous(f"no model function {call.name} takes {shown} (declared: {listed})")


def _types(types: tuple[str, ...] | None) -> str:
    return "(" + ", ".join(types) + ")" if types is not None else "(types known once trained)"


def _fit(args: list[str | None], params: tuple[str, ...] | None) -> int | None:
    """None: the arguments do not fit; else how many types match exactly."""
    if params is None:
        return 0  # not trained yet: any arguments (scoring then says to train it)
    if len(params) != len(args):
        return None
    exact = 0
    for arg, param in zip(args, params):
        if arg is None or kind(param) is None:
            continue
        if kind(arg) != kind(param):
            return None
        exact += canonical(arg) == canonical(param)
    return exact


def canonical(type_: str) -> str:
    base = re.sub(r"\(.*", "", type_.lower()).strip()
    return _SAME.get(base, base)


def short(type_: str) -> str:
    """Redshift's short name of a type, as SHOW MODEL lists parameter types (int4, float8, ...)."""
    return _SHORT.get(canonical(type_), canonical(type_))


def kind(type_: str) -> str | None:
    return _KIND_OF.get(re.sub(r"\(.*", "", type_.lower()).strip())


def arg_type(arg: exp.Expression, schema: dict) -> str | None:
    """An argument's SQL type where the query shows it (literal, cast, a source's column), else None."""
    while isinstance(arg, (exp.Paren, exp.Neg)):
        arg = arg.this
    found = None
    if isinstance(arg, exp.Literal):
        found = "varchar" if arg.is_string else ("integer" if arg.this.isdigit() else "decimal")
    elif isinstance(arg, exp.Boolean):
        found = "boolean"
    elif isinstance(arg, (exp.Cast, exp.TryCast)):
        found = arg.to.sql("redshift")
    elif isinstance(arg, exp.Column):
        found = _column_type(arg, schema)
    return short(found) if found else None


def _column_type(column: exp.Column, schema: dict) -> str | None:
    select = column.find_ancestor(exp.Select)
    if select is None:
        return None
    tables = {}
    for table in [select.args.get("from_"), *(select.args.get("joins") or [])]:
        table = table.this if table is not None else None
        if isinstance(table, exp.Table):
            columns = {k.lower(): v for k, v in (schema.get(table.name.lower()) or {}).items()}
            tables[table.alias_or_name.lower()] = columns
    name = column.name.lower()
    if column.table:
        found = [tables.get(column.table.lower(), {}).get(name)]
    else:
        found = [c[name] for c in tables.values() if name in c]
    # Arrow's float is 4 bytes (REAL); Redshift's FLOAT is 8.
    return {"float": "real", "double": "double precision"}.get(found[0], found[0]) if len(found) == 1 else None


def model_name(wanted: str, names: list[str]) -> str | None:
    """The stored or declared model `wanted` names (EXPLAIN_MODEL, SHOW MODEL, DROP MODEL): a
    schema-qualified name in its schema (public: also an unqualified model); a bare name in any
    schema when only one has it. None: no such model; Ambiguous: several."""
    schema, name = split(wanted.strip())
    split_names = [(n, *split(n)) for n in names]
    if schema is not None:
        found = [n for n, s, m in split_names if m == name and (s == schema or (s is None and schema == "public"))]
    else:
        found = [n for n, s, m in split_names if m == name and s is None] or [n for n, _, m in split_names if m == name]
    if len(found) > 1:
        raise Ambiguous(f"model {wanted} is in more than one schema ({', '.join(sorted(found))}): qualify it")
    return found[0] if found else None


def arg_types(spec: ModelSpec, table, model: dict) -> list[str]:
    """The FUNCTION's parameter types as SHOW MODEL lists them: declared (bring your own model) or
    the training columns' Redshift types."""
    import pyarrow as pa

    if spec.arg_types or table is None:
        return [t.lower() for t in spec.arg_types]
    arguments = [e["name"] for e in model.get("inputs") or []] or model["features"]
    return [_redshift_type(table.schema.field(name).type, pa) for name in arguments]


def _redshift_type(arrow_type, pa) -> str:
    """Redshift's short type name (SHOW MODEL lists them space-separated: `int4 float8`)."""
    if pa.types.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision},{arrow_type.scale})"
    tests = ((pa.types.is_boolean, "bool"), (pa.types.is_int8, "int2"), (pa.types.is_int16, "int2"),
             (pa.types.is_int32, "int4"), (pa.types.is_int64, "int8"), (pa.types.is_float32, "float4"),
             (pa.types.is_floating, "float8"), (pa.types.is_date, "date"),
             (pa.types.is_timestamp, "timestamp"), (pa.types.is_integer, "int8"))
    return next((name for test, name in tests if test(arrow_type)), "varchar")
