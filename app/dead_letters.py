"""Operator actions on parked messages."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.db.models import DeadLetter
from app.db.models.types import utcnow
from events.bus import Bus, OutgoingMessage


def replay(session: Session, bus: Bus, letter: DeadLetter) -> None:
    """Put the parked message back on its topic in this transaction; if it fails again it is parked again."""
    bus.stage(session, [OutgoingMessage(letter.topic, letter.key, letter.payload.encode())])
    letter.status = "replayed"
    letter.replayed_at = utcnow()
