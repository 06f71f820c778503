"""How long a labourer had been without work when hired, from the history of their status changes (read as
labour.status reads it: the latest change effective by then wins, and a change's `until` leaves them idle after
it), and the median of such waits. Idle and returned (back from migrant work, not yet placed) are the states
without work."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from labour.status import Change, stretches

WORKING = ("working_local", "working_away")
WITHOUT_WORK = ("idle", "returned")


def idle_since(changes: Sequence[Change], hired: date) -> date | None:
    """The first day of the run of days without work that ends the day before `hired`, or None when the labourer
    was at work, or had no status yet, on that day."""
    start = None
    for first, state in reversed([run for run in stretches(changes) if run[0] < hired]):
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
