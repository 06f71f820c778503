from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

import payroll
from app.api.access import authorize, require_site, require_worker
from app.api.context import unit_of_work
from app.api.registry import add_new
from app.api.schemas.registry import AssignmentIn, AssignmentOut
from app.db.models import Assignment, Site, Worker

blp = Blueprint("assignments", __name__, url_prefix="/api/v1/assignments", description="A worker at a site")

SCHEMES_BY_SITE_KIND = {"post": ("monthly",), "workshop": ("hourly", "daily", "piece")}


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
            return add_new(session, Assignment, data)


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
