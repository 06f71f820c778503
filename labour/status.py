"""A labourer's employment status on a day, from the changes recorded: the latest change effective by then
wins (by effective day, then the time it was recorded, then its event id); a change that holds `until` a day
(the last day of their assignments) leaves them idle after it. Work is derived from assignments (`work_runs`):
each stretch of days an assignment covers is a run of working locally or away, recorded as one change."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


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


@dataclass(frozen=True)
class Spell:
    """An assignment as the status reads it: its days (open-ended without `end`) and whether its site lies in the
    labourer's own county."""

    start: date
    end: date | None
    local: bool
    assignment_id: str


@dataclass(frozen=True)
class Run:
    """Days at work of one status, from `start` through `until` (for good when None), and the assignment that
    begins it."""

    status: str
    start: date
    until: date | None
    assignment_id: str


def work_runs(spells: Iterable[Spell]) -> list[Run]:
    """The labourer's days at work from their assignments, as runs that never overlap, in time order: a day any
    assignment covers is working locally if one of those is in their county (work near home counts first),
    working away otherwise. A run names the newest of those assignments that makes its status, and lasts while
    the status and that assignment stay."""
    spells = [spell for spell in spells if spell.end is None or spell.end >= spell.start]
    bounds = sorted({spell.start for spell in spells} | {spell.end + ONE_DAY for spell in spells if spell.end})
    runs: list[Run] = []
    for n, first in enumerate(bounds):
        last = bounds[n + 1] - ONE_DAY if n + 1 < len(bounds) else None
        covering = [spell for spell in spells if spell.start <= first and (spell.end is None or spell.end >= first)]
        if not covering:
            continue
        local = any(spell.local for spell in covering)
        newest = max((spell for spell in covering if spell.local == local),
                     key=lambda spell: (spell.start, spell.assignment_id)).assignment_id
        run = Run("working_local" if local else "working_away", first, last, newest)
        previous = runs[-1] if runs else None
        if (previous and (previous.status, previous.assignment_id) == (run.status, run.assignment_id)
                and previous.until is not None and previous.until + ONE_DAY == first):
            runs[-1] = Run(run.status, previous.start, last, newest)
        else:
            runs.append(run)
    return runs


def stretches(changes: Iterable[Change]) -> list[tuple[date, str]]:
    """The runs of one status, in time order, as (first day, status): each holds until the next begins, the
    last for good. A change replaced by a later one of the same day makes none; one with `until` makes its
    status through that day, then idle."""
    ordered = sorted(changes, key=lambda change: change.order)
    runs: list[tuple[date, str]] = []
    for n, change in enumerate(ordered):
        following = ordered[n + 1].effective if n + 1 < len(ordered) else None
        if following == change.effective:
            continue
        parts = []
        if change.until is None or change.until >= change.effective:
            parts.append((change.effective, change.status))
        if change.until is not None and (following is None or change.until + timedelta(days=1) < following):
            parts.append((max(change.until + timedelta(days=1), change.effective), "idle"))
        for first, state in parts:
            if not runs or runs[-1][1] != state:
                runs.append((first, state))
    return runs


def count_moves(changes: Iterable[Change]) -> Counter[tuple[date, str]]:
    """How the labourer moves the counts by status: +1 to a status on the day a run of it begins, -1 to the
    status before it that day. A count as of a day is the sum of the moves up to that day."""
    moves: Counter[tuple[date, str]] = Counter()
    previous = None
    for first, state in stretches(changes):
        moves[(first, state)] += 1
        if previous is not None:
            moves[(first, previous)] -= 1
        previous = state
    return moves
