"""What a vacancy's public page, its group message and its QR code show: only the vacancy's own public facts,
never who posted it, its employer's contact or any labourer."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Employer, Region, Site, Vacancy
from app.jobs.group_message import VacancyNotice, mask_numbers
from payroll.schemes import scheme_from_dict

PLACE_LEVELS = ("county", "township", "village")  # the names a labourer knows a place by


def notice_for(session: Session, vacancy: Vacancy) -> VacancyNotice:
    employer = session.get(Employer, vacancy.employer_id) if vacancy.employer_id else None
    name = employer.name if employer is not None else session.get(Site, vacancy.site_id).name
    return VacancyNotice(title=vacancy.title, employer=name, place=place_of(session, vacancy.region_code),
                         scheme=scheme_from_dict(vacancy.scheme), openings=max(vacancy.count - vacancy.hired, 0),
                         start=vacancy.start_date, end=vacancy.end_date, housing=vacancy.housing,
                         poor_first=vacancy.poor_first)


def place_of(session: Session, region_code: str) -> str:
    """"于都县潘田乡潘田村": the names of the region and those above it down from its county (or all of them for a
    place above a county)."""
    region = session.get(Region, region_code)
    codes = region.path.strip("/").split("/")
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}
    chain = [regions[code] for code in codes if code in regions]
    shown = [r.name for r in chain if r.level in PLACE_LEVELS] or [r.name for r in chain]
    return "".join(shown)


def public_description(vacancy: Vacancy) -> str | None:
    """The vacancy's description, with any phone or ID number typed into it masked."""
    return mask_numbers(vacancy.description) if vacancy.description else None
