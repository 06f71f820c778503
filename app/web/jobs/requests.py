"""What a cadre (an office of a village, township or county) does with vacancies: copy one as a group message
with its QR code, and read the interest labourers showed on vacancies' public pages, newest first, marking each
handled once they have called back."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, redirect, render_template, url_for
from sqlalchemy import select

from app.api.access import require_region, require_vacancy
from app.api.context import reading, unit_of_work
from app.db.models import Region, Vacancy, VacancyInterest
from app.jobs.group_message import group_message
from app.jobs.notices import notice_for
from app.web.pages import authorize_page
from app.web.vacancy import vacancy_link

SHOWN = 200  # the newest requests of the region; handled ones drop off the list's top as new ones come


def share(vacancy_id: str) -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        vacancy = reader.get(Vacancy, vacancy_id) or abort(404)
        require_vacancy(principal, reader, vacancy)
        link = vacancy_link(vacancy.id)
        message = group_message(notice_for(reader, vacancy), link)
    return render_template("jobs/share.html", vacancy=vacancy, message=message, link=link)


def interests() -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        query = (select(VacancyInterest, Vacancy.title, Region.name)
                 .outerjoin(Vacancy, Vacancy.id == VacancyInterest.vacancy_id)
                 .join(Region, Region.code == VacancyInterest.region_code)
                 .order_by(VacancyInterest.created_at.desc(), VacancyInterest.id).limit(SHOWN))
        if principal.region_path is not None:
            query = query.where(Region.path.startswith(principal.region_path))
        rows = reader.execute(query).all()
        return render_template("jobs/interests.html", rows=rows)


def handled(interest_id: str) -> Response:
    with unit_of_work() as unit:
        principal = authorize_page(unit)
        interest = unit.get(VacancyInterest, interest_id) or abort(404)
        require_region(principal, unit, interest.region_code)
        if interest.status == "new":
            interest.status, interest.handled_at = "handled", datetime.now(UTC)
            interest.handled_by = principal.token_id  # the account
    return redirect(url_for("jobs.interests"), 303)
