"""Jobs: labourers' profiles and statuses, the migrant baseline, employers, vacancies and referrals. Codes are those
of labour/vocabulary.py."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas.base import DAY, PageArgs, Strict, UtcDateTime, valid_code, valid_id
from labour.vocabulary import (
    CAREGIVING_TIES,
    EDUCATION_LEVELS,
    EMPLOYER_KINDS,
    LABOUR_STATUSES,
    PHYSICAL_DEMANDS,
    REFERRAL_STATUSES,
    SKILLS,
    TRAVEL_RANGES,
    VACANCY_STATUSES,
    WORK_KINDS,
)


def _codes(vocabulary: dict, **kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(sorted(vocabulary))), validate=validate.Length(max=30),
                       **kwargs)


def _text(limit: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=limit), **kwargs)


class ProfileIn(Strict):
    skills = _codes(SKILLS, load_default=list)
    tags = fields.List(fields.String(validate=validate.Length(1, 40)), load_default=list,
                       validate=validate.Length(max=30))
    education = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(sorted(EDUCATION_LEVELS)))
    birth_year = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(1900, 2100))
    max_physical_demand = fields.String(load_default="heavy", validate=validate.OneOf(sorted(PHYSICAL_DEMANDS)))
    health_note = _text(500, load_default=None, allow_none=True)
    travel_range = fields.String(load_default="county", validate=validate.OneOf(list(TRAVEL_RANGES)))
    caregiving = _codes(CAREGIVING_TIES, load_default=list)
    willing_to_go_out = fields.Boolean(load_default=False)
    preferred_kinds = _codes(WORK_KINDS, load_default=list)


class ProfileOut(ProfileIn):
    worker_id = fields.String()
    updated_at = UtcDateTime()


class StatusIn(Strict):
    status = fields.String(required=True, validate=validate.OneOf(list(LABOUR_STATUSES)))
    date = fields.Date(required=True, validate=DAY)
    region_code = fields.String(load_default=None, allow_none=True, validate=valid_code)
    place = _text(200, load_default=None, allow_none=True)
    note = _text(500, load_default=None, allow_none=True)


class StatusChangeOut(Strict):
    event_id = fields.String()
    status = fields.String()
    effective_date = fields.Date()
    until = fields.Date(allow_none=True)
    region_code = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    assignment_id = fields.String(allow_none=True)


class StatusOut(Strict):
    worker_id = fields.String()
    current = fields.Nested(StatusChangeOut, allow_none=True)
    history = fields.List(fields.Nested(StatusChangeOut))


class Staged(Strict):
    """An event taken for the consumers, which apply it in a moment."""

    event_id = fields.String()
    status = fields.String(metadata={"description": "accepted: staged on the work-events topic"})
    vacancy_id = fields.String()
    referral_id = fields.String()
    assignment_id = fields.String()


class BaselineIn(Strict):
    region_code = fields.String(required=True, validate=valid_code)
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2100))
    migrant_workers = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100_000_000))
    poor_migrant_workers = fields.Integer(load_default=None, allow_none=True, strict=True,
                                          validate=validate.Range(0, 100_000_000))


class BaselineOut(BaselineIn):
    source = fields.String()
    recorded_by = fields.String(allow_none=True)
    recorded_at = UtcDateTime()


class BaselinesTaken(Schema):
    rows = fields.Integer(metadata={"description": "data rows in the file"})
    recorded = fields.Integer(metadata={"description": "baselines new or changed"})
    unchanged = fields.Integer(metadata={"description": "rows equal to the baseline already recorded"})


class BaselineArgs(Strict):
    region = fields.String(required=True, validate=valid_code)
    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100))


class EmployerIn(Strict):
    id = fields.String(validate=valid_id)
    kind = fields.String(required=True, validate=validate.OneOf(sorted(EMPLOYER_KINDS)))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    region_code = fields.String(required=True, validate=valid_code, metadata={"description": "where it is"})
    office_region_code = fields.String(required=True, validate=valid_code,
                                       metadata={"description": "the region whose office keeps it"})
    contact = _text(200, load_default=None, allow_none=True)


class EmployerOut(EmployerIn):
    site_id = fields.String()
    created_at = UtcDateTime()


class EmployerPage(Strict):
    items = fields.List(fields.Nested(EmployerOut))
    next_cursor = fields.String(allow_none=True)


class VacancyIn(Strict):
    id = fields.String(validate=valid_id)
    site_id = fields.String(load_default=None, allow_none=True, validate=valid_id)
    employer_id = fields.String(load_default=None, allow_none=True, validate=valid_id)
    title = fields.String(required=True, validate=validate.Length(1, 200))
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(sorted(WORK_KINDS)))
    count = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100_000))
    skills = _codes(SKILLS, load_default=list)
    physical_demand = fields.String(required=True, validate=validate.OneOf(list(PHYSICAL_DEMANDS)))
    scheme = fields.Dict(required=True, metadata={"description": "the wage scheme its hires are paid by, as an "
                                                                 "assignment's"})
    full_time = fields.Boolean(load_default=True)
    start_date = fields.Date(required=True, validate=DAY)
    end_date = fields.Date(load_default=None, allow_none=True, validate=DAY)
    housing = fields.Boolean(load_default=False)
    poor_first = fields.Boolean(load_default=False)
    description = _text(2000, load_default=None, allow_none=True)


class VacancyOut(VacancyIn):
    region_code = fields.String()
    office_region_code = fields.String()
    hired = fields.Integer()
    status = fields.String()
    posted_at = UtcDateTime()
    filled_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    close_reason = fields.String(allow_none=True)


class VacancyArgs(PageArgs):
    region = fields.String(load_default=None, validate=valid_code, metadata={"description": "where the work is"})
    status = fields.String(load_default="open", validate=validate.OneOf(VACANCY_STATUSES))


class VacancyPage(Strict):
    items = fields.List(fields.Nested(VacancyOut))
    next_cursor = fields.String(allow_none=True)


class JobNoteIn(Strict):
    note = _text(500, load_default=None, allow_none=True)


class JobReasonIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ReferralIn(Strict):
    vacancy_id = fields.String(required=True, validate=valid_id)
    worker_id = fields.String(required=True, validate=valid_id)
    note = _text(500, load_default=None, allow_none=True)


class HireIn(Strict):
    start_date = fields.Date(load_default=None, allow_none=True, validate=DAY,
                             metadata={"description": "from the vacancy's start when not given"})


class ReferralOut(Strict):
    id = fields.String()
    vacancy_id = fields.String()
    worker_id = fields.String()
    status = fields.String(validate=validate.OneOf(REFERRAL_STATUSES))
    note = fields.String(allow_none=True)
    referred_by = fields.String(allow_none=True)
    referred_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    hired_at = UtcDateTime(allow_none=True)
    start_date = fields.Date(allow_none=True)
    assignment_id = fields.String(allow_none=True)
    ended_reason = fields.String(allow_none=True)


class ReferralPage(Strict):
    items = fields.List(fields.Nested(ReferralOut))
    next_cursor = fields.String(allow_none=True)


class ReferralArgs(PageArgs):
    vacancy_id = fields.String(load_default=None, validate=valid_id)
    worker_id = fields.String(load_default=None, validate=valid_id)
