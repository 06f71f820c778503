"""Wire shapes of the API resources (marshmallow); the OpenAPI document is built from these."""
from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from app.api.content_modes import events_body
from app.db.models.alerts import ALERT_KINDS, ALERT_STATUSES
from app.db.models.auth import ROLES
from app.db.models.registry import HOUSEHOLD_STATUSES, REGION_LEVELS, SITE_KINDS

_code = validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$", error="1-32 letters, digits, '_', '.' or '-'")
_id = validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$", error="1-64 letters, digits, '_', '.' or '-'")
# Months 1900-01 to 2999-12: far enough from the years 1 and 9999 for every look-back and look-ahead.
MONTH = re.compile(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$")
_month = validate.Regexp(MONTH, error="a month YYYY-MM, 1900-01 to 2999-12")
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


class RegionIn(Strict):
    code = fields.String(required=True, validate=_code)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    level = fields.String(required=True, validate=validate.OneOf(REGION_LEVELS))
    parent_code = fields.String(load_default=None, allow_none=True, validate=_code)


class RegionOut(Strict):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)


class HouseholdIn(Strict):
    id = fields.String(validate=_id)
    region_code = fields.String(required=True, validate=_code)
    size = fields.Integer(required=True, strict=True, validate=validate.Range(1, 100))
    status = fields.String(required=True, validate=validate.OneOf(HOUSEHOLD_STATUSES))


class HouseholdOut(Strict):
    id = fields.String()
    region_code = fields.String()
    size = fields.Integer()
    status = fields.String()
    created_at = UtcDateTime()


class WorkerIn(Strict):
    id = fields.String(validate=_id)
    household_id = fields.String(required=True, validate=_id)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    national_id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9]{17}[0-9Xx]$"))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$"))
    bank_account = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9]{8,32}$"))


class WorkerOut(Strict):
    id = fields.String()
    household_id = fields.String()
    name = fields.String()
    national_id = fields.String(allow_none=True, metadata={"description": "masked except for admins"})
    phone = fields.String(allow_none=True)
    bank_account = fields.String(allow_none=True, metadata={"description": "masked except for admins"})
    created_at = UtcDateTime()


class SiteIn(Strict):
    id = fields.String(validate=_id)
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    region_code = fields.String(required=True, validate=_code)


class SiteOut(Strict):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    region_code = fields.String()
    created_at = UtcDateTime()


class AssignmentIn(Strict):
    id = fields.String(validate=_id)
    worker_id = fields.String(required=True, validate=_id)
    site_id = fields.String(required=True, validate=_id)
    start_date = fields.Date(required=True, validate=DAY)
    end_date = fields.Date(load_default=None, allow_none=True, validate=DAY)
    scheme = fields.Dict(required=True, metadata={
        "description": 'wage scheme, e.g. {"kind": "hourly", "rate_fen": 1800}; kinds: hourly '
                       "(rate_fen, standard_minutes, overtime_multiplier: a decimal string such as \"1.5\", "
                       "or a JSON number binary floating point holds exactly, such as 1.5 or 1.25), daily "
                       "(day_rate_fen), piece (rates, grades), monthly (stipend_fen, required_days)"})

    @ma.post_load
    def _exact_multiplier(self, data, **_kwargs):
        """A JSON number arrives as a float; the wage rules take only exact decimals, so keep the decimal it
        wrote when the float holds it exactly, and say why otherwise."""
        multiplier = data["scheme"].get("overtime_multiplier")
        if isinstance(multiplier, float) and math.isfinite(multiplier):
            written, held = Decimal(repr(multiplier)), Decimal(multiplier)
            if written != held:
                raise ma.ValidationError({"scheme": [
                    f"overtime_multiplier {multiplier!r} is not exact as a JSON number: binary floating point "
                    f"holds {held:.25f}..., not {written}; send it as the string \"{written}\""]})
            data["scheme"] = {**data["scheme"], "overtime_multiplier": written}
        return data


class AssignmentOut(Strict):
    id = fields.String()
    worker_id = fields.String()
    site_id = fields.String()
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    scheme = fields.Dict()


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
    period = fields.String(validate=_month)


