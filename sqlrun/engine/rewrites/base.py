"""What the rules share: Rule, Context, Refused and tree helpers (the table: rewrites/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from sqlrun.engine.catalog import Query
from sqlrun.engine.spark_types import rounded_decimal
from sqlrun.engine.target import Target

T = TypeVar("T")
RuleFn = Callable[[exp.Expression, "Context"], exp.Expression]
SPARK = ("spark", "databricks", "hive")
POSTGRES_LIKE = ("redshift", "postgres")


class Refused(Exception):
    """A rule met a construct it cannot translate with the same meaning."""

    def __init__(self, node: exp.Expression, reason: str):
        super().__init__(reason)
        self.node = node
        self.reason = reason


@dataclass(frozen=True)
class Context:
    query: Query
    target: Target
    schema: dict | None = None  # {table: {column: type}} where the sources' types are known

    @property
    def source(self) -> str:
        return self.query.dialect

    @property
    def engine(self) -> str:
        return self.target.name

    @property
    def dialect(self) -> str:
        """The target engine's sqlglot dialect."""
        return self.target.dialect

    def per_engine(self, node: exp.Expression, **arms: T) -> T:
        """The arm written for the target engine (a tree, or a function a rule then calls).
        An engine no arm names is refused: a rule never hands it the spelling of another."""
        if self.engine not in arms:
            raise Refused(node, f"not translated for {self.engine} (written for {', '.join(arms)})")
        return arms[self.engine]


@dataclass(frozen=True)
class Rule:
    name: str
    fn: RuleFn
    sources: tuple[str, ...] = ()  # empty: any source dialect
    engines: tuple[str, ...] = ()  # empty: any target engine
    same_dialect: bool = False  # also run when source == target (a generator's own slip)
    kinds: tuple[type, ...] = ()  # the node types it acts on; empty: it always runs

    def reads(self, ctx: Context) -> bool:
        """Whether the rule is about this source dialect (and the target is another dialect)."""
        same = ctx.source == ctx.dialect and not self.same_dialect
        return not same and (not self.sources or ctx.source in self.sources)

    def applies(self, ctx: Context) -> bool:
        return self.reads(ctx) and (not self.engines or ctx.engine in self.engines)


def replace_all(tree: exp.Expression, kinds, build) -> exp.Expression:
    """Replace every node of `kinds` by build(node); nodes are listed first, so no loops.

    Innermost first: a node's build sees its arguments already replaced (`a % (b % c)`)."""
    for node in reversed(list(tree.find_all(kinds))):
        new = build(node)
        if new is not node:
            if node is tree:
                return new
            node.replace(new)
    return tree


def spelled(text: str, dialect: str = "spark", **args: exp.Expression) -> exp.Expression:
    """`text` parsed, each {name} a copy of args[name] (in parentheses unless a single term)."""
    tree = exp.maybe_parse(text.format(**{k: f"__{k}" for k in args}), dialect=dialect)
    for column in list(tree.find_all(exp.Column)):
        if column.name.startswith("__") and column.name[2:] in args:
            arg = args[column.name[2:]].copy()
            single = isinstance(arg, exp.Column | exp.Literal | exp.Cast | exp.Func)
            column.replace(arg if single else exp.Paren(this=arg))
    return tree


def is_null(node: exp.Expression) -> exp.Expression:
    """`node IS NULL`, on a copy of node."""
    return exp.Is(this=node.copy(), expression=exp.Null())


def annotate(tree: exp.Expression, ctx: Context) -> exp.Expression:
    """Give the tree's nodes sqlglot types, using the sources' column types when known.

    Columns need qualifying before sqlglot can type them; that is done on a copy (the SQL sent
    keeps the user's shape) and the types are carried back node by node.
    """
    if ctx.schema is None:  # (an empty schema still types columns of derived tables)
        return _fixed_types(annotate_types(tree, dialect=ctx.source), ctx.source)
    copy = tree.copy()
    pairs = list(zip(tree.walk(), copy.walk()))
    try:
        qualify(
            copy, schema=ctx.schema, dialect=ctx.source, validate_qualify_columns=False,
            quote_identifiers=False, identify=False, expand_stars=False,
        )
        annotate_types(copy, schema=ctx.schema, dialect=ctx.source)
    except RecursionError:
        raise  # too deep for this thread: compile_tree retries in the deep-stack one
    except Exception:  # sqlglot could not qualify it: fall back to what is known without a schema
        return _fixed_types(annotate_types(tree, dialect=ctx.source), ctx.source)
    for original, typed in pairs:
        if typed.type is not None:
            original.type = typed.type
    return _fixed_types(tree, ctx.source)


_TEXTS = (exp.SplitPart, exp.SubstringIndex, exp.Elt)  # text, untyped by sqlglot


def _fixed_types(tree: exp.Expression, source: str) -> exp.Expression:
    """Where sqlglot's types are missing or wrong, innermost first (the nodes above keep theirs):
    SPLIT_PART, SUBSTRING_INDEX and ELT are text; DATE_TRUNC of a timestamp keeps its type, of a
    DATE is a TIMESTAMP (Spark's and DuckDB's date_trunc); ROUND of a DECIMAL(p, s) to d places is
    a DECIMAL (sqlglot: DOUBLE): Spark's DECIMAL(p - s + 1 + min(s, d), min(s, d)), DuckDB's
    DECIMAL(p, min(s, d))."""
    for node in reversed(list(tree.find_all(exp.TimestampTrunc, exp.DateTrunc, exp.Round, *_TEXTS))):
        kind = node.this.type
        if isinstance(node, _TEXTS):
            if node.type is None or node.type.is_type(exp.DType.UNKNOWN):
                node.type = exp.DataType.build("varchar")
        elif kind is None:
            continue
        elif isinstance(node, exp.Round):
            places = node.args.get("decimals")
            d = 0 if places is None else places.to_py() if places.is_int else None
            if kind.is_type(exp.DType.DECIMAL) and len(kind.expressions) == 2 and d is not None and d >= 0:
                p, s = (int(e.this.name) for e in kind.expressions)
                spark = source in SPARK
                node.type = rounded_decimal(p, s, d) if spark else exp.DataType.build(f"DECIMAL({p}, {min(s, d)})")
        elif node.type is None or node.type.is_type(exp.DType.UNKNOWN):
            if kind.is_type(exp.DType.DATE):
                node.type = exp.DataType.build("timestamp")
            elif kind.is_type(*exp.DataType.TEMPORAL_TYPES):
                node.type = kind.copy()
    return tree


def typed_nodes(
    tree: exp.Expression, ctx: Context, kinds, keep=None, operands=("this",)
) -> list[exp.Expression]:
    """The nodes of `kinds` (those `keep` accepts), their `operands` typed.

    The tree is typed only when some operand is not a CAST, whose type is its target."""
    nodes = [n for n in tree.find_all(kinds) if keep is None or keep(n)]
    args = [n.args.get(a) for n in nodes for a in operands]
    if all(isinstance(a, exp.Cast) for a in args):
        for cast in args:
            cast.type = cast.to
    else:
        annotate(tree, ctx)
    return nodes
