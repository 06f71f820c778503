"""Bearer tokens: random, shown once, stored as a SHA-256 hash; they expire and can be revoked.

A token is looked up on every request, so an expiry or a revocation takes effect on the next one."""
from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, select
from sqlalchemy.orm import Session

from app.db import Reader
from app.db.models import ApiToken, Region, Site, TokenSite
from app.db.models.auth import ROLES
from app.db.models.types import utcnow

TOKEN_PREFIX = "swk_"
MAX_DAYS = 3650


def bearer_in(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header's value; None for any other or none."""
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry_in(days: int | None) -> datetime | None:
    """The moment a token made now stops working, `days` from now (None: never)."""
    if days is None:
        return None
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a token expires in 1 to {MAX_DAYS} days")
    return utcnow() + timedelta(days=days)


def create_token(session: Session, *, name: str, role: str, region_code: str | None = None,
                 site_ids: list[str] = (), expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token: its record, and the token itself, which is never stored (only its hash).

    Raises ValueError for an unknown role, region or site, a nationwide token that is not an admin's,
    or a site outside the token's region."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    region = session.get(Region, region_code) if region_code is not None else None
    if region_code is not None and region is None:
        raise ValueError(f"unknown region {region_code}")
    if region_code is None and role != "admin":
        raise ValueError("only an admin token may be nationwide (without a region)")
    for site_id in site_ids:
        site = session.get(Site, site_id)
        if site is None:
            raise ValueError(f"unknown site {site_id}")
        if region is not None and not session.get(Region, site.region_code).path.startswith(region.path):
            raise ValueError(f"site {site_id} lies outside region {region_code}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(name=name, token_hash=hash_token(token), role=role, region_code=region_code,
                      expires_at=expires_at)
    session.add(record)
    session.flush()
    session.add_all(TokenSite(token_id=record.id, site_id=site_id) for site_id in dict.fromkeys(site_ids))
    session.flush()
    return record, token


def issue_token(session: Session, *, name: str, role: str, region_code: str | None = None,
                site_ids: list[str] = (), expires_at: datetime | None = None) -> str:
    """Create a token and return it; only its hash is stored, so this is the one chance to see it."""
    return create_token(session, name=name, role=role, region_code=region_code, site_ids=site_ids,
                        expires_at=expires_at)[1]


def scoped_within(holder, region_path: str | None) -> Select:
    """The holders (`ApiToken` or `Account`) of a region and the regions inside it, oldest first; None: all."""
    query = select(holder).order_by(holder.created_at, holder.id)
    if region_path is not None:
        query = query.join(Region, Region.code == holder.region_code).where(
            Region.path.startswith(region_path, autoescape=True))
    return query


def tokens_within(region_path: str | None) -> Select[tuple[ApiToken]]:
    return scoped_within(ApiToken, region_path)


def supervised_sites(session: Session, holder_column, site_column, holder_ids: list[str]) -> dict[str, list[str]]:
    """The supervised sites of each holder, by holder id, from a link table's two columns."""
    sites = defaultdict(list)
    rows = session.execute(select(holder_column, site_column).where(holder_column.in_(holder_ids))
                           .order_by(site_column))
    for holder_id, site_id in rows:
        sites[holder_id].append(site_id)
    return {holder_id: sites[holder_id] for holder_id in holder_ids}


def sites_of(session: Session, tokens: list[ApiToken]) -> dict[str, list[str]]:
    """The supervised sites of each token, by token id."""
    return supervised_sites(session, TokenSite.token_id, TokenSite.site_id, [token.id for token in tokens])


def revoke_token(session: Session, token_id: str) -> ApiToken | None:
    """Revoke a token from now on (revoking it again keeps the first time); None if there is no such token."""
    record = session.get(ApiToken, token_id)
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
        session.flush()
    return record


def find_token(session: Session, token: str) -> ApiToken | None:
    """The live token record for `token`, or None if unknown, revoked or expired."""
    record = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if record is None or not _live(record.revoked_at, record.expires_at):
        return None
    return record


@dataclass(frozen=True)
class Bearer:
    """What a request needs of its live token: who, in which region, supervising which sites."""

    token_id: str
    role: str
    region_path: str | None  # None: nationwide
    site_ids: frozenset[str]

    def covers(self, region_path: str | None) -> bool:
        """Whether `region_path` lies inside the caller's region (None, nationwide: only for nationwide callers)."""
        if self.region_path is None:
            return True
        return region_path is not None and region_path.startswith(self.region_path)


# The token, its region's path and its sites (one row per site, or one without), in one round trip.
# Read on every request and never cached, so a revocation or an expiry counts from the next request.
# Table columns, not mapped attributes: a Core statement costs a request less CPU than an ORM one.
_tokens, _regions, _token_sites = ApiToken.__table__, Region.__table__, TokenSite.__table__
BEARER = (
    select(_tokens.c.id, _tokens.c.role, _tokens.c.revoked_at, _tokens.c.expires_at, _regions.c.path,
           _token_sites.c.site_id)
    .outerjoin(_regions, _regions.c.code == _tokens.c.region_code)
    .outerjoin(_token_sites, _token_sites.c.token_id == _tokens.c.id)
    .where(_tokens.c.token_hash == bindparam("token_hash"))
)


def bearer_alongside(*columns: ColumnElement) -> Select:
    """`BEARER` reading `columns` too, in the same round trip (each of its rows carries them), for what a
    hot request needs besides its caller. A column may refer to the row's `TokenSite` (its site)."""
    return BEARER.add_columns(*columns)


def find_bearer(reader: Reader, token: str, statement: Select = BEARER, params: Mapping[str, Any] | None = None
                ) -> tuple[Bearer | None, Sequence[Row]]:
    """The live token behind `token` with its region path and sites, or None if unknown, revoked or expired;
    with the rows of `statement` (`BEARER`, or a `bearer_alongside` one with its `params`) for their columns."""
    rows = reader.execute(statement, {**(params or {}), "token_hash": hash_token(token)}).all()
    if not rows or not _live(rows[0].revoked_at, rows[0].expires_at):
        return None, ()
    first = rows[0]
    return Bearer(first.id, first.role, first.path, frozenset(row.site_id for row in rows if row.site_id)), rows


def _live(revoked_at: datetime | None, expires_at: datetime | None) -> bool:
    return revoked_at is None and (expires_at is None or _aware(expires_at) > utcnow())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
