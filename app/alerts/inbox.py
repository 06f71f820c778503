"""The alerts an office works through, a page at a time: newest month first, then by id, the keyset both the
API's cursor and the pages' "more" link name; narrowed by kind, status, month and region. With the names a
person reads beside them: the village, the worker or site, and who acknowledged or resolved each."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from app.db.models import Account, Alert, ApiToken, Region, Site, Worker

AlertKey = tuple[str, str]  # (month, id) of the last alert of a page


@dataclass(frozen=True)
class AlertFilter:
    within: str | None = None  # the caller's region path; None: nationwide
    region_path: str | None = None  # a region inside it to narrow to
    kind: str | None = None
    status: str | None = None
    month: str | None = None


def alert_page(session: Session, chosen: AlertFilter, limit: int, after: AlertKey | None = None
               ) -> tuple[list[Alert], AlertKey | None]:
    """Up to `limit` alerts after the key `after`, and the key of the last one when more follow."""
    query = select(Alert).order_by(Alert.month.desc(), Alert.id).limit(limit + 1)
    for path in (chosen.within, chosen.region_path):
        if path is not None:
            query = query.where(Alert.region_path.startswith(path))
    for name in ("kind", "status", "month"):
        if getattr(chosen, name) is not None:
            query = query.where(getattr(Alert, name) == getattr(chosen, name))
    if after is not None:
        month, last_id = after
        query = query.where((Alert.month < month) | ((Alert.month == month) & (Alert.id > last_id)))
    alerts = list(session.scalars(query))
    more = len(alerts) > limit
    alerts = alerts[:limit]
    return alerts, (alerts[-1].month, alerts[-1].id) if more else None


@dataclass(frozen=True)
class AlertNames:
    regions: dict[str, str]  # region code -> name
    workers: dict[str, str]  # worker id -> name
    sites: dict[str, str]  # site id -> name
    actors: dict[str, str]  # account or token id -> its name


def alert_names(session: Session, alerts: Iterable[Alert]) -> AlertNames:
    """The names the alerts refer to, a statement for each kind of name."""
    alerts = list(alerts)
    subjects = {kind: {a.subject_id for a in alerts if a.subject_type == kind} for kind in ("worker", "site")}
    return AlertNames(
        _names(session, Region.code, Region.name, {a.region_code for a in alerts}),
        _names(session, Worker.id, Worker.name, subjects["worker"]),
        _names(session, Site.id, Site.name, subjects["site"]),
        actor_names(session, {actor for a in alerts for actor in (a.acknowledged_by, a.resolved_by) if actor}))


def actor_names(session: Session, ids: set[str]) -> dict[str, str]:
    """The names of those who moved alerts, in one statement: an account's on a page, a token's through the API."""
    if not ids:
        return {}
    tokens = select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(ids))
    accounts = select(Account.id, Account.name).where(Account.id.in_(ids))
    return dict(session.execute(union_all(tokens, accounts)).all())


def _names(session: Session, key, name, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(key, name).where(key.in_(ids))).all())


def villages(session: Session, within: str | None, most: int) -> list[Region] | None:
    """The villages inside `within` by code, or None when there are more than `most` (a province's, say)."""
    query = select(Region).where(Region.level == "village").order_by(Region.code).limit(most + 1)
    if within is not None:
        query = query.where(Region.path.startswith(within))
    found = list(session.scalars(query))
    return None if len(found) > most else found
