"""Identifiers: Redshift folds unquoted names to lower case."""

from __future__ import annotations

from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

# --- identifiers ---


def redshift_identifiers(tree, ctx):
    # Redshift folds unquoted names to lower case; Polars matches names case-sensitively.
    return normalize_identifiers(tree, dialect=ctx.source)