class PageArgs(ma.Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


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
    site = fields.String(load_default=None, validate=_id)


class VoidPageOut(Strict):
    items = fields.List(fields.Nested(VoidOut))
    next_cursor = fields.String(allow_none=True)


class TokenIn(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    region_code = fields.String(load_default=None, allow_none=True, validate=_code)
    site_ids = fields.List(fields.String(validate=_id), load_default=list, validate=validate.Length(max=1000),
                           metadata={"description": "the sites a supervisor supervises, inside region_code"})
    expires_in_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(1, 3650),
                                     metadata={"description": "the token stops working after this many days; "
                                                              "default: it never expires (revoke it instead)"})


class TokenInfoOut(Strict):
    """A token as listed: never the token, nor its hash."""

    id = fields.String()
    name = fields.String()
    role = fields.String()
    region_code = fields.String(allow_none=True)
    site_ids = fields.List(fields.String())
    created_at = UtcDateTime()
    expires_at = UtcDateTime(allow_none=True)
    revoked_at = UtcDateTime(allow_none=True)


class TokenOut(TokenInfoOut):
    token = fields.String(metadata={"description": "shown once; only its hash is stored"})


class TokenPageOut(Strict):
    items = fields.List(fields.Nested(TokenInfoOut))
    next_cursor = fields.String(allow_none=True)


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


class IncomeArgs(ma.Schema):
    months = fields.Integer(load_default=12, validate=validate.Range(1, 60))
    to = fields.String(load_default=None, validate=_month, metadata={"description": "last month; default this month"})


class MonthIncomeOut(Strict):
    month = fields.String()
    income_fen = fields.Integer()
    per_capita_fen = fields.Integer()


class IncomeOut(Strict):
    household_id = fields.String()
    size = fields.Integer()
    status = fields.String()
    months = fields.List(fields.Nested(MonthIncomeOut))
    total_fen = fields.Integer()
    per_capita_total_fen = fields.Integer()


class EvaluateIn(Strict):
    month = fields.String(required=True, validate=_month)
    as_of = fields.Date(required=True, validate=DAY)


class AlertOut(Strict):
    id = fields.String()
    kind = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    household_id = fields.String(allow_none=True)
    month = fields.String()
    region_code = fields.String()
    status = fields.String()
    detail = fields.Dict()
    created_at = UtcDateTime()
    acknowledged_at = UtcDateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    help_given = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class EvaluationOut(Strict):
    month = fields.String()
    as_of = fields.Date()
    raised = fields.Integer(metadata={"description": "new alerts inside the caller's region"})
    alerts = fields.List(fields.Nested(AlertOut))


class AlertArgs(PageArgs):
    kind = fields.String(load_default=None, validate=validate.OneOf(ALERT_KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(ALERT_STATUSES))
    region = fields.String(load_default=None, validate=_code)
    month = fields.String(load_default=None, validate=_month)


class AlertPageOut(Strict):
    items = fields.List(fields.Nested(AlertOut))
    next_cursor = fields.String(allow_none=True)


class AcknowledgeIn(Strict):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ResolveIn(Strict):
    help_given = fields.String(required=True, validate=validate.Length(1, 2000))


class WebhookIn(Strict):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                     validate=validate.Length(max=2000), metadata={"description": "where alerts are POSTed"})
    region_code = fields.String(load_default=None, allow_none=True, validate=_code, metadata={
        "description": "alerts inside this region are sent; default the caller's region"})


class WebhookOut(Strict):
    id = fields.String()
    url = fields.String()
    region_code = fields.String(allow_none=True, metadata={"description": "null: nationwide"})
    active = fields.Boolean()
    disabled_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(metadata={
        "description": "signing secret (Standard Webhooks, whsec_...); shown only in this response"})


class WebhookPageOut(Strict):
    items = fields.List(fields.Nested(WebhookOut))
    next_cursor = fields.String(allow_none=True)


class WebhookAttemptOut(Strict):
    attempt = fields.Integer()
    at = UtcDateTime()
    status_code = fields.Integer(allow_none=True, metadata={"description": "null when no answer came"})
    error = fields.String(allow_none=True)
    duration_ms = fields.Integer()


class WebhookDeliveryOut(Strict):
    id = fields.String(metadata={"description": "the webhook-id header, the same on every attempt"})
    alert_id = fields.String()
    status = fields.String(metadata={"description": "pending, delivered, failed or disabled"})
    attempts = fields.Integer()
    next_attempt_at = UtcDateTime(allow_none=True, metadata={"description": "while pending"})
    delivered_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    attempt_log = fields.List(fields.Nested(WebhookAttemptOut))


class WebhookDeliveryArgs(PageArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(("pending", "delivered", "failed", "disabled")))


class WebhookDeliveryPageOut(Strict):
    items = fields.List(fields.Nested(WebhookDeliveryOut))
    next_cursor = fields.String(allow_none=True)
