"""The alerts an office works through, a page at a time: newest month first, then by id, the keyset both the
API's cursor and the pages' "more" link name; narrowed by kind, status, month and region. With the names a
person reads beside them: the village, the worker or site, and who acknowledged or resolved each."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import String, literal, select, union_all
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
    """The names the alerts refer to, all in one statement (a page's round trips cost more than its rows)."""
    alerts = list(alerts)
    subjects = {kind: {a.subject_id for a in alerts if a.subject_type == kind} for kind in ("worker", "site")}
    actors = {actor for a in alerts for actor in (a.acknowledged_by, a.resolved_by) if actor}
    asked = {"regions": (Region.code, Region.name, {a.region_code for a in alerts}),
             "workers": (Worker.id, Worker.name, subjects["worker"]),
             "sites": (Site.id, Site.name, subjects["site"]),
             "tokens": (ApiToken.id, ApiToken.name, actors), "accounts": (Account.id, Account.name, actors)}
    parts = [select(literal(what, String).label("what"), key.label("key"), name.label("name")).where(key.in_(ids))
             for what, (key, name, ids) in asked.items() if ids]
    found: dict[str, dict[str, str]] = {"regions": {}, "workers": {}, "sites": {}, "actors": {}}
    for what, key, name in session.execute(union_all(*parts)) if parts else ():
        found["actors" if what in ("tokens", "accounts") else what][key] = name
    return AlertNames(found["regions"], found["workers"], found["sites"], found["actors"])


def actor_names(session: Session, ids: set[str]) -> dict[str, str]:
    """The names of those who moved alerts, in one statement: an account's on a page, a token's through the API."""
    if not ids:
        return {}
    tokens = select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(ids))
    accounts = select(Account.id, Account.name).where(Account.id.in_(ids))
    return dict(session.execute(union_all(tokens, accounts)).all())


def villages(session: Session, within: str | None, most: int) -> list | None:
    """The villages inside `within` by code (each its code and name), or None when there are more than `most`
    (a province's, say)."""
    query = select(Region.code, Region.name).where(Region.level == "village").order_by(Region.code).limit(most + 1)
    if within is not None:
        query = query.where(Region.path.startswith(within))
    found = session.execute(query).all()
    return None if len(found) > most else found
