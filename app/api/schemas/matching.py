from __future__ import annotations

from marshmallow import fields, validate

from app.api.schemas.alerts import AlertOut
from app.api.schemas.base import Strict


class MatchArgs(Strict):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 500))  # as every list of the API
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
    as_of = fields.Date(load_default=None, metadata={"description": "the day matched for (default today)"})


class ReasonOut(Strict):
    code = fields.String()
    points = fields.Integer()
    params = fields.Dict()
    text = fields.String(metadata={"description": "in the language of the request's Accept-Language"})


class LabourerMatchOut(Strict):
    worker_id = fields.String()
    name = fields.String()
    household_id = fields.String()
    region_code = fields.String()
    score = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonOut))


class VacancyMatchOut(Strict):
    vacancy_id = fields.String()
    title = fields.String()
    region_code = fields.String()
    score = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonOut))


class LabourerMatchPageOut(Strict):
    language = fields.String()
    items = fields.List(fields.Nested(LabourerMatchOut))
    next_cursor = fields.String(allow_none=True)


class VacancyMatchPageOut(Strict):
    language = fields.String()
    items = fields.List(fields.Nested(VacancyMatchOut))
    next_cursor = fields.String(allow_none=True)


class MemberVacancyOut(VacancyMatchOut):
    worker_id = fields.String()
    name = fields.String()


class AlertWithVacanciesOut(AlertOut):
    vacancies = fields.List(fields.Nested(MemberVacancyOut), metadata={
        "description": "the best open vacancies for the household's idle members, best first"})
