"""Dead letters. A message that can never be applied, whatever its bytes, is parked: a row operators can
list and replay, and a copy on the dead-letter topic with the reason in its headers (staged in the batch's
transaction). Its text is kept as readable previews; the operator's replay puts it back on its topic."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import DeadLetter
from app.db.models.types import utcnow
from events import InvalidEvent, decode_event
from events.bus import MAX_VALUE_BYTES, Bus, Message, OutgoingMessage

PAYLOAD_PREVIEW_CHARS = 2000
KEY_PREVIEW_CHARS = 200  # the width of the key columns
ELLIPSIS = "…"
EVENT_ID_CHARS, EVENT_TYPE_CHARS = 64, 100  # the widths of the dead letter's columns


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
    raw_key = key_bytes(message.key)
    key = preview(raw_key, KEY_PREVIEW_CHARS) if raw_key is not None else None
    if letter is None:
        letter = DeadLetter(fingerprint=mark, topic=message.topic, payload=preview(message.value),
                            value=message.value, key=key, raw_key=raw_key, attempts=0,
                            headers=_storable_headers(message.headers))
        session.add(letter)
    if event_id is None:
        event_id, event_type = readable_identity(message.value)
    letter.status, letter.reason, letter.errors = "parked", preview(reason.encode(), 1000), errors
    letter.event_id, letter.event_type = event_id, event_type
    letter.attempts += 1
    letter.last_seen_at = utcnow()
    bus.stage(session, [_copy(dead_letter_topic, key, message, letter.reason)])
    return True


def _copy(dead_letter_topic: str, key: str | None, message: Message, reason: str) -> OutgoingMessage:
    """The dead-letter topic's copy; a value too large to publish stays in the store alone, or the relay would
    retry publishing it for ever."""
    headers = {"reason": reason, "source-topic": message.topic,
               "source-partition": str(message.partition), "source-offset": str(message.offset)}
    if len(message.value) > MAX_VALUE_BYTES:
        return OutgoingMessage(dead_letter_topic, key, b"", {**headers, "value-omitted-bytes": str(len(message.value))})
    return OutgoingMessage(dead_letter_topic, key, message.value, headers)


def _storable_headers(headers: dict[str, str]) -> dict[str, str] | None:
    """The headers as text a JSON column holds: a value that is not UTF-8 (or holds NUL) as its preview."""
    def text(value: str, limit: int) -> str:
        return preview(value.encode(errors="surrogateescape"), limit)

    return {text(name, KEY_PREVIEW_CHARS): text(value, PAYLOAD_PREVIEW_CHARS)
            for name, value in headers.items()} or None


def readable_identity(value: bytes) -> tuple[str | None, str | None]:
    """The `id` and `type` of a message that is not a valid event, where its JSON still tells them, so the
    dead letter can be found by the id a device logged."""
    try:
        envelope = json.loads(value)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, None
    if not isinstance(envelope, dict):
        return None, None
    return _readable(envelope.get("id"), EVENT_ID_CHARS), _readable(envelope.get("type"), EVENT_TYPE_CHARS)


def _readable(field: Any, limit: int) -> str | None:
    return field if isinstance(field, str) and field and storable(field, limit) else None


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
