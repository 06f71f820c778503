"""The attendance rules: cloned times, a worker never absent, and one day's work at two sites."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from itertools import combinations
from typing import NamedTuple

from fraud.findings import Finding, Reason, Thresholds

FULL_DAY = 480  # credited minutes of a present day recorded without times
CREDITED = {"present": FULL_DAY, "half_day": FULL_DAY // 2}


class Attendance(NamedTuple):
    """A day's attendance record (a tuple: a county's three months are made by the hundred thousand)."""

    worker_id: str
    site_id: str
    day: date
    status: str  # present, half_day, absent or leave
    check_in: int | None = None  # minutes after midnight
    check_out: int | None = None
    minutes: int | None = None  # recorded without times

    @property
    def times(self) -> tuple[int, int] | None:
        return None if self.check_in is None or self.check_out is None else (self.check_in, self.check_out)

    def credited(self) -> int:
        """Minutes of work this record pays for."""
        if self.status not in CREDITED:
            return 0
        if self.times is not None:
            return max(0, self.check_out - self.check_in)
        return self.minutes if self.minutes is not None else CREDITED[self.status]


def cloned_attendance(records: list[Attendance], limits: Thresholds = Thresholds()) -> list[Finding]:
    """Workers whose check-in and check-out minutes match another's on many of their days."""
    together: dict[tuple, set[str]] = defaultdict(set)
    timed: Counter[str] = Counter()
    for record in records:
        if record.times is not None:
            together[(record.site_id, record.day, record.times)].add(record.worker_id)
            timed[record.worker_id] += 1
    shared: Counter[tuple[str, str]] = Counter()
    for workers in together.values():
        shared.update(combinations(sorted(workers), 2))
    partners: dict[str, dict[str, int]] = defaultdict(dict)
    for (first, second), days in shared.items():
        if days >= limits.clone_days and days >= limits.clone_share * min(timed[first], timed[second]):
            partners[first][second] = partners[second][first] = days
    return [Finding("cloned_attendance", "worker", worker, Reason("cloned_attendance", {
        "others": ", ".join(sorted(others)), "days": str(max(others.values()))}))
        for worker, others in sorted(partners.items())]


def never_absent(records: list[Attendance], limits: Thresholds = Thresholds()) -> list[Finding]:
    """Workers present on every recorded day for months, at the same minutes nearly every day."""
    by_worker: dict[str, list[Attendance]] = defaultdict(list)
    for record in records:
        by_worker[record.worker_id].append(record)
    found = []
    for worker, days in sorted(by_worker.items()):
        if any(day.status != "present" for day in days):
            continue
        times = Counter(day.times for day in days if day.times is not None)
        if sum(times.values()) < limits.steady_days:
            continue
        (usual, count), = times.most_common(1)
        if count >= limits.steady_share * len(days):
            found.append(Finding("never_absent", "worker", worker, Reason("never_absent", {
                "days": str(len(days)), "check_in": _clock(usual[0]), "check_out": _clock(usual[1])})))
    return found


def two_sites_one_day(records: list[Attendance], limits: Thresholds = Thresholds()) -> list[Finding]:
    """Workers credited with more than a day's work on one day across two or more sites (the worst day named)."""
    days: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for record in records:
        days[(record.worker_id, record.day)][record.site_id] += record.credited()
    worst: dict[str, tuple[int, date, int]] = {}
    for (worker, day), sites in days.items():
        total = sum(sites.values())
        if len([s for s in sites.values() if s > 0]) >= 2 and total > limits.day_limit:
            # the most minutes, the earliest of equal days: the same answer whatever the records' order
            worst[worker] = min(worst.get(worker, (0, day, 0)), (total, day, len(sites)),
                                key=lambda found: (-found[0], found[1]))
    return [Finding("two_sites_one_day", "worker", worker, Reason("two_sites_one_day", {
        "hours": f"{total / 60:.1f}", "sites": str(sites), "day": day.isoformat()}))
        for worker, (total, day, sites) in sorted(worst.items())]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
