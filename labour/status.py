"""A labourer's employment status on a day, from the changes recorded: the latest change effective by then
wins (by effective day, then the time it was recorded, then its event id); a change that holds `until` a day
(a hire into a temporary post) leaves them idle after it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Change:
    status: str
    effective: date
    recorded_at: str  # fixed-width UTC text: sorts like the instant
    event_id: str
    until: date | None = None

    @property
    def order(self) -> tuple[date, str, str]:
        return (self.effective, self.recorded_at, self.event_id)


def latest(changes: Iterable[Change], day: date | None = None) -> Change | None:
    """The change in force on `day` (the latest of all when None), whatever order they came in."""
    effective = [change for change in changes if day is None or change.effective <= day]
    return max(effective, key=lambda change: change.order, default=None)


def status_on(changes: Iterable[Change], day: date) -> str | None:
    """The status on `day`: None before any change, "idle" after a change's `until`."""
    change = latest(changes, day)
    if change is None:
        return None
    return "idle" if change.until is not None and day > change.until else change.status


def status_after_hire(home_county_path: str | None, work_region_path: str) -> str:
    """A hire inside the labourer's own county is work near home; anywhere else, work away (a migrant)."""
    local = home_county_path is not None and work_region_path.startswith(home_county_path)
    return "working_local" if local else "working_away"
