"""Referrals from their events: a cadre refers a labourer to a vacancy, the employer accepts or declines, and the
hire makes the labourer's assignment with the vacancy's wage scheme, in the transaction that applies it.

A hire is made once: its event names the assignment it makes, and a redelivered hire finds it made. What may be
hired is labour.hiring's rule; a full-time hire ends the labourer's other pending full-time referrals in the same
days, and the last place taken fills the vacancy."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Assignment, Referral, Vacancy, Worker
from app.ledger.checks import Problem
from app.ledger.labour import derive_work
from app.ledger.vacancies import end_pending, mark_filled, open_vacancy
from events import REFERRAL_ACCEPTED, REFERRAL_HIRED, REFERRAL_MADE, WorkEvent
from labour.hiring import Job, Opening, ends_pending_referral, hire_refusal
from labour.vocabulary import PENDING_REFERRALS


def referral_problem(session: Session, event: WorkEvent) -> Problem | None:
    """Why a referral event can never be applied, or None (also when it was applied already)."""
    data = event.data
    referral = session.get(Referral, data["referral_id"])
    if referral is not None and (referral.vacancy_id, referral.worker_id) != (data["vacancy_id"], event.worker_id):
        return Problem("data.referral_id", "this referral is of another vacancy or labourer")
    if event.type == REFERRAL_MADE:
        return None if referral is not None else _referring_problem(session, event)
    if referral is None:
        return Problem("data.referral_id", f"unknown referral {data['referral_id']}")
    if referral.last_event_id == event.id:
        return None
    if event.type == REFERRAL_HIRED:
        return _hire_problem(session, event, referral)
    if referral.status not in PENDING_REFERRALS or (event.type == REFERRAL_ACCEPTED and referral.status != "referred"):
        return Problem("data.referral_id", f"the referral is {referral.status}")
    return None


def _referring_problem(session: Session, event: WorkEvent) -> Problem | None:
    vacancy = session.get(Vacancy, event.data["vacancy_id"])
    if vacancy is None:
        return Problem("data.vacancy_id", f"unknown vacancy {event.data['vacancy_id']}")
    if vacancy.status != "open":
        return Problem("data.vacancy_id", f"the vacancy is {vacancy.status}")
    if session.get(Worker, event.worker_id) is None:
        return Problem("data.worker_id", f"unknown worker {event.worker_id}")
    if session.scalar(select(Referral.id).where(Referral.vacancy_id == vacancy.id,
                                                Referral.worker_id == event.worker_id)) is not None:
        return Problem("data.worker_id", "this labourer is already referred to this vacancy")
    return None


def _hire_problem(session: Session, event: WorkEvent, referral: Referral) -> Problem | None:
    vacancy = open_vacancy(session, referral.vacancy_id)
    session.scalars(select(Worker.id).where(Worker.id == event.worker_id).with_for_update()).one()
    start = event.data["start_date"]
    refusal = hire_refusal(referral.status, _opening(vacancy), held_jobs(session, event.worker_id), start)
    if refusal is not None:
        return Problem("data.referral_id", refusal)
    made = session.get(Assignment, event.data["assignment_id"])
    if made is not None and not _made_by(made, event, vacancy):
        return Problem("data.assignment_id", "an assignment with this id exists")
    wanted = Job(start, vacancy.end_date, True)
    for other in session.scalars(select(Assignment).where(Assignment.worker_id == event.worker_id,
                                                          Assignment.site_id == vacancy.site_id)):
        if other is not made and Job(other.start_date, other.end_date, True).overlaps(wanted):
            return Problem("data.start_date", f"overlaps assignment {other.id} of this labourer at this site")
    return None


def _made_by(assignment: Assignment, event: WorkEvent, vacancy: Vacancy) -> bool:
    """Whether `assignment` is the one this hire makes: a rebuild replays hires whose assignments stay."""
    return (assignment.worker_id, assignment.site_id, assignment.start_date) == (
        event.worker_id, vacancy.site_id, event.data["start_date"])


def held_jobs(session: Session, worker_id: str) -> list[Job]:
    """The hires a labourer holds, as the hiring rule reads them."""
    rows = session.execute(select(Referral.start_date, Vacancy.end_date, Vacancy.full_time)
                           .join(Vacancy, Vacancy.id == Referral.vacancy_id)
                           .where(Referral.worker_id == worker_id, Referral.status == "hired"))
    return [Job(row.start_date, row.end_date, row.full_time) for row in rows]


def _opening(vacancy: Vacancy) -> Opening:
    return Opening(vacancy.status, vacancy.count, vacancy.hired, vacancy.full_time, vacancy.start_date,
                   vacancy.end_date)


def apply_referral_made(session: Session, event: WorkEvent) -> None:
    data = event.data
    if session.get(Referral, data["referral_id"]) is None:
        session.add(Referral(id=data["referral_id"], vacancy_id=data["vacancy_id"], worker_id=event.worker_id,
                             status="referred", note=data["note"], referred_by=data["referred_by"],
                             referred_at=event.time, last_event_id=event.id))


def apply_referral_accepted(session: Session, event: WorkEvent) -> None:
    referral = session.get(Referral, event.data["referral_id"])
    if referral.last_event_id != event.id:
        referral.status, referral.decided_at, referral.last_event_id = "accepted", event.time, event.id


def apply_referral_declined(session: Session, event: WorkEvent) -> None:
    referral = session.get(Referral, event.data["referral_id"])
    if referral.last_event_id != event.id:
        referral.status, referral.decided_at, referral.last_event_id = "declined", event.time, event.id
        referral.decline_reason = event.data["reason"]


def apply_referral_hired(session: Session, event: WorkEvent) -> None:
    """The assignment, the referral hired, the vacancy's place taken, the labourer's status (from their
    assignments, this one among them): one transaction."""
    referral = session.get(Referral, event.data["referral_id"])
    if referral.last_event_id == event.id:
        return
    vacancy = open_vacancy(session, referral.vacancy_id)
    start, assignment_id = event.data["start_date"], event.data["assignment_id"]
    if session.get(Assignment, assignment_id) is None:
        session.add(Assignment(id=assignment_id, worker_id=event.worker_id, site_id=vacancy.site_id,
                               start_date=start, end_date=vacancy.end_date, scheme=dict(vacancy.scheme)))
        session.flush()  # the referral names it
    referral.status, referral.hired_at, referral.start_date = "hired", event.time, start
    referral.assignment_id, referral.last_event_id = assignment_id, event.id
    referral.decided_at = referral.decided_at or event.time
    vacancy.hired += 1
    if vacancy.hired >= vacancy.count:
        mark_filled(session, vacancy, event.time, event.id)
    hire = Job(start, vacancy.end_date, vacancy.full_time)
    _end_other_full_time(session, event, hire)
    derive_work(session, [event.worker_id])


def _end_other_full_time(session: Session, event: WorkEvent, hire: Job) -> None:
    pending = session.execute(select(Referral.vacancy_id, Vacancy).join(Vacancy, Vacancy.id == Referral.vacancy_id)
                              .where(Referral.worker_id == event.worker_id, Referral.status.in_(PENDING_REFERRALS)))
    for vacancy_id, other in pending.all():
        if ends_pending_referral(hire, _opening(other)):
            end_pending(session, vacancy_id, event.id, event.time, "hired full time elsewhere", event.worker_id)
