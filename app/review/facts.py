"""The facts of sites' months as the fraud rules take them, read in a few set-based statements: attendance and
output at the sites (the month and the two before it, the history some rules need), the same workers' attendance
at any site in the month, their phones' and bank accounts' hashes with every worker sharing one, and what
supervisors sent for the sites in the month."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import String, func, select, union
from sqlalchemy.orm import Session

from app.db.models import AttendanceRecord, AuditEntry, OutputRecord, ReceivedEvent, Region, Site, Worker
from app.db.queries import among, key_slices
from fraud import Attendance, Contact, DayOutput, Receipt

HISTORY_MONTHS = 2  # months before the reviewed one that the history rules read


@dataclass
class SiteMonthFacts:
    """What the rules read for one site's month."""

    site_id: str
    region_path: str
    attendance: list[Attendance] = field(default_factory=list)  # at the site: the month and its history
    elsewhere: list[Attendance] = field(default_factory=list)  # its workers' records at any site, the month
    outputs: list[DayOutput] = field(default_factory=list)  # at the site: the month and its history
    workers: set[str] = field(default_factory=set)  # at work at the site in the month


@dataclass
class MonthFacts:
    month: str
    sites: dict[str, SiteMonthFacts]
    contacts: list[Contact]  # the sites' workers and every worker sharing a phone or account with one
    receipts: list[Receipt]  # every supervisor of the sites: all they sent in the month


