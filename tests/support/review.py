"""A month of two villages' work with one of each fraud in it, written as the consumers would leave it, and the
flags the review must raise for it: shared by the review tests on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

from app.db.models import AttendanceRecord, Household, OutputRecord, Region, Site, Worker

MONTH = "2026-11"
HISTORY_START = date(2026, 9, 1)
NOVEMBER = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
REGIONS = [("36", "province", None), ("3601", "city", "36"), ("360101", "county", "3601"),
           ("360101001", "township", "360101"), ("360101001001", "village", "360101001"),
           ("360101002", "township", "360101"), ("360101002001", "village", "360101002")]
SITES = {"s-a": "360101001001", "s-p": "360101001001", "s-b": "360101002001"}
SHARED_ACCOUNT = "6222000000000000018"

EXPECTED = {
    ("cloned_attendance", "w-clone-1", "s-a"), ("cloned_attendance", "w-clone-2", "s-a"),
    ("never_absent", "w-steady", "s-a"),
    ("two_sites_one_day", "w-double", "s-a"), ("two_sites_one_day", "w-double", "s-b"),
    ("shared_bank_account", "w-ghost", "s-a"), ("shared_bank_account", "w-far", "s-b"),
    ("output_spike", "w-piece", "s-p"),
}


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day(worker: str, site: str, day: date, start: int | None = None, length: int = 540, status="present"):
    times = {} if start is None else {"check_in": _clock(start), "check_out": _clock(start + length)}
    return AttendanceRecord(worker_id=worker, site_id=site, work_date=day, event_id=f"e-{worker}-{site}-{day}",
                            recorded_at=f"{day}T10:00:00.000000Z", status=status, **times)


def build_fraud_month(session) -> None:
    paths: dict = {None: "/"}
    for code, level, parent in REGIONS:
        paths[code] = f"{paths[parent]}{code}/"
        session.add(Region(code=code, name=code, level=level, parent_code=parent, path=paths[code]))
    session.flush()
    session.add_all([Site(id=site, kind="workshop", name=site, region_code=village) for site, village in SITES.items()])
    workers = {"w-honest-1": "s-a", "w-honest-2": "s-a", "w-honest-3": "s-a", "w-clone-1": "s-a", "w-clone-2": "s-a",
               "w-steady": "s-a", "w-double": "s-a", "w-ghost": "s-a", "w-far": "s-b", "w-piece": "s-p"}
    session.add_all([Household(id=f"h-{worker}", region_code=SITES[site], size=3, status="poor")
                     for worker, site in workers.items()])
    session.flush()
    shared = {"w-ghost", "w-far"}
    session.add_all([Worker(id=worker, household_id=f"h-{worker}", name=worker,
                            bank_account=SHARED_ACCOUNT if worker in shared else None) for worker in workers])
    session.add_all(_records())


def _records() -> list:
    records = []
    for n, day in enumerate(NOVEMBER):
        for k, worker in enumerate(("w-honest-1", "w-honest-2", "w-honest-3", "w-ghost")):
            records.append(_day(worker, "s-a", day, 450 + (n * 7 + k * 13) % 6 * 15, 510 + (n + k) % 5 * 15))
        for worker in ("w-clone-1", "w-clone-2"):
            records.append(_day(worker, "s-a", day, 470 + n % 3 * 10, 530))
        records.append(_day("w-far", "s-b", day, status="present"))
        records.append(_day("w-double", "s-a", day, 440 + n % 4 * 5, 500))
    records.append(_day("w-double", "s-b", NOVEMBER[3]))  # a second full day, elsewhere
    day = HISTORY_START
    while day < date(2026, 12, 1):
        records.append(_day("w-steady", "s-a", day, 480, 540))
        day += timedelta(days=1)
    outputs = [OutputRecord(event_id=f"o-{n}", worker_id="w-piece", site_id="s-p",
                            work_date=date(2026, 10, 1) + timedelta(days=n), product="GLOVE", grade="A",
                            quantity=40 + n * 7 % 21) for n in range(45)]
    outputs.append(OutputRecord(event_id="o-spike", worker_id="w-piece", site_id="s-p", work_date=NOVEMBER[20],
                                product="GLOVE", grade="A", quantity=400))
    return records + outputs
