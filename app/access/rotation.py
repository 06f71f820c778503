"""Re-encrypting personal data under the newest data key: `flask --app app rotate-data-key`.

Every encrypted column of `workers` (and of `vacancy_interests`, the names and phones left on vacancies'
public pages, and of `payment_lines`, the account each line was sent to) is rewritten with the ring's first
key, and the lookup hashes of the national id, phone and bank account with the first lookup key, a batch of
rows per transaction; a run stopped half-way is simply run again. The values do not change, so the audit log
records nothing of it.
"""
from __future__ import annotations

from sqlalchemy import Text, column, select, table, update
from sqlalchemy.orm import sessionmaker

from app.db.crypto import Encrypted, KeyRing
from app.db.models import PaymentLine, VacancyInterest, Worker
from app.db.phones import phone_hash

# Each with a lookup hash beside it, made as the model makes it (app.db.models.registry).
HASHED = {"national_id": KeyRing.lookup_hash, "phone": phone_hash, "bank_account": KeyRing.lookup_hash}
ENCRYPTED = tuple(c.name for c in Worker.__table__.columns if isinstance(c.type, Encrypted))

# The stored tokens as they are (the mapped columns would decrypt them).
_workers = table("workers", column("id"), *(column(f"{name}_hash") for name in HASHED),
                 *(column(name, Text) for name in ENCRYPTED))


def _tokens_of(model) -> tuple:
    """`model`'s table with its id and its encrypted columns as stored, and those columns' names."""
    names = tuple(c.name for c in model.__table__.columns if isinstance(c.type, Encrypted))
    return table(model.__tablename__, column("id"), *(column(name, Text) for name in names)), names


# Tables whose encrypted values are only read back, never looked up by hash.
_OTHERS = (_tokens_of(VacancyInterest), _tokens_of(PaymentLine))


def rotate_data_key(sessions: sessionmaker, ring: KeyRing, batch: int = 500) -> int:
    """Rewrite every worker's personal data under `ring`'s newest keys; the number of workers done."""
    done, after = 0, ""
    while True:
        with sessions.begin() as session:
            rows = session.execute(select(_workers).where(_workers.c.id > after)
                                   .order_by(_workers.c.id).limit(batch)).all()
            for row in rows:
                stored = row._mapping
                values = {name: ring.rotate(stored[name]) for name in ENCRYPTED if stored[name] is not None}
                for name, lookup_hash in HASHED.items():
                    if stored[f"{name}_encrypted"] is not None:
                        values[f"{name}_hash"] = lookup_hash(ring, ring.decrypt(stored[f"{name}_encrypted"]))
                if values:
                    session.execute(update(_workers).where(_workers.c.id == row.id).values(**values))
        if not rows:
            for tokens, names in _OTHERS:
                _rotate_table(sessions, ring, tokens, names, batch)
            return done
        done, after = done + len(rows), rows[-1].id


def _rotate_table(sessions: sessionmaker, ring: KeyRing, tokens, names: tuple[str, ...], batch: int) -> None:
    after = None
    while True:
        with sessions.begin() as session:
            query = select(tokens).order_by(tokens.c.id).limit(batch)
            rows = session.execute(query if after is None else query.where(tokens.c.id > after)).all()
            for row in rows:
                values = {name: ring.rotate(row._mapping[name]) for name in names if row._mapping[name] is not None}
                if values:
                    session.execute(update(tokens).where(tokens.c.id == row.id).values(**values))
        if not rows:
            return
        after = rows[-1].id
