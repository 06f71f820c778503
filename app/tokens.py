"""Bearer tokens: random, shown once, stored as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import ApiToken, Region, Site, TokenSite
from app.db.models.auth import ROLES
from app.db.models.types import utcnow

TOKEN_PREFIX = "swk_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, name: str, role: str, region_code: str | None = None,
                site_ids: list[str] = (), expires_at: datetime | None = None) -> str:
    """Create a token and return it; only its hash is stored, so this is the one chance to see it."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if region_code is not None and session.get(Region, region_code) is None:
        raise ValueError(f"unknown region {region_code}")
    if region_code is None and role != "admin":
        raise ValueError("only an admin token may be nationwide (without a region)")
    for site_id in site_ids:
        if session.get(Site, site_id) is None:
            raise ValueError(f"unknown site {site_id}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(name=name, token_hash=hash_token(token), role=role, region_code=region_code,
                      expires_at=expires_at)
    session.add(record)
    session.flush()
    session.add_all(TokenSite(token_id=record.id, site_id=site_id) for site_id in site_ids)
    return token


def find_token(session: Session, token: str) -> ApiToken | None:
    """The live token record for `token`, or None if unknown, revoked or expired."""
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if record is None or record.revoked_at is not None:
        return None
    if record.expires_at is not None and _aware(record.expires_at) <= utcnow():
        return None
    return record


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
