"""A labourer's profile replaced whole, with what is kept from it: the counts of those willing to go out, their
days at work, and matching's row of the labourer, in the same transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.db.models import LabourProfile
from app.ledger.labour import derive_work
from app.ledger.labour_counts import keep_willingness


def save_profile(session: Session, worker_id: str, data: dict[str, Any]) -> LabourProfile:
    profile = session.get(LabourProfile, worker_id) or LabourProfile(worker_id=worker_id)
    was_willing = bool(profile.willing_to_go_out)
    for name, value in data.items():
        setattr(profile, name, value)
    session.add(profile)
    session.flush()
    keep_willingness(session, worker_id, was_willing, profile.willing_to_go_out)
    derive_work(session, [worker_id])  # a new labourer's assignments count as work; and matching's row with them
    return profile
