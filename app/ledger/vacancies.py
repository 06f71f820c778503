"""Vacancies from their events: posted (at a site, or at an employer's own site), filled, closed. A vacancy that
stops taking hires ends the referrals still waiting on it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import payroll
from app.db.models import Employer, Referral, Site, Vacancy
from app.jobs.match_rows import keep_vacancies
from app.ledger.checks import Problem
from events import VACANCY_FILLED, VACANCY_POSTED, WorkEvent
from labour.vocabulary import PENDING_REFERRALS

# The wage schemes each kind of site pays by (as for assignments); an employer's site pays by any.
SCHEMES_BY_SITE_KIND = {"post": ("monthly",), "workshop": ("hourly", "daily", "piece")}


def vacancy_problem(session: Session, event: WorkEvent) -> Problem | None:
    """Why a vacancy event can never be applied, or None (also when it was applied already)."""
    vacancy = session.get(Vacancy, event.data["vacancy_id"])
    if event.type == VACANCY_POSTED:
        if vacancy is not None:
            return None if vacancy.posted_event_id == event.id else Problem(
                "data.vacancy_id", "a vacancy with this id was posted by another event")
        return _posting_problem(session, event.data)
    if vacancy is None:
        return Problem("data.vacancy_id", f"unknown vacancy {event.data['vacancy_id']}")
    if event.type == VACANCY_FILLED and vacancy.status == "closed":
        return Problem("data.vacancy_id", "the vacancy is closed")
    return None


def _posting_problem(session: Session, data: dict) -> Problem | None:
    if data["employer_id"] is not None:
        if session.get(Employer, data["employer_id"]) is None:
            return Problem("data.employer_id", f"unknown employer {data['employer_id']}")
        return None
    site = session.get(Site, data["site_id"])
    if site is None:
        return Problem("data.site_id", f"unknown site {data['site_id']}")
    kind = payroll.scheme_from_dict(data["scheme"]).kind
    allowed = SCHEMES_BY_SITE_KIND.get(site.kind)
    if allowed is not None and kind not in allowed:
        return Problem("data.scheme", f"a {site.kind} pays by {', '.join(allowed)}, not {kind}")
    return None


def apply_vacancy_posted(session: Session, event: WorkEvent) -> None:
    data = event.data
    if session.get(Vacancy, data["vacancy_id"]) is not None:
        return
    if data["employer_id"] is not None:
        employer = session.get(Employer, data["employer_id"])
        site_id, region_code, office = employer.site_id, employer.region_code, employer.office_region_code
    else:
        site = session.get(Site, data["site_id"])
        site_id, region_code, office = site.id, site.region_code, site.region_code
    scheme = payroll.scheme_to_dict(payroll.scheme_from_dict(data["scheme"]))
    session.add(Vacancy(
        id=data["vacancy_id"], site_id=site_id, employer_id=data["employer_id"], region_code=region_code,
        office_region_code=office, title=data["title"], kind=data["kind"], count=data["count"], hired=0,
        skills=data["skills"], physical_demand=data["physical_demand"], scheme=scheme, full_time=data["full_time"],
        start_date=data["start_date"], end_date=data["end_date"], housing=data["housing"],
        poor_first=data["poor_first"], description=data["description"], status="open", posted_event_id=event.id,
        posted_at=event.time, posted_by=data["posted_by"]))
    keep_vacancies(session, [data["vacancy_id"]])


def apply_vacancy_filled(session: Session, event: WorkEvent) -> None:
    vacancy = session.get(Vacancy, event.data["vacancy_id"])
    if vacancy.status == "open":
        mark_filled(session, vacancy, event.time)


def apply_vacancy_closed(session: Session, event: WorkEvent) -> None:
    vacancy = session.get(Vacancy, event.data["vacancy_id"])
    if vacancy.status != "closed":
        vacancy.status, vacancy.closed_at, vacancy.close_reason = "closed", event.time, event.data["reason"]
        end_pending(session, vacancy.id, event.id, event.time, "the vacancy was closed")
        keep_vacancies(session, [vacancy.id])


def mark_filled(session: Session, vacancy: Vacancy, moment: datetime, event_id: str | None = None) -> None:
    vacancy.status, vacancy.filled_at = "filled", moment
    end_pending(session, vacancy.id, event_id or vacancy.posted_event_id, moment, "the vacancy is filled")
    keep_vacancies(session, [vacancy.id])


def end_pending(session: Session, vacancy_id: str, event_id: str, moment: datetime, reason: str,
                worker_id: str | None = None) -> None:
    """End the referrals still waiting on a vacancy (only the worker's, when named)."""
    query = update(Referral).where(Referral.vacancy_id == vacancy_id, Referral.status.in_(PENDING_REFERRALS))
    if worker_id is not None:
        query = query.where(Referral.worker_id == worker_id)
    session.execute(query.values(status="ended", ended_reason=reason, decided_at=moment, last_event_id=event_id)
                    .execution_options(synchronize_session="fetch"))


def open_vacancy(session: Session, vacancy_id: str) -> Vacancy | None:
    """The vacancy, its row locked until the transaction ends (on PostgreSQL): hires to it take turns."""
    return session.scalars(select(Vacancy).where(Vacancy.id == vacancy_id).with_for_update()).one_or_none()
