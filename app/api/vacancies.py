"""Employers beyond the workshops and posts, and vacancies: posted, filled and closed as events the consumers
apply; read by anyone signed in, since a vacancy holds no personal data."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.access import (
    authorize,
    require_employer,
    require_region_field,
    require_site,
    require_vacancy,
)
from app.api.context import reading, unit_of_work
from app.api.job_events import stage, staged
from app.api.pagination import page_by_id, text_id
from app.api.registry import add_new, get_in_scope, refuse_taken
from app.api.schemas.base import PageArgs
from app.api.schemas.jobs import (
    EmployerIn,
    EmployerOut,
    EmployerPage,
    JobNoteIn,
    JobReasonIn,
    Staged,
    VacancyArgs,
    VacancyIn,
    VacancyOut,
    VacancyPage,
)
from app.db.models import Employer, Region, Site, Vacancy
from app.db.models.types import new_id
from events import VACANCY_CLOSED, VACANCY_FILLED, VACANCY_POSTED

blp = Blueprint("vacancies", __name__, url_prefix="/api/v1", description="Employers and vacancies")

EMPLOYER_SITE_KIND = "employer"  # the site an employer's hires are paid through


@blp.route("/employers")
class Employers(MethodView):
    @blp.arguments(EmployerIn)
    @blp.response(201, EmployerOut)
    def post(self, data):
        """Register an employer (anywhere), kept by an office of the caller's region, with its own site"""
        with unit_of_work() as session:
            principal = authorize(session)
            require_region_field(principal, session, data["office_region_code"], "office_region_code")
            if session.get(Region, data["region_code"]) is None:
                abort(422, errors={"region_code": [f"unknown region {data['region_code']}"]})
            data.setdefault("id", new_id())
            refuse_taken(session, Employer, data["id"])
            site = add_new(session, Site, {"id": f"employer-{data['id']}", "kind": EMPLOYER_SITE_KIND,
                                           "name": data["name"], "region_code": data["region_code"]})
            return add_new(session, Employer, {**data, "site_id": site.id})

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, EmployerPage)
    def get(self, args):
        """The employers kept by offices inside the caller's region, in id order"""
        with reading() as session:
            principal = authorize(session)
            query = select(Employer).join(Region, Region.code == Employer.office_region_code)
            if principal.region_path is not None:
                query = query.where(Region.path.startswith(principal.region_path, autoescape=True))
            return page_by_id(session, query, Employer.id, args, text_id)


@blp.route("/employers/<employer_id>")
class EmployerById(MethodView):
    @blp.response(200, EmployerOut)
    def get(self, employer_id):
        """An employer"""
        with reading() as session:
            return get_in_scope(session, authorize(session), Employer, employer_id, require_employer)


@blp.route("/vacancies")
class Vacancies(MethodView):
    @blp.arguments(VacancyIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the vacancy cannot be posted")
    def post(self, data):
        """Post a vacancy at a site or an employer (vacancy.posted), open in a moment"""
        with unit_of_work() as session:
            principal = authorize(session)
            _require_poster(principal, session, data)
            data["vacancy_id"] = data.pop("id", None) or new_id()
            refuse_taken(session, Vacancy, data["vacancy_id"])
            event = stage(session, principal, VACANCY_POSTED, {**data, "posted_by": principal.token_id})
            return staged(event, vacancy_id=data["vacancy_id"])

    @blp.arguments(VacancyArgs, location="query")
    @blp.response(200, VacancyPage)
    @blp.alt_response(404, description="no such region")
    def get(self, args):
        """Vacancies by status (open unless asked), where the work is inside a region if named; in id order"""
        with reading() as session:
            authorize(session)
            query = select(Vacancy).where(Vacancy.status == args["status"])
            if args["region"] is not None:
                region = session.get(Region, args["region"]) or abort(404, message=f"unknown region {args['region']}")
                query = query.join(Region, Region.code == Vacancy.region_code).where(
                    Region.path.startswith(region.path, autoescape=True))
            return page_by_id(session, query, Vacancy.id, args, text_id)


def _require_poster(principal, session, data: dict) -> None:
    """A site's vacancy is posted by who may act for the site; an employer's by who keeps the employer."""
    if (data["site_id"] is None) == (data["employer_id"] is None):
        abort(422, errors={"site_id": ["give either site_id or employer_id"]})
    if data["site_id"] is not None:
        site = session.get(Site, data["site_id"]) or abort(422, errors={"site_id": ["unknown site"]})
        require_site(principal, session, site)
    else:
        employer = session.get(Employer, data["employer_id"]) or abort(
            422, errors={"employer_id": ["unknown employer"]})
        if principal.role == "supervisor":
            abort(403, message="a supervisor posts vacancies of their own sites only")
        require_employer(principal, session, employer)


@blp.route("/vacancies/<vacancy_id>")
class VacancyById(MethodView):
    @blp.response(200, VacancyOut)
    def get(self, vacancy_id):
        """A vacancy"""
        with reading() as session:
            authorize(session)
            return session.get(Vacancy, vacancy_id) or abort(404, message="no such vacancy")


@blp.route("/vacancies/<vacancy_id>/fill")
class Fill(MethodView):
    @blp.arguments(JobNoteIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the vacancy is closed")
    def post(self, data, vacancy_id):
        """Say a vacancy is filled (vacancy.filled): it takes no more hires, its waiting referrals end"""
        with unit_of_work() as session:
            principal = authorize(session)
            get_in_scope(session, principal, Vacancy, vacancy_id, require_vacancy)
            return staged(stage(session, principal, VACANCY_FILLED, {"vacancy_id": vacancy_id, **data}))


@blp.route("/vacancies/<vacancy_id>/close")
class Close(MethodView):
    @blp.arguments(JobReasonIn)
    @blp.response(202, Staged)
    def post(self, data, vacancy_id):
        """Close a vacancy with a reason (vacancy.closed): it takes no more hires, its waiting referrals end"""
        with unit_of_work() as session:
            principal = authorize(session)
            get_in_scope(session, principal, Vacancy, vacancy_id, require_vacancy)
            return staged(stage(session, principal, VACANCY_CLOSED, {"vacancy_id": vacancy_id, **data}))
