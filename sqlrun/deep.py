"""Deeply nested SQL: sqlglot parses, types and generates recursively (~20 Python frames per
level of parentheses), so Python's default limit stops it near 50 levels. Deep statements are
worked on in a thread with a large stack and a high recursion limit (shallow ones, nearly all,
stay in the caller's thread); nesting deeper than MAX_DEPTH is one error line."""

from __future__ import annotations

import contextvars
import functools
import re
import sys
import threading
from collections.abc import Callable
from typing import TypeVar

MAX_DEPTH = 1000  # levels of parentheses / CASE ... END a statement may nest
_STACK = 1024 * 2**20  # virtual: pages are only touched as deep as the recursion goes
_LIMIT = 200_000
_NAME = "sqlrun-deep"
_NESTS = re.compile(r"[()]|\b(?:CASE|END)\b", re.IGNORECASE)

T = TypeVar("T")


@functools.lru_cache(maxsize=256)  # asked of one text by the parse and again by each compile
def nesting(sql: str) -> int:
    """The deepest nesting of parentheses and CASE ... END in a SQL text (strings and comments
    included: an over-estimate is fine for a limit)."""
    depth = deepest = 0
    for match in _NESTS.finditer(sql):
        depth += 1 if match.group() == "(" or match.group().upper() == "CASE" else -1
        deepest = max(deepest, depth)
    return deepest


def deep(fn: Callable[..., T]) -> Callable[..., T]:
    """`fn` as is, and again in the deep-stack thread if it hits Python's recursion limit (a thread
    costs milliseconds, so shallow statements, nearly all of them, never pay it). Only for functions
    that do not change their arguments: the first attempt may stop anywhere."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            if threading.current_thread().name == _NAME:
                raise
        return run_deep(fn, *args, **kwargs)

    return wrapper


def run_deep(fn: Callable[..., T], *args, **kwargs) -> T:
    """fn(*args, **kwargs) in a thread with a large stack and a high recursion limit."""
    if threading.current_thread().name == _NAME:
        return fn(*args, **kwargs)
    outcome: dict = {}
    context = contextvars.copy_context()  # the caller's context variables, in the thread

    def target() -> None:
        # The limit is per interpreter: raised only while this thread works (the caller waits).
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _LIMIT))
        try:
            outcome["value"] = context.run(fn, *args, **kwargs)
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc
        finally:
            sys.setrecursionlimit(limit)

    previous = threading.stack_size(_STACK)
    try:
        worker = threading.Thread(target=target, name=_NAME, daemon=True)
        worker.start()
    finally:
        threading.stack_size(previous)
    while worker.is_alive():  # join in slices: Ctrl-C still reaches the main thread
        worker.join(0.05)
    if "error" in outcome:
        raise outcome["error"].with_traceback(None)
    return outcome["value"]


def tree_depth(tree) -> int:
    """Levels of a syntax tree as a recursive-descent SQL parser meets them: a left-deep chain
    of one binary operator (a + b + c) is flat, as parsers read it in a loop."""
    from sqlglot import exp

    best = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        best = max(best, depth)
        for child in node.iter_expressions():
            flat = isinstance(node, exp.Binary) and type(child) is type(node) and child is node.this
            stack.append((child, depth if flat else depth + 1))
    return best
