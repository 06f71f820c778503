"""One marshmallow schema per event type and version, and the upcasters between versions.

A new version is added by writing its schema, bumping CURRENT_VERSION and adding an
`upcast_<type>_v1_v2` to UPCASTERS: stored and in-flight v1 events are upgraded on read.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

ATTENDANCE_RECORDED = "attendance.recorded"
OUTPUT_RECORDED = "output.recorded"
OUTPUT_VOIDED = "output.voided"

ATTENDANCE_STATUSES = ("present", "half_day", "absent", "leave")
MAX_QUANTITY = 2**31 - 1


def encodable(value: str) -> None:
    """Refuse a NUL (JSON "\\u0000", which PostgreSQL text cannot hold) or a lone surrogate (JSON "\\ud800": a
    Python str, but no text that can be stored, logged or sent on), so refused at the door rather than
    failing a consumer's write, batch after batch."""
    if "\x00" in value:
        raise ValidationError("not text a database can store (NUL, U+0000)")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("not valid Unicode text (an unpaired surrogate)") from None


# Printable ids only: a NUL or control character cannot be stored in a PostgreSQL text column.
_Id = lambda: fields.String(  # noqa: E731
    required=True,
    validate=[validate.Length(1, 64), validate.Regexp(r"^[^\x00-\x1f\x7f]*\Z", error="no control characters"),
              encodable],
)


def _local(moment: time) -> None:
    # A shift's times are wall-clock times at the site; an offset would also make them incomparable.
    if moment.tzinfo is not None:
        raise ValidationError("a local time without a UTC offset")


_LocalTime = lambda: fields.Time(load_default=None, allow_none=True, validate=_local)  # noqa: E731


class AttendanceRecordedV1(Schema):
    worker_id = _Id()
    site_id = _Id()
    date = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))
    check_in = _LocalTime()
    check_out = _LocalTime()
    minutes = fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(0, 1440))

    @validates_schema
    def _times_are_consistent(self, data: dict[str, Any], **_kwargs: Any) -> None:
        check_in, check_out = data.get("check_in"), data.get("check_out")
        if (check_in is None) != (check_out is None):
            missing = "check_out" if check_out is None else "check_in"
            raise ValidationError("check_in and check_out go together", missing)
        if check_in is not None and data.get("minutes") is not None:
            raise ValidationError("give either check_in/check_out or minutes, not both", "minutes")
        if check_in is not None and check_out < check_in:
            raise ValidationError("check_out is before check_in", "check_out")


class OutputRecordedV1(Schema):
    worker_id = _Id()
    site_id = _Id()
    date = fields.Date(required=True)
    product = fields.String(required=True, validate=[validate.Length(1, 64), encodable])
    grade = fields.String(load_default="A", validate=[validate.Length(1, 8), encodable])
    # Capped at what the work records can store (a 32-bit INTEGER): a larger count could never be applied.
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(0, MAX_QUANTITY))


class OutputVoidedV1(Schema):
    worker_id = _Id()
    site_id = _Id()
    output_id = fields.UUID(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=500), encodable])


CURRENT_VERSION: dict[str, int] = {ATTENDANCE_RECORDED: 1, OUTPUT_RECORDED: 1, OUTPUT_VOIDED: 1}

DATA_SCHEMAS: dict[tuple[str, int], Schema] = {
    (ATTENDANCE_RECORDED, 1): AttendanceRecordedV1(),
    (OUTPUT_RECORDED, 1): OutputRecordedV1(),
    (OUTPUT_VOIDED, 1): OutputVoidedV1(),
}

# (type, from_version) -> pure function from the raw data of that version to the next one.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upcast(event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Raise raw `data` of `version` to the current version of `event_type`, step by step."""
    while version < CURRENT_VERSION[event_type]:
        data = UPCASTERS[(event_type, version)](data)
        version += 1
    return data