def month_bounds(month: str, before: int = 0) -> tuple[date, date]:
    """The first day of the month `before` months earlier, and the first day after `month`."""
    year, number = int(month[:4]), int(month[5:7])
    start = (year * 12 + number - 1) - before
    end = year * 12 + number
    return date(start // 12, start % 12 + 1, 1), date(end // 12, end % 12 + 1, 1)


def read_month_facts(session: Session, month: str, site_ids: list[str]) -> MonthFacts:
    """Everything the rules read for the sites' `month` (YYYY-MM), in a few statements a slice of sites at a
    time; an unknown site is left out."""
    sites = {}
    for chunk in key_slices(session, sorted(set(site_ids))):
        for site_id, path in session.execute(select(Site.id, Region.path).join(Region, Region.code == Site.region_code)
                                             .where(among(session, Site.id, chunk))):
            sites[site_id] = SiteMonthFacts(site_id, path)
    first, end = month_bounds(month, HISTORY_MONTHS)
    month_start, _ = month_bounds(month)
    for chunk in key_slices(session, sorted(sites)):
        _read_attendance(session, sites, chunk, first, end, month_start)
        _read_outputs(session, sites, chunk, first, end, month_start)
    _read_elsewhere(session, sites, month_start, end)
    workers = set().union(*(s.workers for s in sites.values())) if sites else set()
    return MonthFacts(month, sites, _read_contacts(session, workers), _read_receipts(session, sites, month_start, end))


def _minutes(clock: str | None) -> int | None:
    return None if clock is None else int(clock[:2]) * 60 + int(clock[3:5])


def _attendance(row) -> Attendance:
    return Attendance(row.worker_id, row.site_id, row.work_date, row.status, _minutes(row.check_in),
                      _minutes(row.check_out), row.minutes)


def _read_attendance(session, sites, chunk, first, end, month_start) -> None:
    r = AttendanceRecord
    # On the bare connection: Core rows, without the ORM's loading of each (a county's three months are many).
    for row in session.connection().execute(select(r.worker_id, r.site_id, r.work_date, r.status, r.check_in,
                                                   r.check_out, r.minutes).where(
            among(session, r.site_id, chunk), r.work_date >= first, r.work_date < end)):
        facts = sites[row.site_id]
        facts.attendance.append(_attendance(row))
        if row.work_date >= month_start and row.status in ("present", "half_day"):
            facts.workers.add(row.worker_id)


def _read_outputs(session, sites, chunk, first, end, month_start) -> None:
    o = OutputRecord
    query = (select(o.worker_id, o.site_id, o.work_date, func.sum(o.quantity).label("quantity"))
             .where(among(session, o.site_id, chunk), o.work_date >= first, o.work_date < end, o.voided_by.is_(None))
             .group_by(o.worker_id, o.site_id, o.work_date))
    for row in session.connection().execute(query):
        sites[row.site_id].outputs.append(DayOutput(row.worker_id, row.work_date, int(row.quantity)))
        if row.work_date >= month_start:
            sites[row.site_id].workers.add(row.worker_id)


def _read_elsewhere(session, sites, month_start, end) -> None:
    """Each site's workers' attendance at every site in the month (only the days of a worker at two sites)."""
    site_of: dict[str, set[str]] = defaultdict(set)
    for facts in sites.values():
        for worker in facts.workers:
            site_of[worker].add(facts.site_id)
    r = AttendanceRecord
    for chunk in key_slices(session, sorted(site_of)):
        in_month = [among(session, r.worker_id, chunk), r.work_date >= month_start, r.work_date < end]
        doubled = (select(r.worker_id, r.work_date).where(*in_month).group_by(r.worker_id, r.work_date)
                   .having(func.count() > 1).subquery())
        query = (select(r.worker_id, r.site_id, r.work_date, r.status, r.check_in, r.check_out, r.minutes)
                 .join(doubled, (doubled.c.worker_id == r.worker_id) & (doubled.c.work_date == r.work_date)))
        for row in session.connection().execute(query):
            for site_id in site_of[row.worker_id]:
                sites[site_id].elsewhere.append(_attendance(row))


def _read_contacts(session, workers: set[str]) -> list[Contact]:
    """The workers' phones and accounts (as hashes), and every other worker holding one of them."""
    w = Worker
    own = []
    for chunk in key_slices(session, sorted(workers)):
        own += session.execute(select(w.id, w.household_id, w.bank_account_hash, w.phone_hash)
                               .where(among(session, w.id, chunk))).all()
    accounts = sorted({row.bank_account_hash for row in own if row.bank_account_hash})
    phones = sorted({row.phone_hash for row in own if row.phone_hash})
    found = {row.id: row for row in own}
    for column, values in ((w.bank_account_hash, accounts), (w.phone_hash, phones)):
        for chunk in key_slices(session, values):
            for row in session.execute(select(w.id, w.household_id, w.bank_account_hash, w.phone_hash)
                                       .where(among(session, column, chunk))):
                found[row.id] = row
    return [Contact(row.id, row.household_id, row.bank_account_hash, row.phone_hash) for row in found.values()]


def _read_receipts(session, sites, month_start, end) -> list[Receipt]:
    """What the sites' supervisors sent while the month's records came in (from the eve of its first day to the
    end of the month after it), as the intake's audit entries record it (one per request and site, `row_key`
    starting with the site's id), with each site's region."""
    if not sites:
        return []
    a = AuditEntry
    start = datetime(month_start.year, month_start.month, 1, tzinfo=UTC) - timedelta(days=1)
    late = month_bounds(end.isoformat()[:7])[1]
    stop = datetime(late.year, late.month, 1, tzinfo=UTC)
    sent = [a.table_name == ReceivedEvent.__tablename__, a.actor_role == "supervisor", a.at >= start, a.at < stop]
    if session.get_bind().dialect.name == "postgresql":
        site_key = func.split_part(a.row_key, "/", 1, type_=String)
    else:
        site_key = func.substr(a.row_key, 1, func.instr(a.row_key, "/") - 1, type_=String)
    supervisors = union(*(select(a.actor_token_id).where(*sent, among(session, site_key, chunk))
                          for chunk in key_slices(session, sorted(sites)))).subquery()
    rows = session.execute(select(a.actor_token_id, a.row_key, a.region_path, a.at, a.request_id).where(
        *sent, a.actor_token_id.in_(select(supervisors.c.actor_token_id)))).all()
    return [Receipt(row.actor_token_id, row.row_key.split("/", 1)[0], row.region_path or "", _utc(row.at),
                    row.request_id or f"{row.at}") for row in rows if row.actor_token_id]


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
