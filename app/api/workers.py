from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.access import READ_PEOPLE, authorize, require_region, require_worker
from app.api.context import unit_of_work
from app.api.schemas import AssignmentOut, WorkerIn, WorkerOut
from app.db.models import Assignment, Household, Worker
from app.masking import mask

blp = Blueprint("workers", __name__, url_prefix="/api/v1/workers", description="Workers")

MASKED_FIELDS = ("national_id", "bank_account")


def present(worker: Worker, role: str) -> dict:
    shown = {name: getattr(worker, name) for name in WorkerOut().fields}
    if role != "admin":
        for name in MASKED_FIELDS:
            shown[name] = mask(shown[name])
    return shown


@blp.route("")
class Workers(MethodView):
    @blp.arguments(WorkerIn)
    @blp.response(201, WorkerOut)
    def post(self, data):
        """Register a worker of a household in the caller's region"""
        with unit_of_work() as session:
            principal = authorize(session, "admin", "poverty_office")
            household = session.get(Household, data["household_id"])
            if household is None:
                abort(422, errors={"household_id": ["unknown household"]})
            require_region(principal, session, household.region_code)
            if "id" in data and session.get(Worker, data["id"]) is not None:
                abort(409, message=f"worker {data['id']} exists")
            worker = Worker(**data)
            session.add(worker)
            session.flush()
            return present(worker, principal.role)


@blp.route("/<worker_id>")
class WorkerById(MethodView):
    @blp.response(200, WorkerOut)
    def get(self, worker_id):
        """A worker; national id and bank account masked except for admins"""
        with unit_of_work() as session:
            principal = authorize(session, *READ_PEOPLE)
            worker = session.get(Worker, worker_id) or abort(404, message="no such worker")
            require_worker(principal, session, worker)
            return present(worker, principal.role)


@blp.route("/<worker_id>/assignments")
class WorkerAssignments(MethodView):
    @blp.response(200, AssignmentOut(many=True))
    def get(self, worker_id):
        """The worker's assignments, oldest first"""
        with unit_of_work() as session:
            principal = authorize(session, *READ_PEOPLE)
            worker = session.get(Worker, worker_id) or abort(404, message="no such worker")
            require_worker(principal, session, worker)
            return session.scalars(
                select(Assignment).where(Assignment.worker_id == worker_id).order_by(Assignment.start_date)
            ).all()
