"""Frozen result values as JSON: plain where JSON has the type, tagged where it has not."""

from __future__ import annotations

import base64
import datetime as dt
import math
from decimal import Decimal


def encode(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"float": str(value)}
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:  # as parity compares them: naive UTC
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return {"timestamp": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"duration_us": value // dt.timedelta(microseconds=1)}
    if isinstance(value, bytes):
        return {"bytes": base64.b64encode(value).decode()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"struct": {k: encode(v) for k, v in value.items()}}
    raise TypeError(f"cannot freeze a {type(value).__name__}: {value!r}")


_TAGS = {
    "float": float,
    "decimal": Decimal,
    "timestamp": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "duration_us": lambda us: dt.timedelta(microseconds=us),
    "bytes": base64.b64decode,
}


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        (tag, inner), = value.items()
        if tag == "struct":
            return {k: decode(v) for k, v in inner.items()}
        return _TAGS[tag](inner)
    return value
