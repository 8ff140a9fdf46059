"""Semantic rewrites: where source and target differ in meaning, not just spelling.

Each rule is a small function over the syntax tree in one of the modules below, registered
with the source dialects and target engines it applies to; `apply` runs them in import order.
A rule that cannot translate a construct faithfully raises `Refused` (a CompileError later).
"""

from sqlrun.engine.rewrites import date_arith  # noqa: F401, I001  (registers; before dates' type casts)
from sqlrun.engine.rewrites import aggregates, dates, identifiers, numbers, strings  # noqa: F401  (registers)
from sqlrun.engine.rewrites import output_names  # noqa: F401  (registers)
from sqlrun.engine.rewrites import date_names  # noqa: F401  (registers)
from sqlrun.engine.rewrites import arrays, queries  # noqa: F401  (registers)
from sqlrun.engine.rewrites.base import RULES, Context, Refused, Rule, apply, rule

__all__ = ["RULES", "Context", "Refused", "Rule", "apply", "rule"]
