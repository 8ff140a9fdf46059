"""The CLI's two consoles (stdout, stderr), its progress spinner, and text that is safe to print.

Everything printed is plain text: data, names and messages are never read as Rich markup
(`[/]`, `[bold]`), emoji codes (`:smile:`) or highlighted, and control characters (an ESC in
the data would drive the terminal) are shown as visible escapes such as `\\x1b`.
"""

from __future__ import annotations

import re
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# C0 controls but tab (rich expands it), DEL, C1 controls, line/paragraph separators, the bidi
# overrides that reorder a line, and lone surrogates (a non-UTF-8 file name decoded by
# os.fsdecode), which cannot be encoded.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(value: object) -> str:
    """str(value) with control characters replaced by visible escapes."""
    return _CONTROL.sub(_escape, str(value))


def text(value: object, style: str = "") -> Text:
    """A rich Text cell: the value as it is (no markup, no emoji), control characters escaped."""
    from rich.text import Text

    return Text(printable(value), style=style)


def _escape_unencodable(stream) -> None:
    """On a stream whose encoding lacks a character (PYTHONIOENCODING=ascii, a Latin-1 locale),
    print it as a \\x / \\u escape rather than fail with UnicodeEncodeError."""
    if stream is not None and hasattr(stream, "reconfigure") and getattr(stream, "errors", "") == "strict":
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf8sig"):
            stream.reconfigure(errors="backslashreplace")


class _LazyConsole:
    """A rich Console made on first use: importing rich is ~25 ms that `compile` never needs.

    Strings are printed as text: no markup, emoji or highlighting, controls escaped, never
    hard-wrapped (a long message stays one line in a log)."""

    def __init__(self, **options):
        self._options = {"markup": False, "emoji": False, "highlight": False, **options}
        self._console = None

    def _get(self) -> Console:
        if self._console is None:
            from rich.console import Console

            _escape_unencodable(sys.stderr if self._options.get("stderr") else sys.stdout)
            self._console = Console(**self._options)
        return self._console

    def print(self, *objects, **options) -> None:
        if objects and all(isinstance(o, str) for o in objects):
            objects = tuple(printable(o) for o in objects)
            options.setdefault("soft_wrap", True)
        options.update(markup=False, emoji=False)
        self._get().print(*objects, **options)

    def __getattr__(self, name: str):
        return getattr(self._get(), name)


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
    status = console.status(text(message))
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
