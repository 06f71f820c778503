"""The jobs area's events (JOB_EVENTS): why one cannot be applied, the same answer for the API and the consumers,
and applying it. Each is applied once whatever is redelivered: its effect names the event that made it."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from app.ledger.checks import Problem
from app.ledger.disputes import apply_dispute_answered, apply_dispute_raised, dispute_problem
from app.ledger.labour import apply_status_changed, status_change_problem
from app.ledger.referrals import (
    apply_referral_accepted,
    apply_referral_declined,
    apply_referral_hired,
    apply_referral_made,
    referral_problem,
)
from app.ledger.vacancies import apply_vacancy_closed, apply_vacancy_filled, apply_vacancy_posted, vacancy_problem
from events import (
    DISPUTE_ACCEPTED,
    DISPUTE_RAISED,
    DISPUTE_REJECTED,
    LABOUR_STATUS_CHANGED,
    REFERRAL_ACCEPTED,
    REFERRAL_DECLINED,
    REFERRAL_HIRED,
    REFERRAL_MADE,
    VACANCY_CLOSED,
    VACANCY_FILLED,
    VACANCY_POSTED,
    WorkEvent,
)

Check = Callable[[Session, WorkEvent], Problem | None]
Apply = Callable[[Session, WorkEvent], None]

JOB_HANDLERS: dict[str, tuple[Check, Apply]] = {
    LABOUR_STATUS_CHANGED: (status_change_problem, apply_status_changed),
    VACANCY_POSTED: (vacancy_problem, apply_vacancy_posted),
    VACANCY_FILLED: (vacancy_problem, apply_vacancy_filled),
    VACANCY_CLOSED: (vacancy_problem, apply_vacancy_closed),
    REFERRAL_MADE: (referral_problem, apply_referral_made),
    REFERRAL_ACCEPTED: (referral_problem, apply_referral_accepted),
    REFERRAL_DECLINED: (referral_problem, apply_referral_declined),
    REFERRAL_HIRED: (referral_problem, apply_referral_hired),
    # A worker's dispute and its answer go the same way: staged by their endpoints, applied before the work.
    DISPUTE_RAISED: (dispute_problem, apply_dispute_raised),
    DISPUTE_ACCEPTED: (dispute_problem, apply_dispute_answered),
    DISPUTE_REJECTED: (dispute_problem, apply_dispute_answered),
}


def job_problem(session: Session, event: WorkEvent) -> Problem | None:
    """Why `event` can never be applied as things stand, or None if it can."""
    return JOB_HANDLERS[event.type][0](session, event)


def apply_job(session: Session, event: WorkEvent) -> None:
    """Apply `event`, which `job_problem` found applicable in this transaction."""
    JOB_HANDLERS[event.type][1](session, event)
    session.flush()  # the work events of the batch read what it made (a hire's assignment)
