"""The welfare-post manager's desk: its blueprint, its words, and what its views share.

A post manager (or an admin) closes, approves, returns and pays their region's site months here, with the
same services (app/pay/) and the same access table as the API. Supervisors close their own sites' months
elsewhere (the API, their own pages): the desk is the manager's, so its POLICY rows name managers only.
"""
from __future__ import annotations

from datetime import date

from flask import abort
from flask_babel import LazyString, lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.access import Principal, require_site
from app.api.context import runtime
from app.api.schemas.base import MONTH
from app.db.models import Account, ApiToken, Site
from app.pay.periods import Actor
from app.web.pages import page_blueprint

blp = page_blueprint("desk", __name__, url_prefix="/desk")

STATUSES = {  # a site month's status, as the manager says it
    "open": lazy_gettext("Not closed"),
    "closed": lazy_gettext("Closed"),
    "approved": lazy_gettext("Approved"),
    "paid": lazy_gettext("Paid"),
}
SCHEMES = {
    "piece": lazy_gettext("Piece rate"),
    "hourly": lazy_gettext("Hourly"),
    "daily": lazy_gettext("Daily"),
    "monthly": lazy_gettext("Monthly stipend"),
}
LINE_STATUSES = {
    "pending": lazy_gettext("With the bank"),
    "confirmed": lazy_gettext("Confirmed"),
    "failed": lazy_gettext("Failed"),
}


def translated(words: dict[str, LazyString]) -> dict[str, str]:
    """The words in the request's language, translated once for a page that repeats them row by row."""
    return {key: str(word) for key, word in words.items()}


def last_month(today: date) -> str:
    first = today.replace(day=1)
    return f"{first.year - (first.month == 1):04d}-{(first.month - 2) % 12 + 1:02d}"


def default_month() -> str:
    """The month a manager works on by default: the last one, by the settings' today."""
    return last_month(runtime().settings.today())


def checked_month(month: str) -> str:
    """A month of the path: `YYYY-MM`, else no such page."""
    if not MONTH.match(month):
        abort(404)
    return month


def site_in_scope(principal: Principal, session: Session, site_id: str) -> Site:
    """The site, within the principal's scope as the API checks it (404 unknown, 403 outside)."""
    site = session.get(Site, site_id)
    if site is None:
        abort(404)
    require_site(principal, session, site)
    return site


def actor(principal: Principal) -> Actor:
    return Actor(principal.token_id, principal.role)


def people(session: Session, ids: set[str]) -> dict[str, str]:
    """The names of the people behind actor ids: an account's name, or a token's (someone using the API)."""
    ids = {person for person in ids if person}
    if not ids:
        return {}
    names = dict(session.execute(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(ids))).all())
    names |= dict(session.execute(select(Account.id, Account.name).where(Account.id.in_(ids))).all())
    return names
