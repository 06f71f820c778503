"""The CloudEvents 1.0 envelope (structured JSON mode) around every work event.

Parsing is the one door into the system: the API and the consumers both call
`parse_event`, so an event means the same thing wherever it enters.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import orjson
from marshmallow import ValidationError

from events.fast_parse import parse_plain
from events.schemas import CURRENT_VERSION, DATA_SCHEMAS, upcast
from events.work_event import FIRST_VERSION, JSON_CONTENT, SPEC_VERSION, EnvelopeSchema, WorkEvent, format_time

__all__ = [
    "CONTENT_HASH_HEADER", "FIRST_VERSION", "JSON_CONTENT", "SPEC_VERSION", "InvalidEvent", "WorkEvent",
    "content_hash", "decode_event", "encode_event", "format_time", "hash_encoded", "hash_headers",
    "message_hash", "new_event_id", "parse_event", "to_cloudevent",
]


class InvalidEvent(ValueError):
    """An event that is not well-formed; `errors` maps field paths to messages."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(json.dumps(errors, sort_keys=True, default=str))
        self.errors = errors


_envelope = EnvelopeSchema()


def parse_event(raw: Any) -> WorkEvent:
    """Validate a structured CloudEvent (a dict) and upcast its data; raise InvalidEvent."""
    if not isinstance(raw, dict):
        raise InvalidEvent({"_schema": ["an event is a JSON object"]})
    # The schemas are the largest cost of both the API's batches and the consumers: the plain reader takes
    # the usual event far more cheaply and leaves every other one to them.
    return parse_plain(raw) or _parse_with_schemas(raw)


def _parse_with_schemas(raw: dict[str, Any]) -> WorkEvent:
    """What an event means: the plain reader (events.fast_parse) may only ever agree with this."""
    try:
        envelope = _envelope.load(raw)
    except ValidationError as error:
        raise InvalidEvent(_as_dict(error.messages)) from None
    try:
        # +08:00 on 0001-01-01 is before year 1 in UTC: a datetime cannot hold it.
        moment = envelope["time"].astimezone(UTC)
    except OverflowError:
        raise InvalidEvent({"time": ["out of range once converted to UTC"]}) from None
    event_type, version = envelope["type"], envelope["dataversion"]
    if version > CURRENT_VERSION[event_type]:
        raise InvalidEvent({"dataversion": [f"unknown version {version} of {event_type}"]})
    try:
        data = DATA_SCHEMAS[(event_type, CURRENT_VERSION[event_type])].load(
            upcast(event_type, version, envelope["data"])
        )
    except ValidationError as error:
        raise InvalidEvent({"data": _as_dict(error.messages)}) from None
    if "output_id" in data:
        data["output_id"] = str(data["output_id"])
    return WorkEvent(
        id=str(envelope["id"]),
        type=event_type,
        source=envelope["source"],
        time=moment,
        data=data,
    )


def to_cloudevent(event: WorkEvent) -> dict[str, Any]:
    """The canonical structured form of an event, at its current version."""
    return {
        "specversion": SPEC_VERSION,
        "id": event.id,
        "type": event.type,
        "source": event.source,
        "time": event.time_text,
        "datacontenttype": "application/json",
        "dataversion": CURRENT_VERSION[event.type],
        "data": _dump_data(event),
    }


_PLAIN = (str, int, bool, type(None))


def _dump_data(event: WorkEvent) -> dict[str, Any]:
    """The schema's dump of the data, written out for the types it holds today: strings, numbers, dates and
    times (ISO 8601, as marshmallow writes them), because `schema.dump` is costly on every event the API takes
    in and every event a consumer hashes; anything else still goes through the schema."""
    data = {}
    for name, value in event.data.items():
        if isinstance(value, _PLAIN):
            data[name] = value
        elif isinstance(value, date | time) and not isinstance(value, datetime):
            data[name] = value.isoformat()
        else:
            return DATA_SCHEMAS[(event.type, CURRENT_VERSION[event.type])].dump(event.data)
    return data


def encode_event(event: WorkEvent) -> bytes:
    return json.dumps(to_cloudevent(event), sort_keys=True, separators=(",", ":")).encode()


def decode_event(value: bytes) -> WorkEvent:
    """Parse a message value; raise InvalidEvent for anything but a valid event. What a value means is
    `parse_event(json.loads(value))`; the usual event is read faster, as the same event."""
    return _decode_plain(value) or _decode_with_json(value)


def _decode_plain(value: bytes) -> WorkEvent | None:
    # orjson is the cheaper reader of a message. Where it and json differ, orjson refuses (NaN, a BOM, a lone
    # surrogate) or reads a float (an integer beyond 64 bits): the plain reader takes neither a float nor a
    # refusal, so json then reads it, and its reading stands.
    try:
        return parse_plain(orjson.loads(value))
    except orjson.JSONDecodeError:
        return None


def _decode_with_json(value: bytes) -> WorkEvent:
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidEvent({"_schema": [f"not JSON: {error}"]}) from None
    except RecursionError:
        raise InvalidEvent({"_schema": ["not JSON an event can be: nested too deeply"]}) from None
    return parse_event(raw)


def content_hash(event: WorkEvent) -> str:
    """Same id and same hash is a redelivery; same id and another hash is a conflict."""
    return hash_encoded(encode_event(event))


def hash_encoded(value: bytes) -> str:
    """The content hash of an event already encoded by `encode_event` (saves encoding it twice)."""
    return hashlib.sha256(value).hexdigest()


# A message header, set only on a value that is `encode_event`'s bytes (the API's, through the outbox): their
# content hash, so that a consumer need not encode the event again to hash it.
CONTENT_HASH_HEADER = "stablework-content-hash"


def hash_headers(digest: str) -> dict[str, str]:
    """The headers of a message whose value is `encode_event`'s bytes, given their `hash_encoded` digest."""
    return {CONTENT_HASH_HEADER: digest}


def message_hash(event: WorkEvent, value: bytes, headers: Mapping[str, str]) -> str:
    """`content_hash(event)` of a message's event: read off the message when its header vouches that the value
    is the canonical encoding. A header that is not the hash of these very bytes is ignored, so another
    producer's message (or a dead letter replayed as it was first written) is hashed from its event."""
    claimed = headers.get(CONTENT_HASH_HEADER)
    if claimed is not None and claimed == hash_encoded(value):
        return claimed
    return content_hash(event)


def new_event_id() -> str:
    return str(uuid.uuid4())


def _as_dict(messages: Any) -> dict[str, Any]:
    return messages if isinstance(messages, dict) else {"_schema": messages}
