"""The CloudEvents 1.0 envelope (structured JSON mode) around every work event.

Parsing is the one door into the system: the API and the consumers both call
`parse_event`, so an event means the same thing wherever it enters.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from events.schemas import CURRENT_VERSION, DATA_SCHEMAS, upcast

SPEC_VERSION = "1.0"


class InvalidEvent(ValueError):
    """An event that is not well-formed; `errors` maps field paths to messages."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(json.dumps(errors, sort_keys=True, default=str))
        self.errors = errors


@dataclass(frozen=True)
class WorkEvent:
    id: str
    type: str
    source: str
    time: datetime  # aware, UTC
    data: dict[str, Any]  # loaded by the schema of the current version: dates are `date`s

    @property
    def worker_id(self) -> str:
        return self.data["worker_id"]

    @property
    def site_id(self) -> str:
        return self.data["site_id"]

    @property
    def order_key(self) -> str:
        """Sorts events the way DOMAIN.md orders them: later `time` wins, ties by larger id."""
        return f"{format_time(self.time)}|{self.id}"


class _EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # CloudEvents extension attributes we don't use are not content

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(CURRENT_VERSION)))
    source = fields.String(required=True, validate=validate.Length(1, 200))
    time = fields.AwareDateTime(required=True)
    datacontenttype = fields.String(validate=validate.Equal("application/json"))
    dataversion = fields.Integer(load_default=1, validate=validate.Range(min=1))
    data = fields.Dict(required=True)


_envelope = _EnvelopeSchema()


def parse_event(raw: Any) -> WorkEvent:
    """Validate a structured CloudEvent (a dict) and upcast its data; raise InvalidEvent."""
    if not isinstance(raw, dict):
        raise InvalidEvent({"_schema": ["an event is a JSON object"]})
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
        "time": format_time(event.time),
        "datacontenttype": "application/json",
        "dataversion": CURRENT_VERSION[event.type],
        "data": _dump_data(event),
    }


_PLAIN = (str, int, bool, type(None))


def _dump_data(event: WorkEvent) -> dict[str, Any]:
    """The schema's dump of the data, written out for the types it holds today: strings, numbers, dates and
    times (ISO 8601, as marshmallow writes them). A third of the cost of `schema.dump` on every event the API
    takes in and every event a consumer hashes; anything else still goes through the schema."""
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
    """Parse a message value; raise InvalidEvent for anything but a valid event."""
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidEvent({"_schema": [f"not JSON: {error}"]}) from None
    return parse_event(raw)


def content_hash(event: WorkEvent) -> str:
    """Same id and same hash is a redelivery; same id and another hash is a conflict."""
    return hash_encoded(encode_event(event))


def hash_encoded(value: bytes) -> str:
    """The content hash of an event already encoded by `encode_event` (saves encoding it twice)."""
    return hashlib.sha256(value).hexdigest()


def format_time(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the instant it names (strftime would write year 999 as "999")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite hands back our UTC timestamps without their zone
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def new_event_id() -> str:
    return str(uuid.uuid4())


def _as_dict(messages: Any) -> dict[str, Any]:
    return messages if isinstance(messages, dict) else {"_schema": messages}
