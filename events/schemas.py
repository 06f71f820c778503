"""One marshmallow schema per event type and version, and the upcasters between versions.

A new version is added by writing its schema, bumping CURRENT_VERSION and adding an
`upcast_<type>_v1_v2` to UPCASTERS: stored and in-flight v1 events are upgraded on read.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from labour.vocabulary import LABOUR_STATUSES, PHYSICAL_DEMANDS, SKILLS, WORK_KINDS
from payroll import InvalidScheme, scheme_from_dict

ATTENDANCE_RECORDED = "attendance.recorded"
OUTPUT_RECORDED = "output.recorded"
OUTPUT_VOIDED = "output.voided"
LABOUR_STATUS_CHANGED = "labour.status_changed"
VACANCY_POSTED = "vacancy.posted"
VACANCY_FILLED = "vacancy.filled"
VACANCY_CLOSED = "vacancy.closed"
REFERRAL_MADE = "referral.made"
REFERRAL_ACCEPTED = "referral.accepted"
REFERRAL_DECLINED = "referral.declined"
REFERRAL_HIRED = "referral.hired"
ASSIGNMENT_END_CHANGED = "assignment.end_changed"
ASSIGNMENT_SCHEME_CHANGED = "assignment.scheme_changed"
ASSIGNMENT_TRANSFERRED = "assignment.transferred"
DISPUTE_RAISED = "dispute.raised"
DISPUTE_ACCEPTED = "dispute.accepted"
DISPUTE_REJECTED = "dispute.rejected"
# Events of the jobs area: on the same topic as the work events, keyed as WorkEvent.key says.
VACANCY_EVENTS = (VACANCY_POSTED, VACANCY_FILLED, VACANCY_CLOSED)
JOB_EVENTS = (LABOUR_STATUS_CHANGED, *VACANCY_EVENTS, REFERRAL_MADE, REFERRAL_ACCEPTED, REFERRAL_DECLINED,
              REFERRAL_HIRED)
# Changes of an assignment's terms: keyed by the worker, so read in order with the worker's work.
ASSIGNMENT_EVENTS = (ASSIGNMENT_END_CHANGED, ASSIGNMENT_SCHEME_CHANGED, ASSIGNMENT_TRANSFERRED)
# A worker's dispute of a day and the supervisor's answer: keyed by the worker, ahead of the correction it makes.
DISPUTE_EVENTS = (DISPUTE_RAISED, DISPUTE_ACCEPTED, DISPUTE_REJECTED)
# Made only through their endpoints, which check who may make them: never taken from POST /events.
STAGED_EVENTS = (*JOB_EVENTS, *ASSIGNMENT_EVENTS, *DISPUTE_EVENTS)

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


_Text = lambda limit: fields.String(  # noqa: E731
    load_default=None, allow_none=True, validate=[validate.Length(max=limit), encodable])
_Codes = lambda vocabulary: fields.List(  # noqa: E731
    fields.String(validate=validate.OneOf(sorted(vocabulary))), load_default=list, validate=validate.Length(max=30))


def _wage_scheme(value: dict[str, Any]) -> None:
    try:
        scheme_from_dict(value)
    except (InvalidScheme, TypeError) as error:
        raise ValidationError(f"not a wage scheme: {error}") from None


class LabourStatusChangedV1(Schema):
    worker_id = _Id()
    status = fields.String(required=True, validate=validate.OneOf(sorted(LABOUR_STATUSES)))
    date = fields.Date(required=True)  # effective from this day
    region_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 32))
    place = _Text(200)
    note = _Text(500)


class VacancyPostedV1(Schema):
    vacancy_id = _Id()
    site_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    employer_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    title = fields.String(required=True, validate=[validate.Length(1, 200), encodable])
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(sorted(WORK_KINDS)))
    count = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100_000))
    skills = _Codes(SKILLS)
    physical_demand = fields.String(required=True, validate=validate.OneOf(sorted(PHYSICAL_DEMANDS)))
    scheme = fields.Dict(required=True, validate=_wage_scheme)
    full_time = fields.Boolean(load_default=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(load_default=None, allow_none=True)
    housing = fields.Boolean(load_default=False)
    poor_first = fields.Boolean(load_default=False)
    description = _Text(2000)
    posted_by = _Text(200)

    @validates_schema
    def _one_place_and_dates_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if (data.get("site_id") is None) == (data.get("employer_id") is None):
            raise ValidationError("give either site_id or employer_id", "site_id")
        if data.get("end_date") is not None and data["end_date"] < data["start_date"]:
            raise ValidationError("end_date is before start_date", "end_date")


class VacancyFilledV1(Schema):
    vacancy_id = _Id()
    note = _Text(500)


class VacancyClosedV1(Schema):
    vacancy_id = _Id()
    reason = fields.String(required=True, validate=[validate.Length(1, 500), encodable])


class ReferralMadeV1(Schema):
    referral_id = _Id()
    vacancy_id = _Id()
    worker_id = _Id()
    note = _Text(500)
    referred_by = _Text(200)


class ReferralAcceptedV1(Schema):
    referral_id = _Id()
    vacancy_id = _Id()
    worker_id = _Id()


class ReferralDeclinedV1(Schema):
    referral_id = _Id()
    vacancy_id = _Id()
    worker_id = _Id()
    reason = fields.String(required=True, validate=[validate.Length(1, 500), encodable])


class ReferralHiredV1(Schema):
    referral_id = _Id()
    vacancy_id = _Id()
    worker_id = _Id()
    assignment_id = _Id()  # chosen when the hire is asked for: the assignment it makes, once
    start_date = fields.Date(required=True)


class AssignmentEndChangedV1(Schema):
    worker_id = _Id()
    assignment_id = _Id()
    end_date = fields.Date(required=True, allow_none=True)  # the last day worked there; null: no end


class AssignmentSchemeChangedV1(Schema):
    worker_id = _Id()
    assignment_id = _Id()
    from_date = fields.Date(required=True)
    scheme = fields.Dict(required=True, validate=_wage_scheme)
    # the assignment that pays the days from `from_date` on; null when the change is from its first day
    new_assignment_id = fields.String(required=True, allow_none=True, validate=validate.Length(1, 64))


class AssignmentTransferredV1(Schema):
    worker_id = _Id()
    assignment_id = _Id()
    from_date = fields.Date(required=True)  # the first day at the other site
    to_site_id = _Id()
    scheme = fields.Dict(required=True, validate=_wage_scheme)
    end_date = fields.Date(load_default=None, allow_none=True)
    new_assignment_id = _Id()

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("end_date") is not None and data["end_date"] < data["from_date"]:
            raise ValidationError("end_date is before from_date", "end_date")


DISPUTE_KINDS = ("worked", "hours", "output", "other")


class DisputeRaisedV1(Schema):
    dispute_id = _Id()
    worker_id = _Id()
    site_id = _Id()
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DISPUTE_KINDS))
    # hours ("8.5") or pieces ("140"), what the worker says is right; none for "worked" and "other"
    claimed = fields.String(load_default=None, allow_none=True,
                            validate=validate.Regexp(r"^[0-9]{1,6}(\.[0-9]{1,2})?\Z", error="a number"))
    product = fields.String(load_default=None, allow_none=True, validate=[validate.Length(1, 64), encodable])
    note = _Text(500)


class DisputeAcceptedV1(Schema):
    dispute_id = _Id()
    worker_id = _Id()
    site_id = _Id()
    decided_by = _Id()
    corrections = fields.List(fields.String(validate=validate.Length(1, 64)), load_default=list,
                              validate=validate.Length(max=20))  # the work events that correct the day


class DisputeRejectedV1(Schema):
    dispute_id = _Id()
    worker_id = _Id()
    site_id = _Id()
    decided_by = _Id()
    reason = fields.String(required=True, validate=[validate.Length(1, 500), encodable])


CURRENT_VERSION: dict[str, int] = {ATTENDANCE_RECORDED: 1, OUTPUT_RECORDED: 1, OUTPUT_VOIDED: 1,
                                   **{event_type: 1 for event_type in STAGED_EVENTS}}

DATA_SCHEMAS: dict[tuple[str, int], Schema] = {
    (ATTENDANCE_RECORDED, 1): AttendanceRecordedV1(),
    (OUTPUT_RECORDED, 1): OutputRecordedV1(),
    (OUTPUT_VOIDED, 1): OutputVoidedV1(),
    (LABOUR_STATUS_CHANGED, 1): LabourStatusChangedV1(),
    (VACANCY_POSTED, 1): VacancyPostedV1(),
    (VACANCY_FILLED, 1): VacancyFilledV1(),
    (VACANCY_CLOSED, 1): VacancyClosedV1(),
    (REFERRAL_MADE, 1): ReferralMadeV1(),
    (REFERRAL_ACCEPTED, 1): ReferralAcceptedV1(),
    (REFERRAL_DECLINED, 1): ReferralDeclinedV1(),
    (REFERRAL_HIRED, 1): ReferralHiredV1(),
    (ASSIGNMENT_END_CHANGED, 1): AssignmentEndChangedV1(),
    (ASSIGNMENT_SCHEME_CHANGED, 1): AssignmentSchemeChangedV1(),
    (ASSIGNMENT_TRANSFERRED, 1): AssignmentTransferredV1(),
    (DISPUTE_RAISED, 1): DisputeRaisedV1(),
    (DISPUTE_ACCEPTED, 1): DisputeAcceptedV1(),
    (DISPUTE_REJECTED, 1): DisputeRejectedV1(),
}

# (type, from_version) -> pure function from the raw data of that version to the next one.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upcast(event_type: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    """Raise raw `data` of `version` to the current version of `event_type`, step by step."""
    while version < CURRENT_VERSION[event_type]:
        data = UPCASTERS[(event_type, version)](data)
        version += 1
    return data
