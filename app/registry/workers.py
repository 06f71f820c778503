"""A worker's personal numbers as the registry takes them: checked, and the national id held by one worker only.

The one-holder rule is kept twice: a search by the id's lookup hashes (under every lookup key, so a ring
in the middle of a rotation still finds the holder) names the holder, and the unique index on
`workers.national_id_hash` refuses the loser of two registrations at the same moment."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.crypto import keyring
from app.db.models import Worker
from app.registry.identity import NotAnIdentity, check_bank_account, check_national_id


class WorkerRefused(ValueError):
    """Fields of a worker that cannot be taken; `errors` maps each to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items()))
        self.errors = errors


def check_worker_numbers(data: dict[str, Any], today: date) -> list[str]:
    """Check the national id and bank account of `data` (writing the id in its one form back into it);
    return the warnings for the manager, or raise WorkerRefused naming every refused field."""
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    if data.get("national_id") is not None:
        try:
            data["national_id"] = check_national_id(data["national_id"], today)
        except NotAnIdentity as refused:
            errors["national_id"] = [str(refused)]
    if data.get("bank_account") is not None:
        try:
            warnings = check_bank_account(data["bank_account"])
        except NotAnIdentity as refused:
            errors["bank_account"] = [str(refused)]
    if errors:
        raise WorkerRefused(errors)
    return warnings


def holder_of(session: Session, national_id: str) -> Worker | None:
    """The worker registered with this national id, if any."""
    return session.scalars(select(Worker).where(Worker.national_id_hash.in_(keyring().lookup_hashes(national_id)))
                           .order_by(Worker.id).limit(1)).first()
