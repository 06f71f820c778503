"""The plain reader: the usual current-version event read without the schemas, for speed, and never
with another meaning. Stricter than the schemas, never more lenient: whatever it returns, the schemas'
path of `events.envelope` returns too; in any doubt it answers None and the schemas decide."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from marshmallow import Schema, ValidationError, validate

from events.schemas import (
    ATTENDANCE_STATUSES,
    CURRENT_VERSION,
    DATA_SCHEMAS,
    MAX_QUANTITY,
    AttendanceRecordedV1,
    OutputRecordedV1,
    OutputVoidedV1,
    encodable,
)
from events.work_event import FIRST_VERSION, JSON_CONTENT, SPEC_VERSION, EnvelopeSchema, WorkEvent


class _Unsure(Exception):
    """The plain reader cannot vouch for an input: the schemas decide, and word the errors."""


def parse_plain(raw: dict[str, Any]) -> WorkEvent | None:
    """The usual current-version event, read without the schemas; None when in any doubt.

    Stricter than the schemas, never more lenient: whatever it returns, `envelope._parse_with_schemas` returns
    too."""
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
_SOURCE = _bounds(EnvelopeSchema, "source")
_ID_MAX = _bounds(AttendanceRecordedV1, "worker_id")[1]  # every id of every schema is an `_Id()`
_MINUTES = _bounds(AttendanceRecordedV1, "minutes")
_PRODUCT = _bounds(OutputRecordedV1, "product")
_GRADE = _bounds(OutputRecordedV1, "grade")
_GRADE_DEFAULT = OutputRecordedV1().fields["grade"].load_default
_REASON_MAX = _bounds(OutputVoidedV1, "reason")[1]
