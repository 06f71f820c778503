"""Referrals: a cadre refers a labourer to a vacancy; who keeps the vacancy accepts, declines with a reason, or
hires, which makes the assignment with the vacancy's wage scheme. Each is an event the consumers apply."""
from __future__ import annotations

from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.access import authorize, require_referral, require_vacancy, require_worker
from app.api.context import reading, unit_of_work
from app.api.job_events import stage, staged
from app.api.pagination import page_by_id, text_id
from app.api.registry import get_in_scope
from app.api.schemas.jobs import (
    HireIn,
    JobNoteIn,
    JobReasonIn,
    ReferralArgs,
    ReferralIn,
    ReferralOut,
    ReferralPage,
    Staged,
)
from app.db.models import Referral, Vacancy, Worker
from app.db.models.types import new_id
from events import REFERRAL_ACCEPTED, REFERRAL_DECLINED, REFERRAL_HIRED, REFERRAL_MADE

blp = Blueprint("referrals", __name__, url_prefix="/api/v1/referrals", description="Referrals to vacancies")


@blp.route("")
class Referrals(MethodView):
    @blp.arguments(ReferralIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the vacancy takes no referrals, or the labourer is referred to it already")
    def post(self, data):
        """Refer a labourer of the caller's to a vacancy (referral.made)"""
        with unit_of_work() as session:
            principal = authorize(session)
            worker = session.get(Worker, data["worker_id"]) or abort(422, errors={"worker_id": ["unknown worker"]})
            require_worker(principal, session, worker)
            if session.get(Vacancy, data["vacancy_id"]) is None:
                abort(422, errors={"vacancy_id": ["unknown vacancy"]})
            referral_id = new_id()
            event = stage(session, principal, REFERRAL_MADE,
                          {"referral_id": referral_id, **data, "referred_by": principal.token_id})
            return staged(event, referral_id=referral_id)

    @blp.arguments(ReferralArgs, location="query")
    @blp.response(200, ReferralPage)
    @blp.alt_response(404, description="no such vacancy or labourer")
    def get(self, args):
        """The referrals of a vacancy (for who keeps it) or of a labourer (for who may see them), in id order"""
        with reading() as session:
            principal = authorize(session)
            if (args["vacancy_id"] is None) == (args["worker_id"] is None):
                abort(422, errors={"vacancy_id": ["give either vacancy_id or worker_id"]})
            if args["vacancy_id"] is not None:
                get_in_scope(session, principal, Vacancy, args["vacancy_id"], require_vacancy)
                query = select(Referral).where(Referral.vacancy_id == args["vacancy_id"])
            else:
                get_in_scope(session, principal, Worker, args["worker_id"], require_worker)
                query = select(Referral).where(Referral.worker_id == args["worker_id"])
            return page_by_id(session, query, Referral.id, args, text_id)


def _referral(session, principal, referral_id: str, keeper: bool) -> Referral:
    """The referral if the caller may see it (as its vacancy's keeper only, when `keeper`); 404 when none."""
    referral = session.get(Referral, referral_id) or abort(404, message="no such referral")
    vacancy = session.get(Vacancy, referral.vacancy_id)
    if keeper:
        require_vacancy(principal, session, vacancy)
    else:
        require_referral(principal, session, vacancy, session.get(Worker, referral.worker_id))
    return referral


@blp.route("/<referral_id>")
class ReferralById(MethodView):
    @blp.response(200, ReferralOut)
    def get(self, referral_id):
        """A referral and what became of it"""
        with reading() as session:
            return _referral(session, authorize(session), referral_id, keeper=False)


def _decide(referral_id: str, event_type: str, data: dict, start_date: date | None = None) -> dict:
    with unit_of_work() as session:
        principal = authorize(session)
        referral = _referral(session, principal, referral_id, keeper=True)
        if event_type == REFERRAL_HIRED:  # from the vacancy's first day unless another is given
            data = {**data, "start_date": start_date or session.get(Vacancy, referral.vacancy_id).start_date}
        ids = {"referral_id": referral.id, "vacancy_id": referral.vacancy_id, "worker_id": referral.worker_id}
        return staged(stage(session, principal, event_type, {**ids, **data}), referral_id=referral.id,
                      **({"assignment_id": data["assignment_id"]} if "assignment_id" in data else {}))


@blp.route("/<referral_id>/accept")
class Accept(MethodView):
    @blp.arguments(JobNoteIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the referral is no longer waiting")
    def post(self, _data, referral_id):
        """The employer will take the labourer (referral.accepted)"""
        return _decide(referral_id, REFERRAL_ACCEPTED, {})


@blp.route("/<referral_id>/decline")
class Decline(MethodView):
    @blp.arguments(JobReasonIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the referral is no longer waiting")
    def post(self, data, referral_id):
        """The employer will not take the labourer, and says why (referral.declined)"""
        return _decide(referral_id, REFERRAL_DECLINED, data)


@blp.route("/<referral_id>/hire")
class Hire(MethodView):
    @blp.arguments(HireIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the hire is not allowed: the reason says which rule")
    def post(self, data, referral_id):
        """Hire the labourer (referral.hired): the assignment, with the vacancy's wage scheme, is made with it"""
        return _decide(referral_id, REFERRAL_HIRED, {"assignment_id": new_id()}, data["start_date"])
