"""Keyset pagination: an opaque cursor naming the last item seen."""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_smorest import abort
from sqlalchemy import Select
from sqlalchemy.orm import Session

_MAX_ROW_ID = 2**63 - 1  # a BIGINT: anything larger cannot name a row, and the driver would overflow


def encode_cursor(*key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str | None, *parts: Callable[[Any], Any]) -> list[Any] | None:
    """The key a cursor names, each part converted by its parser; 422 for anything we did not give out."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError):
        key = None
    if isinstance(key, list) and len(key) == len(parts):
        try:
            return [parse(value) for parse, value in zip(parts, key)]
        except (TypeError, ValueError):
            pass
    abort(422, errors={"cursor": ["not a cursor this list gave out"]})


def page_by_id(session: Session, query: Select, id_column: Any, args: dict,
               parse_id: Callable[[Any], Any]) -> dict:
    """A page of `query`'s rows in id order after the cursor's id, `args` holding `limit` and `cursor`;
    `parse_id` checks the cursor's id (`row_id`, `text_id`)."""
    query = query.order_by(id_column).limit(args["limit"] + 1)
    after = decode_cursor(args["cursor"], parse_id)
    if after is not None:
        query = query.where(id_column > after[0])
    rows = session.scalars(query).all()
    more = len(rows) > args["limit"]
    rows = rows[: args["limit"]]
    return {"items": rows, "next_cursor": encode_cursor(rows[-1].id) if more else None}


def row_id(value: Any) -> int:
    """A cursor part that is a row id: a JSON integer within BIGINT range."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_ROW_ID:
        raise ValueError(f"not a row id: {value!r}")
    return value


def instant(value: Any) -> datetime:
    """A cursor part that is a stored instant, as encode_cursor wrote it."""
    if not isinstance(value, str):
        raise TypeError(f"not an instant: {value!r}")
    return datetime.fromisoformat(value)


def text_id(value: Any) -> str:
    """A cursor part that is a text id (1 to 64 characters)."""
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise ValueError(f"not an id: {value!r}")
    return value


def iso_date(value: Any) -> date:
    """A cursor part that is a date, as encode_cursor wrote it (YYYY-MM-DD)."""
    if not isinstance(value, str):
        raise TypeError(f"not a date: {value!r}")
    return date.fromisoformat(value)
