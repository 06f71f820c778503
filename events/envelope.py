"""The CloudEvents 1.0 envelope (structured JSON mode) around every work event.

Parsing is the one door into the system: the API and the consumers both call
`parse_event`, so an event means the same thing wherever it enters.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import orjson
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from events.schemas import (
    ATTENDANCE_STATUSES,
    CURRENT_VERSION,
    DATA_SCHEMAS,
    MAX_QUANTITY,
    AttendanceRecordedV1,
    OutputRecordedV1,
    OutputVoidedV1,
    encodable,
    upcast,
)

SPEC_VERSION = "1.0"
JSON_CONTENT = "application/json"
FIRST_VERSION = 1  # an event without a dataversion was written before versions were counted


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
        """Sorts events the way docs/domain.md orders them: later `time` wins, ties by larger id."""
        return f"{format_time(self.time)}|{self.id}"


class _EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # CloudEvents extension attributes we don't use are not content

    specversion = fields.String(required=True, validate=validate.Equal(SPEC_VERSION))
    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(sorted(CURRENT_VERSION)))
    source = fields.String(required=True, validate=[validate.Length(1, 200), encodable])
    time = fields.AwareDateTime(required=True)
    datacontenttype = fields.String(validate=validate.Equal(JSON_CONTENT))
    dataversion = fields.Integer(load_default=FIRST_VERSION, validate=validate.Range(min=FIRST_VERSION))
    data = fields.Dict(required=True)


_envelope = _EnvelopeSchema()


def parse_event(raw: Any) -> WorkEvent:
    """Validate a structured CloudEvent (a dict) and upcast its data; raise InvalidEvent."""
    if not isinstance(raw, dict):
        raise InvalidEvent({"_schema": ["an event is a JSON object"]})
    # The schemas are the largest cost of both the API's batches and the consumers (docs/benchmarks.md); the
    # plain reader takes the usual event at a fraction of their cost and leaves every other one to the schemas.
    return _parse_plain(raw) or _parse_with_schemas(raw)


def _parse_with_schemas(raw: dict[str, Any]) -> WorkEvent:
    """What an event means: the fast reader below may only ever agree with this."""
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


class _Unsure(Exception):
    """The plain reader cannot vouch for an input: the schemas decide, and word the errors."""


def _parse_plain(raw: dict[str, Any]) -> WorkEvent | None:
    """The usual current-version event, read without the schemas; None when in any doubt.

    Stricter than the schemas, never more lenient: whatever it returns, `_parse_with_schemas` returns too."""
    try:
        return _read_plain(raw)
    except _Unsure:
        return None


def _read_plain(raw: dict[str, Any]) -> WorkEvent:
    if type(raw) is not dict:
        raise _Unsure  # a Mapping subclass may answer `get` its own way
    event_type = _plain_str(raw.get("type"))  # first a str: a list would not even hash
    if _plain_str(raw.get("specversion")) != SPEC_VERSION or event_type not in _TYPES:
        raise _Unsure
    version = raw.get("dataversion", FIRST_VERSION)
    # An older version is upcast by the schemas' path; True is no version and "1" is left to them.
    if type(version) is not int or version != CURRENT_VERSION[event_type]:
        raise _Unsure
    if _plain_str(raw.get("datacontenttype", JSON_CONTENT)) != JSON_CONTENT:
        raise _Unsure
    read_data = _PLAIN_READERS.get(type(DATA_SCHEMAS.get((event_type, version))))
    data = raw.get("data")
    if read_data is None or type(data) is not dict:
        raise _Unsure  # a version nobody wrote a plain reader for yet
    return WorkEvent(id=_plain_uuid(raw.get("id")), type=event_type, source=_plain_text(raw.get("source"), *_SOURCE),
                     time=_plain_moment(raw.get("time")), data=read_data(data))


def _plain_str(value: Any) -> str:
    if type(value) is not str:
        raise _Unsure
    try:
        encodable(value)  # a lone surrogate: the schemas refuse it, and word why
    except ValidationError:
        raise _Unsure from None
    return value


_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _plain_uuid(value: Any) -> str:
    """A UUID written 8-4-4-4-12 (any case); str(uuid.UUID(...)) of it is its lower case."""
    if _CANONICAL_UUID.fullmatch(_plain_str(value)) is None:
        raise _Unsure  # braces, urn:uuid:, no dashes, spaces...: uuid.UUID's own reading, in the schemas
    return value.lower()


def _plain_moment(value: Any) -> datetime:
    moment = _plain_iso(datetime, value)
    if moment.utcoffset() is None:
        raise _Unsure
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise _Unsure from None


def _plain_iso(kind: type[date] | type[time], value: Any) -> Any:
    """The very parser marshmallow's Date, Time and DateTime fields use, so an accepted spelling means the same."""
    try:
        return kind.fromisoformat(_plain_str(value))
    except ValueError:
        raise _Unsure from None


def _plain_id(value: Any) -> str:
    # isprintable() refuses every control character the schemas' pattern does, and more (the schemas let a
    # trailing newline through, since `$` matches before one): those are left to them.
    if not 0 < len(_plain_str(value)) <= _ID_MAX or not value.isprintable():
        raise _Unsure
    return value


