"""Pay: a site's month as a pay period, and the payments made for it."""
from __future__ import annotations

from marshmallow import fields, validate

from app.api.schemas.base import Strict, UtcDateTime


class PeriodTotalsOut(Strict):
    wages_fen = fields.Integer()
    adjustments_fen = fields.Integer()
    earned_fen = fields.Integer()
    approved_fen = fields.Integer()
    paid_fen = fields.Integer()


class PeriodLineOut(PeriodTotalsOut):
    worker_id = fields.String()


class PeriodAdjustmentOut(Strict):
    worker_id = fields.String()
    adjusts_month = fields.String()
    amount_fen = fields.Integer()


class TransitionOut(Strict):
    from_status = fields.String()
    to_status = fields.String()
    actor_token_id = fields.String()
    actor_role = fields.String()
    reason = fields.String(allow_none=True)
    at = UtcDateTime()


class PeriodSummaryOut(Strict):
    month = fields.String()
    status = fields.String(metadata={"description": "open, closed, approved or paid"})
    totals = fields.Nested(PeriodTotalsOut)


class PeriodOut(PeriodSummaryOut):
    site_id = fields.String()
    lines = fields.List(fields.Nested(PeriodLineOut))
    adjustments = fields.List(fields.Nested(PeriodAdjustmentOut), metadata={
        "description": "late differences of earlier approved months, paid in this one"})
    history = fields.List(fields.Nested(TransitionOut))


class PaymentLineOut(Strict):
    id = fields.Integer()
    worker_id = fields.String()
    worker_name = fields.String()
    bank_account = fields.String(attribute="bank_account_masked", allow_none=True)
    amount_fen = fields.Integer()
    status = fields.String(metadata={"description": "pending, confirmed or failed"})
    bank_reference = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)


class PaymentBatchOut(Strict):
    id = fields.Integer()
    site_id = fields.String()
    month = fields.String()
    created_at = UtcDateTime()
    lines = fields.List(fields.Nested(PaymentLineOut))


class BankResultIn(Strict):
    line_id = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("confirmed", "failed")))
    bank_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class BankResultsIn(Strict):
    lines = fields.List(fields.Nested(BankResultIn), required=True, validate=validate.Length(1, 10_000))
