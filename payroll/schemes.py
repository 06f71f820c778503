"""The four wage schemes, their validation, and their JSON-safe dict form."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar, Mapping

from payroll.checks import MAX_AMOUNT_FEN, check_integer, freeze_table, parse_multiplier
from payroll.errors import InvalidScheme, InvalidWorkRecord, MissingMinutes, UnknownGrade, UnknownProduct

__all__ = [
    "STATUSES", "DailyScheme", "HourlyScheme", "InvalidScheme", "InvalidWorkRecord", "MissingMinutes",
    "MonthlyScheme", "PieceScheme", "UnknownGrade", "UnknownProduct", "WageScheme",
    "scheme_from_dict", "scheme_to_dict",
]

STATUSES = ("present", "half_day", "absent", "leave")
DEFAULT_GRADES: Mapping[str, int] = MappingProxyType({"A": 100, "B": 80, "C": 0})


@dataclass(frozen=True)
class HourlyScheme:
    """Pay per hour; minutes beyond ``standard_minutes`` a day earn ``overtime_multiplier`` times."""

    rate_fen: int
    standard_minutes: int = 480
    overtime_multiplier: Decimal = Decimal("1.5")
    kind: ClassVar[str] = "hourly"

    def __post_init__(self) -> None:
        check_integer("rate_fen", self.rate_fen, 0, MAX_AMOUNT_FEN)
        check_integer("standard_minutes", self.standard_minutes, 1, 1440)
        object.__setattr__(self, "overtime_multiplier", parse_multiplier(self.overtime_multiplier))


@dataclass(frozen=True)
class DailyScheme:
    """Pay per day present; a half day earns half."""

    day_rate_fen: int
    kind: ClassVar[str] = "daily"

    def __post_init__(self) -> None:
        check_integer("day_rate_fen", self.day_rate_fen, 0, MAX_AMOUNT_FEN)


@dataclass(frozen=True)
class PieceScheme:
    """Pay per unit of output: ``rates`` {product: fen per unit}, ``grades`` {grade: percent paid}."""

    rates: Mapping[str, int]
    grades: Mapping[str, int] = field(default_factory=lambda: DEFAULT_GRADES)
    kind: ClassVar[str] = "piece"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", freeze_table("rates", self.rates, MAX_AMOUNT_FEN))
        object.__setattr__(self, "grades", freeze_table("grades", self.grades, 100))

    def __hash__(self) -> int:  # read-only mappings are not hashable themselves
        return hash((frozenset(self.rates.items()), frozenset(self.grades.items())))


@dataclass(frozen=True)
class MonthlyScheme:
    """A post's monthly stipend, prorated by day credits up to ``required_days``."""

    stipend_fen: int
    required_days: int
    kind: ClassVar[str] = "monthly"

    def __post_init__(self) -> None:
        check_integer("stipend_fen", self.stipend_fen, 0, MAX_AMOUNT_FEN)
        check_integer("required_days", self.required_days, 1, 31)


WageScheme = HourlyScheme | DailyScheme | PieceScheme | MonthlyScheme
_BY_KIND: dict[str, type] = {cls.kind: cls for cls in (HourlyScheme, DailyScheme, PieceScheme, MonthlyScheme)}


def scheme_from_dict(d: Mapping) -> WageScheme:
    """Build a validated wage scheme from its dict form, e.g. ``{"kind": "hourly", "rate_fen": 1500}``.

    Optional fields take their defaults. Raises InvalidScheme, naming the field (message and
    ``.field``), for a missing or unknown kind, a missing or unknown field, or a bad value.
    """
    if not isinstance(d, Mapping):
        raise InvalidScheme(f"a wage scheme must be a mapping, got {type(d).__name__}")
    kind = d.get("kind")
    cls = _BY_KIND.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidScheme(f"kind must be one of {', '.join(_BY_KIND)}, got {kind!r}", field="kind")
    known = {f.name for f in fields(cls)}
    for key in d:
        if key != "kind" and key not in known:
            raise InvalidScheme(f"unknown field {key!r} for a {kind} scheme", field=str(key))
    for f in fields(cls):
        if f.name not in d and f.default is MISSING and f.default_factory is MISSING:
            raise InvalidScheme(f"{f.name} is required for a {kind} scheme", field=f.name)
    return cls(**{key: value for key, value in d.items() if key != "kind"})


def scheme_to_dict(s: WageScheme) -> dict:
    """The JSON-safe dict form of a scheme (multiplier as a string); scheme_from_dict reverses it."""
    out: dict[str, Any] = {"kind": s.kind}
    for f in fields(s):
        value = getattr(s, f.name)
        out[f.name] = str(value) if isinstance(value, Decimal) else dict(value) if isinstance(value, Mapping) else value
    return out
