"""Redshift numbers other engines type differently: DECIMAL quotients and means, SIGN on Spark.

DECIMAL division: its quotient is cut to a scale other engines do not keep.
"Computations with numeric values" (docs.aws.amazon.com/redshift/latest/dg/r_numeric_computations201):
a DECIMAL quotient has scale max(4, s1 + p2 - s2 + 1), cut to 38 digits as max(38 + scale -
precision, 4); SUM(DECIMAL(10, 2)) / COUNT(*) is DECIMAL(38, 4). How the digits past that scale
are dropped is not documented, so a division is kept only where no digit is dropped whatever the
rounding: a divisor that is a number literal n / 10^k with n = 2^a * 5^b ends after s1 + max(a, b)
decimals (amt / 4, amt / 100, x / 2.5). Any other DECIMAL quotient is refused. Likewise AVG of a
DECIMAL: "The scale of the result is the same as the scale of the argument" (r_AVG) cuts the mean.

SIGN "returns the same numeric data type as the input argument(s). If the input is DECIMAL, the
output is DECIMAL(1,0)" (r_SIGN); Spark's is a DOUBLE, cast back (-1, 0, 1 are exact in any type).
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from sqlrun.engine import redshift_types
from sqlrun.engine.rewrites.base import Context, Refused

T = exp.DType


def _typed(tree: exp.Expression, ctx: Context) -> dict[int, exp.Expression]:
    """Each node of a typed copy (Redshift's rules) by the id of its original; {} if not typeable."""
    copy = tree.copy()
    pairs = {id(typed): original for original, typed in zip(tree.walk(), copy.walk())}
    try:
        qualify(copy, schema=ctx.schema, dialect="redshift", validate_qualify_columns=False,
                quote_identifiers=False, identify=False, expand_stars=False)
        annotate_types(copy, schema=ctx.schema, expression_metadata=redshift_types.metadata(), dialect="redshift")
    except RecursionError:
        raise
    except Exception:
        return {}
    return {id(pairs[id(n)]): n for n in copy.walk() if id(n) in pairs}


def _scale(node: exp.Expression) -> int | None:
    """Decimals of an exact operand: an integer's 0, a DECIMAL's scale, a plain number literal's digits."""
    if isinstance(node, exp.Literal) and node.is_number and "e" not in node.name.lower():
        return len(node.name.partition(".")[2])
    kind = node.type.this if node.type else T.UNKNOWN
    if kind in redshift_types.INTS:
        return 0
    if kind == T.DECIMAL and node.type.expressions:
        params = node.type.expressions
        return int(params[1].name) if len(params) > 1 else 0
    return None


def _ends_after(divisor: exp.Expression) -> int | None:
    """max(a, b) for a literal divisor n / 10^k with n = 2^a * 5^b (x / it needs max(a, b) more decimals)."""
    if not (isinstance(divisor, exp.Literal) and divisor.is_number) or "e" in divisor.name.lower():
        return None
    n = int(divisor.name.replace(".", "").lstrip("-") or "0")
    if n == 0:
        return None
    counts = []
    for prime in (2, 5):
        count = 0
        while n % prime == 0:
            n, count = n // prime, count + 1
        counts.append(count)
    return max(counts) if n == 1 else None


def redshift_decimal_cuts(tree, ctx):
    typed = None
    for node in list(tree.find_all(exp.Div, exp.Avg)):
        typed = _typed(tree, ctx) if typed is None else typed
        twin = typed.get(id(node))
        if isinstance(node, exp.Avg):
            if twin and twin.this.type and twin.this.type.this == T.DECIMAL:
                raise Refused(node, "Redshift AVG of a DECIMAL keeps the argument's scale, rounding the mean in a"
                              " way not documented: write AVG(x::float) for the full mean")
            continue
        kinds = [n.type.this if n.type else T.UNKNOWN for n in (twin.this, twin.expression)] if twin else []
        if T.DECIMAL not in kinds or any(k in redshift_types.FLOATS for k in kinds):
            continue  # a float, integer or unknown division: other rules decide
        scale, extra = _scale(twin.this), _ends_after(node.expression)
        params = twin.type.expressions if twin.type and twin.type.this == T.DECIMAL else []
        result = params[1].name if len(params) > 1 else None
        least = max(4, (scale or 0) + 1)  # Redshift's scale is at least this, whatever the operands' sizes
        if scale is not None and extra is not None and scale + extra <= (int(result) if result else least):
            continue  # the quotient ends within Redshift's scale: no digit to cut
        raise Refused(node, f"Redshift divides DECIMALs to scale {result or f'{least} or more'} (the digits"
                      " after it cut by a rounding its documentation does not give): CAST an operand to FLOAT"
                      " for a DOUBLE quotient")
    return tree


def redshift_sign_on_spark(tree, ctx):
    typed = _typed(tree, ctx)
    for node in list(tree.find_all(exp.Sign)):
        twin = typed.get(id(node))
        kind = twin.this.type.this if twin and twin.this.type else T.UNKNOWN
        if kind in redshift_types.INTS or kind == T.DECIMAL:
            node.replace(exp.cast(node.copy(), twin.type.copy()))
    return tree
