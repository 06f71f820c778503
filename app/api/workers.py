from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from app.api.access import Principal, authorize, require_household, require_worker
from app.api.context import reading, runtime, unit_of_work
from app.api.registry import add_new, get_in_scope
from app.api.schemas.registry import AssignmentOut, WorkerChange, WorkerIn, WorkerOut
from app.db.crypto import keyring, mask
from app.db.models import Assignment, Household, Region, Worker
from app.registry.identity import bank_account_warnings
from app.registry.workers import WorkerRefused, check_worker_numbers, holder_of

blp = Blueprint("workers", __name__, url_prefix="/api/v1/workers", description="Workers")

MASKED_FIELDS = ("national_id", "bank_account")
FULL_VIEW = ("admin",)  # who reads the personal numbers in full (the bank file gives payers the accounts)
MATCHES = 100  # a national id names one person: more matches than this are not a search


class WorkerSearchArgs(Schema):
    national_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{17}[0-9Xx]$"))


def present(worker: Worker, full: bool) -> dict:
    shown = {name: getattr(worker, name) for name in WorkerOut().fields if name != "warnings"}
    shown["warnings"] = bank_account_warnings(worker.bank_account)
    if not full:
        for name in MASKED_FIELDS:
            shown[name] = mask(shown[name])
    return shown


@blp.route("")
class Workers(MethodView):
    @blp.arguments(WorkerIn)
    @blp.response(201, WorkerOut)
    @blp.alt_response(409, description="the id, or the national id, is another worker's")
    def post(self, data):
        """Register a worker of a household in the caller's region; its national id must be no one else's"""
        try:
            with unit_of_work() as session:
                return _register(session, data)
        except IntegrityError:
            # Registered by another request meanwhile (the unique index of national id hashes): its holder now shows.
            with unit_of_work() as session:
                return _register(session, data)

    @blp.arguments(WorkerSearchArgs, location="query")
    @blp.response(200, WorkerOut(many=True))
    def get(self, args):
        """Find the workers with a national id, inside the caller's region (by its keyed hash: nothing is decrypted)"""
        with reading() as session:
            principal = authorize(session)
            query = (select(Worker).join(Household, Worker.household_id == Household.id)
                     .join(Region, Household.region_code == Region.code)
                     .where(Worker.national_id_hash.in_(keyring().lookup_hashes(args["national_id"])))
                     .order_by(Worker.id).limit(MATCHES))
            if principal.region_path is not None:
                query = query.where(Region.path.startswith(principal.region_path, autoescape=True))
            return [present(worker, full=principal.role in FULL_VIEW) for worker in session.scalars(query)]


def _register(session: Session, data: dict) -> dict:
    principal = authorize(session)
    household = session.get(Household, data["household_id"])
    if household is None:
        abort(422, errors={"household_id": ["unknown household"]})
    require_household(principal, session, household)
    _check_numbers(principal, session, data, None)
    worker = add_new(session, Worker, data)
    # Masked for everyone: the caller sent the numbers, and this answer is kept for retries.
    return present(worker, full=False)


def _change(session: Session, worker_id: str, changes: dict) -> dict:
    principal = authorize(session)
    worker = get_in_scope(session, principal, Worker, worker_id, require_worker)
    _check_numbers(principal, session, changes, worker.id)
    for name, value in changes.items():
        setattr(worker, name, value)  # the audit log keeps each changed value before and after (app.db.audit)
    session.flush()
    return present(worker, full=False)


def _check_numbers(principal: Principal, session: Session, data: dict, worker_id: str | None) -> None:
    """422 for a number that cannot be a person's, 409 for a national id that is another worker's."""
    try:
        check_worker_numbers(data, runtime().settings.today())
    except WorkerRefused as refused:
        abort(422, errors=refused.errors)
    national_id = data.get("national_id")
    if national_id is not None and (holder := holder_of(session, national_id)) is not None and holder.id != worker_id:
        abort(409, message="this national id is already registered", errors={"national_id": [_held_by(
            principal, session, holder)]})


def _held_by(principal: Principal, session: Session, holder: Worker) -> str:
    """Who holds a national id, said only to a caller who may see that worker."""
    try:
        require_worker(principal, session, holder)
    except HTTPException:
        return "it is the national id of a worker outside your scope"
    return f"it is the national id of worker {holder.id} ({holder.name})"


@blp.route("/<worker_id>")
class WorkerById(MethodView):
    @blp.response(200, WorkerOut)
    def get(self, worker_id):
        """A worker; national id and bank account masked except for admins"""
        with reading() as session:
            principal = authorize(session)
            worker = get_in_scope(session, principal, Worker, worker_id, require_worker)
            return present(worker, full=principal.role in FULL_VIEW)


@blp.route("/<worker_id>", endpoint="WorkerChanges", methods=["PATCH"])
class WorkerChanges(MethodView):
    @blp.arguments(WorkerChange)
    @blp.response(200, WorkerOut)
    @blp.alt_response(409, description="the national id is another worker's")
    def patch(self, changes, worker_id):
        """Change a worker's name, phone, bank account or national id (checked as at registration)"""
        try:
            with unit_of_work() as session:
                return _change(session, worker_id, changes)
        except IntegrityError:
            with unit_of_work() as session:  # another request took this national id meanwhile: now it shows
                return _change(session, worker_id, changes)


@blp.route("/<worker_id>/assignments")
class WorkerAssignments(MethodView):
    @blp.response(200, AssignmentOut(many=True))
    def get(self, worker_id):
        """The worker's assignments, oldest first"""
        with reading() as session:
            get_in_scope(session, authorize(session), Worker, worker_id, require_worker)
            return session.scalars(
                select(Assignment).where(Assignment.worker_id == worker_id).order_by(Assignment.start_date)
            ).all()
