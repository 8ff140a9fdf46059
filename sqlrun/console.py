"""The CLI's two consoles (stdout, stderr) and its progress spinner."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A rich Console made on first use: importing rich is ~25 ms that `compile` never needs."""

    def __init__(self, **options):
        self._options = options
        self._console = None

    def __getattr__(self, name: str):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


out = _LazyConsole()
err = _LazyConsole(stderr=True)


@contextmanager
def progress(message: str, delay: float = 1.0, console: Console | None = None):
    """A spinner on stderr for work over `delay` seconds. Only on a terminal: a spinner
    vanishes when done, while a line in a log or pipe would stay beside the result or error."""
    console = console or err
    if not console.is_terminal:
        yield
        return
    status = console.status(message)
    started = threading.Event()

    def begin() -> None:
        started.set()
        status.start()

    timer = threading.Timer(delay, begin)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        if started.is_set():
            status.stop()
