"""What every area's schemas share: the validators of codes, ids, months and days, UTC instants, strict
ordered schemas and the page arguments."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime

import marshmallow as ma
from marshmallow import fields, validate

valid_code = validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$", error="1-32 letters, digits, '_', '.' or '-'")
valid_id = validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$", error="1-64 letters, digits, '_', '.' or '-'")
# Months 1900-01 to 2999-12: far enough from the years 1 and 9999 for every look-back and look-ahead.
MONTH = re.compile(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$")
valid_month = validate.Regexp(MONTH, error="a month YYYY-MM, 1900-01 to 2999-12")
DAY = validate.Range(date(1900, 1, 1), date(2999, 12, 31), error="a day from 1900-01-01 to 2999-12-31")


class UtcDateTime(fields.DateTime):
    """A stored instant, always written in UTC with its offset (SQLite hands timestamps back naive)."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is not None:
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Strict(ma.Schema):
    class Meta:
        ordered = True


class PageArgs(ma.Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))
