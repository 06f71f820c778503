"""The ledger: events taken in, balances and wage lines made of them, dead letters and voids."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from app.api.content_modes import events_body
from app.api.schemas.base import DAY, PageArgs, Strict, UtcDateTime, valid_id, valid_month


class EventsIn(ma.Schema):
    """One CloudEvent, or {"events": [...]} with up to the configured maximum (in any content mode)."""

    class Meta:
        unknown = ma.INCLUDE

    events = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1))

    @ma.pre_load
    def _wrap_single(self, data, **_kwargs):
        return events_body(data)

    @ma.post_load
    def _only_events(self, data, **_kwargs):
        return {"events": data["events"]}


class ReceiptOut(Strict):
    id = fields.String()
    status = fields.String(metadata={"description": "accepted or duplicate"})


class EventsOut(Strict):
    accepted = fields.Integer()
    duplicates = fields.Integer()
    results = fields.List(fields.Nested(ReceiptOut))


class PeriodBalanceOut(Strict):
    period = fields.String()
    earned_fen = fields.Integer()
    approved_fen = fields.Integer()
    paid_fen = fields.Integer()
    outstanding_fen = fields.Integer()
    pending_fen = fields.Integer()


class BalanceOut(Strict):
    worker_id = fields.String()
    period = fields.String(allow_none=True)
    earned_fen = fields.Integer()
    approved_fen = fields.Integer()
    paid_fen = fields.Integer()
    outstanding_fen = fields.Integer()
    pending_fen = fields.Integer()
    periods = fields.List(fields.Nested(PeriodBalanceOut))


class BalanceArgs(ma.Schema):
    period = fields.String(validate=valid_month)


class WageArgs(PageArgs):
    from_ = fields.Date(data_key="from", load_default=None, validate=DAY)
    to = fields.Date(load_default=None, validate=DAY)


class WageLineOut(Strict):
    id = fields.Integer()
    assignment_id = fields.String()
    site_id = fields.String()
    period = fields.String()
    date = fields.Date(attribute="work_date")
    scheme = fields.String()
    amount_fen = fields.Integer()
    facts = fields.Dict()


class WagePageOut(Strict):
    items = fields.List(fields.Nested(WageLineOut))
    next_cursor = fields.String(allow_none=True)


class DeadLetterOut(Strict):
    id = fields.Integer()
    topic = fields.String()
    event_id = fields.String(allow_none=True)
    event_type = fields.String(allow_none=True)
    reason = fields.String()
    errors = fields.Dict(allow_none=True)
    key = fields.String(allow_none=True)  # readable preview of the message key
    payload = fields.String()  # readable preview of the message value
    status = fields.String()
    attempts = fields.Integer()
    first_seen_at = UtcDateTime()
    last_seen_at = UtcDateTime()
    replayed_at = UtcDateTime(allow_none=True)


class DeadLetterArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(("parked", "replayed")))
    event_id = fields.String(load_default=None, validate=validate.Length(1, 64))


class DeadLetterPageOut(Strict):
    items = fields.List(fields.Nested(DeadLetterOut))
    next_cursor = fields.String(allow_none=True)


class VoidOut(Strict):
    id = fields.Integer()
    event_id = fields.String(metadata={"description": "the output.voided event"})
    output_id = fields.String(metadata={"description": "the output.recorded event it cancels"})
    worker_id = fields.String()
    site_id = fields.String()
    status = fields.String(metadata={"description": "pending: its output has not arrived, nothing is paid for it; "
                                                    "applied: the output came and was cancelled; refused: the output "
                                                    "is another worker's or site's, and stays paid"})
    reason = fields.String(allow_none=True)
    received_at = UtcDateTime()
    settled_at = UtcDateTime(allow_none=True)


class VoidArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(("pending", "applied", "refused")))
    site = fields.String(load_default=None, validate=valid_id)


class VoidPageOut(Strict):
    items = fields.List(fields.Nested(VoidOut))
    next_cursor = fields.String(allow_none=True)
