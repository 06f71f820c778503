"""Bearer tokens: a role, a region, and for supervisors the sites they supervise."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.declarative import Base
from app.db.models.types import new_id, utcnow

ROLES = ("supervisor", "post_manager", "poverty_office", "admin")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # Only a SHA-256 of the token is kept: a leaked database does not leak credentials.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TokenSite(Base):
    __tablename__ = "token_sites"

    token_id: Mapped[str] = mapped_column(ForeignKey("api_tokens.id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)


class Account(Base):
    """A person who signs in to the pages: the same role, region and sites as a token, and a password."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    login: Mapped[str] = mapped_column(String(64), unique=True)  # a user name or a phone number
    name: Mapped[str] = mapped_column(String(200))
    # An Argon2id hash (app.access.accounts); never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped by a password reset: every session signed in before it stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AccountSite(Base):
    __tablename__ = "account_sites"

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
