"""Dead letters: readable previews of what was parked, and the operator's replay."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.db.models import DeadLetter
from app.db.models.types import utcnow
from events import InvalidEvent, decode_event
from events.bus import MAX_VALUE_BYTES, Bus, OutgoingMessage

PAYLOAD_PREVIEW_CHARS = 2000
KEY_PREVIEW_CHARS = 200  # the width of the key columns
ELLIPSIS = "…"


def preview(raw: bytes, limit: int = PAYLOAD_PREVIEW_CHARS) -> str:
    """Text any database column holds that reads as `raw`: UTF-8 as it is, any other byte and NUL written
    as a \\xNN escape, cut to `limit` characters (ending in an ellipsis when cut)."""
    text = raw.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def key_bytes(key: str | None) -> bytes | None:
    """The bytes of a message key as the bus read them (undecodable bytes are carried as surrogates)."""
    return key.encode("utf-8", errors="surrogateescape") if key is not None else None


def storable(text: str, limit: int = KEY_PREVIEW_CHARS) -> bool:
    """Whether `text` goes into a text column as it is (PostgreSQL refuses NUL and unencodable characters)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text and len(text) <= limit


class TooLargeToReplay(ValueError):
    """The parked value is larger than the bus is sure to carry: sending it back would stop the relay."""


def replay(session: Session, bus: Bus, letter: DeadLetter) -> None:
    """Put the parked message back on its topic, its exact bytes, in this transaction; if it fails again it is
    parked again. An event goes back keyed by its worker, as the consumers require. Raise TooLargeToReplay."""
    if len(letter.value) > MAX_VALUE_BYTES:
        raise TooLargeToReplay(f"{len(letter.value)} bytes, more than the {MAX_VALUE_BYTES} a message may hold")
    bus.stage(session, [OutgoingMessage(letter.topic, _replay_key(letter), letter.value, letter.headers or {})])
    letter.status = "replayed"
    letter.replayed_at = utcnow()


def _replay_key(letter: DeadLetter) -> str | None:
    try:
        return decode_event(letter.value).worker_id
    except InvalidEvent:
        pass
    if letter.raw_key is None:
        return None
    key = letter.raw_key.decode("utf-8", errors="surrogateescape")
    return key if storable(key) else letter.key
