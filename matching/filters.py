"""The hard filters: a match they block is never offered, whatever it would score."""
from __future__ import annotations

from datetime import date

from matching.facts import DEMANDS, SHARED_LEVELS, Labourer, Reason, Vacancy, reason, shared_levels


def within_reach(labourer: Labourer, vacancy: Vacancy) -> bool:
    """Whether the vacancy lies inside the region the labourer's travel range covers; a labourer registered above
    village level reaches at most their own region for a nearer range."""
    needed = min(SHARED_LEVELS[labourer.travel_range], len(labourer.region))
    return shared_levels(labourer.region, vacancy.region) >= needed


def blocks(labourer: Labourer, vacancy: Vacancy, today: date) -> tuple[Reason, ...]:
    """Every hard filter the match breaks (empty when it may be offered)."""
    found = []
    if not within_reach(labourer, vacancy):
        found.append(reason("out_of_range", travel_range=labourer.travel_range))
    if DEMANDS.index(vacancy.demand) > DEMANDS.index(labourer.heaviest):
        found.append(reason("too_heavy", demand=vacancy.demand, heaviest=labourer.heaviest))
    if labourer.employed_full_time:
        found.append(reason("employed_full_time"))
    if vacancy.end is not None and vacancy.end < today:
        found.append(reason("vacancy_ended", end=vacancy.end.isoformat()))
    return tuple(found)


def allowed(labourer: Labourer, vacancy: Vacancy, today: date) -> bool:
    return not blocks(labourer, vacancy, today)
