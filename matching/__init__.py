"""Matching idle labourers to vacancies: pure functions over plain values, no I/O, standard library only.

Hard filters (matching.filters) are never broken: the vacancy lies within the labourer's travel range in the
region tree, its physical demand is no heavier than their health allows and not heavy past the age for it
(HEAVY_WORK_LAST_AGE, from the birth year), they are not employed full time, and it has not ended. An allowed
match scores integer points (matching.score): skills wanted that the labourer has, nearness in the region tree,
how much of the household's shortfall to the monitoring line the pay closes, and priority for poor and monitored
households, for vacancies that put them first, and for households with an open income alert. Each part of the
score is a Reason (a code and its parameters), which the app words in Chinese and English.
"""

from matching.facts import (
    DEMANDS,
    HEAVY_WORK_LAST_AGE,
    HOUSEHOLD_STATUSES,
    SHARED_LEVELS,
    TRAVEL_RANGES,
    Household,
    Labourer,
    Reason,
    RegionPath,
    Vacancy,
    region_path,
    shared_levels,
    tree_distance,
)
from matching.filters import allowed, blocks, heaviest_allowed, too_old_for_heavy, within_reach
from matching.pay import monthly_pay_fen
from matching.rank import rank_labourers, rank_vacancies
from matching.score import Match, score

__all__ = [
    "DEMANDS", "HEAVY_WORK_LAST_AGE", "HOUSEHOLD_STATUSES", "SHARED_LEVELS", "TRAVEL_RANGES", "Household", "Labourer",
    "Match", "Reason", "RegionPath", "Vacancy", "allowed", "blocks", "heaviest_allowed", "monthly_pay_fen",
    "rank_labourers", "rank_vacancies", "region_path", "score", "shared_levels", "too_old_for_heavy", "tree_distance",
    "within_reach",
]
