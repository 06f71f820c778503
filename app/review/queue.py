"""The review flags an office works through: a page at a time (newest month first, then by id, the keyset of the
API's cursor), narrowed by region, site, month, kind and status; a flag dismissed with a reason or confirmed, each
move the caller's audited write; and the open flags that hold a site's month back from approval."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.audit import record_summary
from app.db.models import Dispute, ReviewFlag
from app.db.models.types import utcnow

FlagKey = tuple[str, str]  # (month, id) of the last flag of a page
MOVES = {"dismiss": "dismissed", "confirm": "confirmed"}


class FlagConflict(Exception):
    """The flag is not open (perhaps someone else just resolved it)."""


@dataclass(frozen=True)
class FlagFilter:
    within: str | None = None  # the caller's region path; None: nationwide
    region_path: str | None = None
    site_ids: frozenset[str] | None = None  # a supervisor's sites, or the one site asked for
    month: str | None = None
    kind: str | None = None
    status: str | None = None


def flag_page(session: Session, chosen: FlagFilter, limit: int, after: FlagKey | None = None
              ) -> tuple[list[ReviewFlag], FlagKey | None]:
    """Up to `limit` flags after the key `after`, and the key of the last one when more follow."""
    query = select(ReviewFlag).order_by(ReviewFlag.month.desc(), ReviewFlag.id).limit(limit + 1)
    for path in (chosen.within, chosen.region_path):
        if path is not None:
            query = query.where(ReviewFlag.region_path.startswith(path))
    if chosen.site_ids is not None:
        query = query.where(ReviewFlag.site_id.in_(sorted(chosen.site_ids)))
    for name in ("month", "kind", "status"):
        if getattr(chosen, name) is not None:
            query = query.where(getattr(ReviewFlag, name) == getattr(chosen, name))
    if after is not None:
        month, last_id = after
        query = query.where((ReviewFlag.month < month) | ((ReviewFlag.month == month) & (ReviewFlag.id > last_id)))
    flags = list(session.scalars(query))
    more = len(flags) > limit
    flags = flags[:limit]
    return flags, (flags[-1].month, flags[-1].id) if more else None


def resolve_flag(flag: ReviewFlag, move: str, actor_id: str, note: str | None) -> ReviewFlag:
    """Dismiss (a note saying why is the caller's to require) or confirm an open flag; FlagConflict otherwise."""
    if flag.status != "open":
        raise FlagConflict(f"the flag is {flag.status}, not open")
    flag.status, flag.resolved_at, flag.resolved_by, flag.note = MOVES[move], utcnow(), actor_id, note
    return flag


def open_flags(session: Session, site_id: str, month: str) -> list[ReviewFlag]:
    return list(session.scalars(select(ReviewFlag).where(
        ReviewFlag.site_id == site_id, ReviewFlag.month == month, ReviewFlag.status == "open")
        .order_by(ReviewFlag.kind, ReviewFlag.subject_id)))


def record_override(session: Session, site_id: str, month: str, flags: list[ReviewFlag], override: str | None,
                    disputes: Sequence[Dispute] = ()) -> None:
    """Keep in the audit log that the month was approved over its open `flags` and `disputes`, and why (nothing
    if none)."""
    if flags or disputes:
        before = {"open_flags": [flag.id for flag in flags]}
        if disputes:
            before["open_disputes"] = [dispute.id for dispute in disputes]
        record_summary(session, "update", ReviewFlag.__tablename__, f"{site_id} {month} approved over open flags",
                       (flags or disputes)[0].region_path, before, {"override": override})
