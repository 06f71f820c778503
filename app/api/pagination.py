"""Keyset pagination: an opaque cursor naming the last item seen."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask_smorest import abort


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str | None, arity: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError):
        key = None
    if not isinstance(key, list) or len(key) != arity:
        abort(422, errors={"cursor": ["not a cursor this list gave out"]})
    return key
