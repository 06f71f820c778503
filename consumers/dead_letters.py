"""Park a message that can never be applied: a row operators can list and replay, and a
copy on the dead-letter topic with the reason in its headers (staged in the batch's transaction)."""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import DeadLetter
from app.db.models.types import utcnow
from events.bus import Bus, Message, OutgoingMessage


def fingerprint(topic: str, value: bytes) -> str:
    return hashlib.sha256(topic.encode() + b"\0" + value).hexdigest()


def park(
    session: Session, bus: Bus, dead_letter_topic: str, message: Message, reason: str,
    errors: dict[str, Any] | None = None, event_id: str | None = None, event_type: str | None = None,
) -> bool:
    """Park `message`; a redelivery of a parked message changes nothing. True if newly parked."""
    mark = fingerprint(message.topic, message.value)
    letter = session.scalar(select(DeadLetter).where(DeadLetter.fingerprint == mark))
    if letter is not None and letter.status == "parked":
        letter.last_seen_at = utcnow()
        return False
    if letter is None:
        letter = DeadLetter(fingerprint=mark, topic=message.topic, payload=message.value.decode(errors="replace"),
                            key=message.key, attempts=0)
        session.add(letter)
    letter.status, letter.reason, letter.errors = "parked", reason, errors
    letter.event_id, letter.event_type = event_id, event_type
    letter.attempts += 1
    letter.last_seen_at = utcnow()
    bus.stage(session, [OutgoingMessage(
        dead_letter_topic, message.key, message.value,
        {"reason": reason[:1000], "source-topic": message.topic,
         "source-partition": str(message.partition), "source-offset": str(message.offset)},
    )])
    return True