def _plain_int(value: Any, low: int, high: int) -> int:
    # `type is int` refuses bool, which strict Integer fields refuse too.
    if type(value) is not int or not low <= value <= high:
        raise _Unsure
    return value


def _plain_text(value: Any, low: int, high: int) -> str:
    if not low <= len(_plain_str(value)) <= high:
        raise _Unsure
    return value


def _plain_fields(data: dict[str, Any], schema: type) -> None:
    # The data schemas raise on a field they don't know, and the fast readers only read what they know.
    if not data.keys() <= _FIELDS[schema]:
        raise _Unsure


def _plain_local_time(value: Any) -> time | None:
    if value is None:
        return None
    moment = _plain_iso(time, value)
    if moment.tzinfo is not None:
        raise _Unsure
    return moment


def _read_attendance(data: dict[str, Any]) -> dict[str, Any]:
    _plain_fields(data, AttendanceRecordedV1)
    check_in, check_out = _plain_local_time(data.get("check_in")), _plain_local_time(data.get("check_out"))
    minutes = data.get("minutes")
    if minutes is not None:
        minutes = _plain_int(minutes, *_MINUTES)
    status = _plain_str(data.get("status"))
    if status not in ATTENDANCE_STATUSES or (check_in is None) != (check_out is None):
        raise _Unsure
    if check_in is not None and (minutes is not None or check_out < check_in):
        raise _Unsure
    return {"worker_id": _plain_id(data.get("worker_id")), "site_id": _plain_id(data.get("site_id")),
            "date": _plain_iso(date, data.get("date")), "status": status, "check_in": check_in,
            "check_out": check_out, "minutes": minutes}


def _read_output(data: dict[str, Any]) -> dict[str, Any]:
    _plain_fields(data, OutputRecordedV1)
    return {"worker_id": _plain_id(data.get("worker_id")), "site_id": _plain_id(data.get("site_id")),
            "date": _plain_iso(date, data.get("date")), "product": _plain_text(data.get("product"), *_PRODUCT),
            "grade": _plain_text(data.get("grade", _GRADE_DEFAULT), *_GRADE),
            "quantity": _plain_int(data.get("quantity"), 0, MAX_QUANTITY)}


def _read_void(data: dict[str, Any]) -> dict[str, Any]:
    _plain_fields(data, OutputVoidedV1)
    reason = data.get("reason")
    return {"worker_id": _plain_id(data.get("worker_id")), "site_id": _plain_id(data.get("site_id")),
            "output_id": _plain_uuid(data.get("output_id")),
            "reason": None if reason is None else _plain_text(reason, 0, _REASON_MAX)}


def _bounds(schema: type[Schema], name: str) -> tuple[int, int]:
    """The (min, max) of a field's Length or Range rule, read off the schema so that the two cannot drift."""
    rules = schema().fields[name].validators
    (rule,) = [rule for rule in rules if isinstance(rule, validate.Length | validate.Range)]
    return rule.min or 0, rule.max


# Keyed by the schema class each reader restates: a new version's schema has no reader until one is written.
_PLAIN_READERS = {AttendanceRecordedV1: _read_attendance, OutputRecordedV1: _read_output, OutputVoidedV1: _read_void}
_FIELDS = {schema: frozenset(schema().fields) for schema in _PLAIN_READERS}
_TYPES = frozenset(CURRENT_VERSION)  # what the envelope's OneOf was built from, at the same moment
_SOURCE = _bounds(_EnvelopeSchema, "source")
_ID_MAX = _bounds(AttendanceRecordedV1, "worker_id")[1]  # every id of every schema is an `_Id()`
_MINUTES = _bounds(AttendanceRecordedV1, "minutes")
_PRODUCT = _bounds(OutputRecordedV1, "product")
_GRADE = _bounds(OutputRecordedV1, "grade")
_GRADE_DEFAULT = OutputRecordedV1().fields["grade"].load_default
_REASON_MAX = _bounds(OutputVoidedV1, "reason")[1]


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
    """Parse a message value; raise InvalidEvent for anything but a valid event. What a value means is
    `parse_event(json.loads(value))`; the usual event is read faster, as the same event."""
    return _decode_plain(value) or _decode_with_json(value)


def _decode_plain(value: bytes) -> WorkEvent | None:
    # orjson reads a message several times faster than json, a cost paid for every event. Where the
    # two differ, orjson refuses (NaN, a BOM, a lone surrogate) or reads a float (an integer beyond 64 bits):
    # the plain reader takes neither a float nor a refusal, so json then reads it, and its reading stands.
    try:
        return _parse_plain(orjson.loads(value))
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
# content hash. Encoding an event again to hash it was about 7% of a consumer's CPU an event.
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


def format_time(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the instant it names (strftime would write year 999 as "999")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite hands back our UTC timestamps without their zone
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def new_event_id() -> str:
    return str(uuid.uuid4())


def _as_dict(messages: Any) -> dict[str, Any]:
    return messages if isinstance(messages, dict) else {"_schema": messages}
