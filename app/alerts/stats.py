"""Employment on a date in a region and in each region just below it: sites, sites at work (the
resumption rate the provinces report), workers at work, and those from poor households."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AttendanceRecord, Household, OutputRecord, Region, Site, Worker

WORKED = ("present", "half_day")


@dataclass(frozen=True)
class Counts:
    sites: int
    active_sites: int
    workers_at_work: int
    poor_workers_at_work: int

    @property
    def resumption_rate(self) -> str:
        """Active sites over sites, as a decimal string with 4 places ("0" when there are none)."""
        return f"{self.active_sites / self.sites:.4f}" if self.sites else "0"


def employment(session: Session, region: Region, day: date) -> tuple[Counts, list[tuple[Region, Counts]]]:
    sites = dict(session.execute(select(Site.id, Region.path).join(Region, Region.code == Site.region_code)
                                 .where(Region.path.startswith(region.path))).all())
    at_work = _at_work(session, day, list(sites))
    poor = set(session.scalars(select(Worker.id).join(Household, Household.id == Worker.household_id).where(
        Worker.id.in_({worker for worker, _ in at_work}), Household.status == "poor")))
    children = session.scalars(select(Region).where(Region.parent_code == region.code).order_by(Region.code)).all()

    def count(prefix: str) -> Counts:
        inside = {site for site, path in sites.items() if path.startswith(prefix)}
        workers = {worker for worker, site in at_work if site in inside}
        return Counts(len(inside), len({site for _, site in at_work if site in inside}), len(workers),
                      len(workers & poor))

    return count(region.path), [(child, count(child.path)) for child in children]


def _at_work(session: Session, day: date, site_ids: list[str]) -> set[tuple[str, str]]:
    """(worker, site) pairs with a present or half-day record, or recorded output, on `day`."""
    attended = session.execute(select(AttendanceRecord.worker_id, AttendanceRecord.site_id).where(
        AttendanceRecord.work_date == day, AttendanceRecord.status.in_(WORKED),
        AttendanceRecord.site_id.in_(site_ids)))
    produced = session.execute(select(OutputRecord.worker_id, OutputRecord.site_id).where(
        OutputRecord.work_date == day, OutputRecord.voided_by.is_(None), OutputRecord.site_id.in_(site_ids)))
    return {tuple(row) for row in attended} | {tuple(row) for row in produced}
