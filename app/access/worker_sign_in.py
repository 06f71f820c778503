"""Workers sign in with their mobile number and a one-time code sent to it: no password to remember.

A code is six digits, kept only as a keyed hash, good for `sign_in_code_minutes`, spent by its first right
use, by `MAX_WRONG_TRIES` wrong ones, or by asking for a newer one. A code is made for any number asked,
a worker's or not, and the pages answer the same either way, so they tell no one who is registered; it is
sent only to a number that is exactly one worker's. A worker's session holds a seal of their number: an
office that changes the number (a lost phone) ends every session signed in with the old one.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.access.tokens import Bearer
from app.db.crypto import keyring
from app.db.models import SignInCode, Worker
from app.db.models.types import utcnow
from app.db.phones import phone_lookup_value

WORKER_ROLE = "worker"
CODE_DIGITS = 6
MAX_WRONG_TRIES = 5
KEPT_AFTER_EXPIRY = timedelta(days=1)


@dataclass(frozen=True)
class CodeAsked:
    """A new code for a number: `worker_id` and `code` to send it when the number is one worker's."""

    phone_hash: str
    code: str
    worker_id: str | None


def ask_code(session: Session, number: str, minutes: int, now: datetime | None = None) -> CodeAsked:
    """A fresh code for `number` (a normal mobile number, app.db.phones.mobile_number); earlier ones are spent."""
    now = now or utcnow()
    ring = keyring()
    hashes = ring.lookup_hashes(phone_lookup_value(number))
    session.execute(update(SignInCode).where(SignInCode.phone_hash.in_(hashes), SignInCode.used_at.is_(None))
                    .values(used_at=now))
    # Codes are worth nothing once expired: a day on, they go (the table holds a day of asking, at most).
    session.execute(delete(SignInCode).where(SignInCode.expires_at < now - KEPT_AFTER_EXPIRY))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = SignInCode(phone_hash=hashes[0], code_hash="", created_at=now, expires_at=now + timedelta(minutes=minutes),
                     wrong_tries=0)
    session.add(row)
    session.flush()
    row.code_hash = _code_hash(row.id, code)
    return CodeAsked(hashes[0], code, _only_worker(session, hashes))


def redeem_code(session: Session, number: str, code: str, now: datetime | None = None) -> Worker | None:
    """The worker whose number this is, when `code` is its newest code, unspent and unexpired; None otherwise
    (a wrong code counts against the code, whoever holds the number)."""
    now = now or utcnow()
    hashes = keyring().lookup_hashes(phone_lookup_value(number))
    row = session.scalar(select(SignInCode).where(SignInCode.phone_hash.in_(hashes), SignInCode.used_at.is_(None))
                         .order_by(SignInCode.created_at.desc()).limit(1).with_for_update())
    if row is None or _aware(row.expires_at) <= now:
        return None
    if not hmac.compare_digest(row.code_hash, _code_hash(row.id, code.strip())):
        row.wrong_tries += 1
        if row.wrong_tries >= MAX_WRONG_TRIES:
            row.used_at = now
        return None
    row.used_at = now
    worker_id = _only_worker(session, hashes)
    return session.get(Worker, worker_id) if worker_id else None


def phone_seal(worker: Worker) -> str:
    """What a worker's session keeps of the number it signed in with: it changes when the number does."""
    return hashlib.sha256((worker.phone_hash or "").encode()).hexdigest()[:32]


def signed_in_worker(session: Session, worker_id: str, seal: str) -> Bearer | None:
    """The principal of a worker's page request, or None when the worker is gone or their number changed.
    Its region is no region's path and it supervises no site: every scope check but its own refuses it."""
    worker = session.get(Worker, worker_id)
    if worker is None or worker.phone_hash is None or not hmac.compare_digest(phone_seal(worker), seal):
        return None
    return Bearer(worker.id, WORKER_ROLE, f"worker:{worker.id}", frozenset())


def _only_worker(session: Session, hashes: list[str]) -> str | None:
    """The worker holding this number, when exactly one does (a number shared by two signs in neither)."""
    holders = session.scalars(select(Worker.id).where(Worker.phone_hash.in_(hashes)).limit(2)).all()
    return holders[0] if len(holders) == 1 else None


def _code_hash(code_id: str, code: str) -> str:
    key = keyring().derive(b"stablework sign-in codes")
    return hmac.new(key, f"{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
