"""Column types shared by the models."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Integer

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for long logs.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)
