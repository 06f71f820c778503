"""A work event once read: the value both doors of the system (the API and the consumers) hand on, and the
envelope's attributes it was read from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from events.schemas import CURRENT_VERSION, encodable

SPEC_VERSION = "1.0"
JSON_CONTENT = "application/json"
FIRST_VERSION = 1  # an event without a dataversion was written before versions were counted


@dataclass(frozen=True)
class WorkEvent:
    """A valid work event at its current version."""

    id: str
    type: str
    source: str
    time: datetime  # aware, UTC
    data: dict[str, Any]  # loaded by the schema of the current version: dates are `date`s

    @property
    def worker_id(self) -> str:
        return self.data["worker_id"]

    @property
    def key(self) -> str:
        """Its key on the bus: a vacancy's id for the vacancy's and its referrals' events, so a hire is read after
        its vacancy's posting and before its closing; the worker's id for the others (their order is the worker's)."""
        return self.data.get("vacancy_id") or self.data["worker_id"]

    @property
    def site_id(self) -> str:
        return self.data["site_id"]

    @cached_property
    def time_text(self) -> str:
        """`format_time(self.time)`, kept: a consumer reads it three or four times an event."""
        return format_time(self.time)

    @cached_property
    def order_key(self) -> str:
        """Sorts events the way docs/domain.md orders them: later `time` wins, ties by larger id."""
        return f"{self.time_text}|{self.id}"


class EnvelopeSchema(Schema):
    """The CloudEvents attributes of a work event, as the schemas' path reads them."""

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


def format_time(moment: datetime) -> str:
    """Fixed-width UTC text that sorts like the instant it names (strftime would write year 999 as "999")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # SQLite hands back our UTC timestamps without their zone
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
