"""Alerts: evaluating the income-stability rules, the alerts raised, and the webhooks that push them."""
from __future__ import annotations

from marshmallow import fields, validate

from app.api.schemas.base import DAY, PageArgs, Strict, UtcDateTime, valid_code, valid_month
from app.db.models.alerts import ALERT_KINDS, ALERT_STATUSES


class EvaluateIn(Strict):
    month = fields.String(required=True, validate=valid_month)
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
    region = fields.String(load_default=None, validate=valid_code)
    month = fields.String(load_default=None, validate=valid_month)


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
    region_code = fields.String(load_default=None, allow_none=True, validate=valid_code, metadata={
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
