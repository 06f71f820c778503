"""What matching knows of a labourer, their household and a vacancy: plain frozen values, no I/O."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# How far a labourer will travel, nearest first, and how many levels of the region tree a vacancy must share
# with the labourer's own region for each (a region path runs province, city, county, township, village);
# the tree holds no region abroad, so there "abroad" reaches as far as "anywhere".
TRAVEL_RANGES = ("village", "township", "county", "province", "anywhere", "abroad")
SHARED_LEVELS = {"village": 5, "township": 4, "county": 3, "province": 1, "anywhere": 0, "abroad": 0}
# Physical demand of a vacancy and the heaviest a labourer may take, lightest first.
DEMANDS = ("light", "medium", "heavy")
# The oldest a labourer may be, in the year's birthday, for heavy work. The registry keeps no sex, so the lower
# of the two retirement lines (60 for men, 55 for women) holds for everyone: nobody is sent to heavy work past it.
HEAVY_WORK_LAST_AGE = 55
HOUSEHOLD_STATUSES = ("poor", "monitored", "other")

RegionPath = tuple[str, ...]


def region_path(text: str) -> RegionPath:
    """The region path "/36/3607/360702/" as its codes from the province down: ("36", "3607", "360702")."""
    return tuple(code for code in text.split("/") if code)


def shared_levels(a: RegionPath, b: RegionPath) -> int:
    """How many levels of the region tree two regions share from the top."""
    shared = 0
    for left, right in zip(a, b):
        if left != right:
            break
        shared += 1
    return shared


def tree_distance(a: RegionPath, b: RegionPath) -> int:
    """Steps from one region to the other through their nearest common region (0 for the same region)."""
    shared = shared_levels(a, b)
    return len(a) - shared + len(b) - shared


@dataclass(frozen=True)
class Reason:
    """Why a match scores what it does, or why it is not allowed: a code, its points and its parameters, which
    the app words in each language."""

    code: str
    points: int = 0
    params: tuple[tuple[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "points": self.points, "params": dict(self.params)}


def reason(code: str, points: int = 0, **params: Any) -> Reason:
    return Reason(code, points, tuple(sorted(params.items())))


@dataclass(frozen=True)
class Household:
    """A household's need: its income per person over the last 12 months against the monitoring line (both fen
    per person per year), its size, its status and whether an income alert of it is open."""

    size: int
    status: str
    income_per_person_fen: int
    monitoring_line_fen: int
    open_alert: bool = False

    def __post_init__(self) -> None:
        if self.size < 1 or self.monitoring_line_fen < 1 or self.status not in HOUSEHOLD_STATUSES:
            raise ValueError(f"not a household: {self!r}")

    @property
    def gap_per_person_fen(self) -> int:
        """How far the household's income per person falls short of the monitoring line (0 when it does not)."""
        return max(0, self.monitoring_line_fen - self.income_per_person_fen)


@dataclass(frozen=True)
class Labourer:
    """A labourer as matching sees them. ``heaviest`` is the heaviest physical demand their health allows (their
    health limit); ``birth_year``, when known, bars heavy work past HEAVY_WORK_LAST_AGE; ``region`` is their home
    region's path."""

    id: str
    skills: frozenset[str]
    travel_range: str
    heaviest: str
    employed_full_time: bool
    region: RegionPath
    household: Household
    birth_year: int | None = None

    def age_in(self, year: int) -> int | None:
        """The age they reach in `year` (None when the birth year is not known)."""
        return None if self.birth_year is None else year - self.birth_year

    def __post_init__(self) -> None:
        if self.travel_range not in TRAVEL_RANGES or self.heaviest not in DEMANDS:
            raise ValueError(f"not a labourer: {self!r}")


@dataclass(frozen=True)
class Vacancy:
    """An open vacancy: ``pay_per_month_fen`` is what one post pays a month; ``end`` None means open-ended."""

    id: str
    skills: frozenset[str]
    demand: str
    pay_per_month_fen: int
    region: RegionPath
    start: date
    end: date | None = None
    poor_first: bool = False

    def __post_init__(self) -> None:
        if self.demand not in DEMANDS or self.pay_per_month_fen < 0 or (self.end and self.end < self.start):
            raise ValueError(f"not a vacancy: {self!r}")
