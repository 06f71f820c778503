"""The registry: regions, households, workers, sites, assignments, and a household's income."""
from __future__ import annotations

import math
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from app.api.schemas.base import DAY, Strict, UtcDateTime, valid_code, valid_id, valid_month
from app.db.models.registry import HOUSEHOLD_STATUSES, REGION_LEVELS, SITE_KINDS


class RegionIn(Strict):
    code = fields.String(required=True, validate=valid_code)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    level = fields.String(required=True, validate=validate.OneOf(REGION_LEVELS))
    parent_code = fields.String(load_default=None, allow_none=True, validate=valid_code)


class RegionOut(Strict):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)


class HouseholdIn(Strict):
    id = fields.String(validate=valid_id)
    region_code = fields.String(required=True, validate=valid_code)
    size = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100))
    status = fields.String(required=True, validate=validate.OneOf(HOUSEHOLD_STATUSES))


class HouseholdChange(Strict):
    """The fields of a household that change, and only those."""

    status = fields.String(validate=validate.OneOf(HOUSEHOLD_STATUSES))
    region_code = fields.String(validate=valid_code)
    size = fields.Integer(strict=True, validate=validate.Range(1, 100))
    size_from = fields.String(validate=valid_month, metadata={
        "description": "the month the new size holds from (this month or an earlier one); default this month"})

    @ma.validates_schema
    def _something(self, data, **_kwargs):
        if not data:
            raise ma.ValidationError("name at least one field to change", "_schema")
        if "size_from" in data and "size" not in data:
            raise ma.ValidationError("size_from goes with size", "size_from")


class HouseholdOut(Strict):
    id = fields.String()
    region_code = fields.String()
    size = fields.Integer()
    status = fields.String()
    created_at = UtcDateTime()


class WorkerIn(Strict):
    id = fields.String(validate=valid_id)
    household_id = fields.String(required=True, validate=valid_id)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    national_id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9]{17}[0-9Xx]$"))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$"))
    bank_account = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9]{8,32}$"))


class WorkerChange(Strict):
    """The fields of a worker that change, and only those; null clears a personal number."""

    name = fields.String(validate=validate.Length(1, 200))
    national_id = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9]{17}[0-9Xx]$"))
    phone = fields.String(allow_none=True, validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$"))
    bank_account = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9]{8,32}$"))

    @ma.validates_schema
    def _something(self, data, **_kwargs):
        if not data:
            raise ma.ValidationError("name at least one field to change", "_schema")


class WorkerOut(Strict):
    id = fields.String()
    household_id = fields.String()
    name = fields.String()
    national_id = fields.String(allow_none=True, metadata={"description": "masked except for admins"})
    phone = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True, metadata={"description": "masked except for admins"})
    created_at = UtcDateTime()
    warnings = fields.List(fields.String(), metadata={
        "description": "what to check before paying this worker, such as a bank card number failing its Luhn check"})


class SiteIn(Strict):
    id = fields.String(validate=valid_id)
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    region_code = fields.String(required=True, validate=valid_code)


class SiteOut(Strict):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    region_code = fields.String()
    created_at = UtcDateTime()


_SCHEME_DESCRIPTION = (
    'wage scheme, e.g. {"kind": "hourly", "rate_fen": 1800}; kinds: hourly (rate_fen, standard_minutes, '
    'overtime_multiplier: a decimal string such as "1.5", or a JSON number binary floating point holds exactly, '
    "such as 1.5 or 1.25), daily (day_rate_fen), piece (rates, grades), monthly (stipend_fen, required_days)")


class _WithScheme(Strict):
    @ma.post_load
    def _exact_multiplier(self, data, **_kwargs):
        """A JSON number arrives as a float; the wage rules take only exact decimals, so keep the decimal it
        wrote when the float holds it exactly, and say why otherwise."""
        multiplier = (data.get("scheme") or {}).get("overtime_multiplier")
        if isinstance(multiplier, float) and math.isfinite(multiplier):
            written, held = Decimal(repr(multiplier)), Decimal(multiplier)
            if written != held:
                raise ma.ValidationError({"scheme": [
                    f"overtime_multiplier {multiplier!r} is not exact as a JSON number: binary floating point "
                    f"holds {held:.25f}..., not {written}; send it as the string \"{written}\""]})
            data["scheme"] = {**data["scheme"], "overtime_multiplier": written}
        return data


class AssignmentIn(_WithScheme):
    id = fields.String(validate=valid_id)
    worker_id = fields.String(required=True, validate=valid_id)
    site_id = fields.String(required=True, validate=valid_id)
    start_date = fields.Date(required=True, validate=DAY)
    end_date = fields.Date(load_default=None, allow_none=True, validate=DAY)
    scheme = fields.Dict(required=True, metadata={"description": _SCHEME_DESCRIPTION})


class EndIn(Strict):
    end_date = fields.Date(required=True, allow_none=True, validate=DAY, metadata={
        "description": "the last day of the assignment (inclusive); null: no end"})


class SchemeChangeIn(_WithScheme):
    from_date = fields.Date(required=True, validate=DAY, metadata={"description": "the first day paid by `scheme`"})
    scheme = fields.Dict(required=True, metadata={"description": _SCHEME_DESCRIPTION})
    new_assignment_id = fields.String(validate=valid_id, metadata={
        "description": "the id of the assignment that pays the days from from_date (default: a new one)"})


class TransferIn(_WithScheme):
    from_date = fields.Date(required=True, validate=DAY, metadata={"description": "the first day at the other site"})
    site_id = fields.String(required=True, validate=valid_id)
    scheme = fields.Dict(metadata={"description": f"default: the assignment's own; {_SCHEME_DESCRIPTION}"})
    end_date = fields.Date(allow_none=True, validate=DAY, metadata={
        "description": "the last day at the other site (default: the assignment's own end)"})
    new_assignment_id = fields.String(validate=valid_id, metadata={
        "description": "the id of the assignment at the other site (default: a new one)"})


class AssignmentOut(Strict):
    id = fields.String()
    worker_id = fields.String()
    site_id = fields.String()
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    scheme = fields.Dict()


class IncomeArgs(ma.Schema):
    months = fields.Integer(load_default=12, validate=validate.Range(1, 60))
    to = fields.String(load_default=None, validate=valid_month,
                       metadata={"description": "last month; default this month"})


class MonthIncomeOut(Strict):
    month = fields.String()
    income_fen = fields.Integer()
    size = fields.Integer(metadata={"description": "the household's size in the month"})
    per_capita_fen = fields.Integer(metadata={"description": "income over the month's size, half-up"})


class IncomeOut(Strict):
    household_id = fields.String()
    size = fields.Integer()
    status = fields.String()
    months = fields.List(fields.Nested(MonthIncomeOut))
    total_fen = fields.Integer()
    per_capita_total_fen = fields.Integer(metadata={
        "description": "the sum of each month's income over that month's size, rounded once, half-up"})
