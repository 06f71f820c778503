"""How long a labourer had been without work when hired, from the history of their status changes (read as
labour.status reads it: the latest change effective by then wins, and a change's `until` leaves them idle after
it), and the median of such waits. Idle and returned (back from migrant work, not yet placed) are the states
without work."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from labour.status import Change

WORKING = ("working_local", "working_away")
WITHOUT_WORK = ("idle", "returned")


def idle_since(changes: Sequence[Change], hired: date) -> date | None:
    """The first day of the run of days without work that ends the day before `hired`, or None when the labourer
    was at work, or had no status yet, on that day."""
    ordered = sorted((change for change in changes if change.effective < hired), key=lambda c: c.order)
    # Each change's state holds from its effective day to the day before the next change; an `until` inside that
    # stretch splits it into its status and then idle.
    stretches: list[tuple[date, str]] = []  # (first day, state), in time order; a later change overrides
    for n, change in enumerate(ordered):
        following = ordered[n + 1].effective if n + 1 < len(ordered) else hired
        if following == change.effective:
            continue  # a same-day change recorded later replaces it
        if change.until is None or change.until >= change.effective:
            stretches.append((change.effective, change.status))
        if change.until is not None and change.until + timedelta(days=1) < following:
            stretches.append((max(change.until + timedelta(days=1), change.effective), "idle"))
    start = None
    for first, state in reversed(stretches):
        if state not in WITHOUT_WORK:
            break
        start = first
    return start


def median(values: Sequence[int]) -> Decimal | None:
    """The median, exact (the mean of the middle two for an even count); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2
