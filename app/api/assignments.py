from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

import payroll
from app.api.access import authorize, require_site, require_worker
from app.api.assignment_changes import change_assignment
from app.api.context import reading, unit_of_work
from app.api.registry import add_new, get_in_scope
from app.api.schemas.jobs import Staged
from app.api.schemas.registry import AssignmentIn, AssignmentOut, EndIn, SchemeChangeIn, TransferIn
from app.db.models import Assignment, Site, Worker
from app.ledger.assignments import SCHEMES_BY_SITE_KIND
from app.ledger.labour import derive_work
from events import ASSIGNMENT_END_CHANGED, ASSIGNMENT_SCHEME_CHANGED, ASSIGNMENT_TRANSFERRED

blp = Blueprint("assignments", __name__, url_prefix="/api/v1/assignments", description="A worker at a site")


@blp.route("")
class Assignments(MethodView):
    @blp.arguments(AssignmentIn)
    @blp.response(201, AssignmentOut)
    def post(self, data):
        """Employ a worker at a site from start_date (to end_date, inclusive) with a wage scheme"""
        with unit_of_work() as session:
            principal = authorize(session)
            site = session.get(Site, data["site_id"])
            if site is None:
                abort(422, errors={"site_id": ["unknown site"]})
            require_site(principal, session, site)
            worker = session.get(Worker, data["worker_id"])
            if worker is None:
                abort(422, errors={"worker_id": ["unknown worker"]})
            require_worker(principal, session, worker)  # a worker of another region is not theirs to employ
            data["scheme"] = _valid_scheme(data["scheme"], site.kind)
            if data["end_date"] is not None and data["end_date"] < data["start_date"]:
                abort(422, errors={"end_date": ["before start_date"]})
            _refuse_overlap(session, data)
            assignment = add_new(session, Assignment, data)
            derive_work(session, [assignment.worker_id])  # a labourer's days at work follow their assignments
            return assignment


def _valid_scheme(raw: dict, site_kind: str) -> dict:
    try:
        scheme = payroll.scheme_from_dict(raw)
    except payroll.InvalidScheme as error:
        abort(422, errors={"scheme": [str(error)]})
    if scheme.kind not in SCHEMES_BY_SITE_KIND[site_kind]:
        allowed = ", ".join(SCHEMES_BY_SITE_KIND[site_kind])
        abort(422, errors={"scheme": [f"a {site_kind} pays by {allowed}, not {scheme.kind}"]})
    return payroll.scheme_to_dict(scheme)


def _refuse_overlap(session, data: dict) -> None:
    existing = session.scalars(select(Assignment).where(
        Assignment.worker_id == data["worker_id"], Assignment.site_id == data["site_id"]))
    for other in existing:
        ends_before = data["end_date"] is not None and data["end_date"] < other.start_date
        starts_after = other.end_date is not None and data["start_date"] > other.end_date
        if not (ends_before or starts_after):
            abort(409, message=f"overlaps assignment {other.id} of this worker at this site")


def _at_site(principal, session, assignment: Assignment) -> None:
    require_site(principal, session, session.get(Site, assignment.site_id))


@blp.route("/<assignment_id>")
class AssignmentById(MethodView):
    @blp.response(200, AssignmentOut)
    def get(self, assignment_id):
        """An assignment of a site in the caller's scope"""
        with reading() as session:
            return get_in_scope(session, authorize(session), Assignment, assignment_id, _at_site)


# Each change is an event the consumers apply (202): they recompute the wage lines it touches, and an approved
# month's difference becomes an adjustment (docs/domain.md, "Changing an assignment").
@blp.route("/<assignment_id>/end")
class End(MethodView):
    @blp.arguments(EndIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the new end would overlap another assignment of the worker at the site")
    def post(self, data, assignment_id):
        """Set the last day of an assignment (null: no end); work recorded after it is no longer paid"""
        return change_assignment(assignment_id, ASSIGNMENT_END_CHANGED, data)


@blp.route("/<assignment_id>/scheme")
class Scheme(MethodView):
    @blp.arguments(SchemeChangeIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the id of the new assignment is taken")
    def post(self, data, assignment_id):
        """Pay an assignment by another wage scheme from a day: the days from it go to a new assignment (named in
        the answer), unless the day is the assignment's first; a monthly stipend changes from the 1st of a month"""
        return change_assignment(assignment_id, ASSIGNMENT_SCHEME_CHANGED, data)


@blp.route("/<assignment_id>/transfer")
class Transfer(MethodView):
    @blp.arguments(TransferIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the new assignment would overlap another of the worker at that site")
    def post(self, data, assignment_id):
        """Move a worker to another site from a day: the assignment ends the day before, and a new one (named in
        the answer) starts there, by the same scheme unless another is given, to the same end unless given"""
        return change_assignment(assignment_id, ASSIGNMENT_TRANSFERRED, data)
