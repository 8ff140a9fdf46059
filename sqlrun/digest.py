"""The one digest behind stored fingerprints (pipeline steps, sources, models)."""

from __future__ import annotations

import hashlib
import json


def digest(data) -> str:
    """sha256 hex of `data` as canonical JSON (sorted keys, str() for other values).
    Stored fingerprints are made of it: a change here makes every stored result stale."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
