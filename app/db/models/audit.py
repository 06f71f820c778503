"""The audit log: one row per write to a row, appended in the write's own transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.declarative import Base
from app.db.models.types import BigId, utcnow

AUDIT_ACTIONS = ("insert", "update", "delete")


class AuditEntry(Base):
    """Who (token and role, or "system"), when, what (method, endpoint, table and key) and the row's
    values before and after, personal data masked and secrets left out. Append-only: nothing updates
    or deletes it, and database triggers refuse to (migration 0004)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_token_id: Mapped[str | None] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str | None] = mapped_column(String(8))
    endpoint: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(8))
    table_name: Mapped[str] = mapped_column(String(64))
    row_key: Mapped[str] = mapped_column(String(300))
    # The target's region ("/36/3607/360702/..."), for the offices that may read the entry; None: nationwide.
    region_path: Mapped[str | None] = mapped_column(String(600), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
