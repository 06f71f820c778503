"""Review flags: signs of fraud in a site's month that a post manager sees before approving it; and workers'
disputes of their days, which hold a month back as flags do."""
from __future__ import annotations

from marshmallow import fields, validate

from app.api.schemas.base import PageArgs, Strict, UtcDateTime, valid_code, valid_month
from app.db.models.review import DISPUTE_STATUSES, FLAG_STATUSES
from events.schemas import DISPUTE_KINDS
from fraud import KINDS


class FlagOut(Strict):
    id = fields.String()
    kind = fields.String(metadata={"description": ", ".join(KINDS)})
    subject_type = fields.String(metadata={"description": "worker or supervisor"})
    subject_id = fields.String()
    site_id = fields.String()
    month = fields.String()
    status = fields.String(metadata={"description": ", ".join(FLAG_STATUSES)})
    reason = fields.String(metadata={"description": "why, in English"})
    reason_code = fields.String(metadata={"description": "why, as a code and parameters to word in any language"})
    reason_params = fields.Dict(keys=fields.String(), values=fields.String())
    raised_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class FlagArgs(PageArgs):
    region = fields.String(load_default=None, validate=valid_code)
    site_id = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$"))
    month = fields.String(load_default=None, validate=valid_month)
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(FLAG_STATUSES))


class FlagPageOut(Strict):
    items = fields.List(fields.Nested(FlagOut))
    next_cursor = fields.String(allow_none=True)


class DismissIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(1, 2000))


class ConfirmIn(Strict):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReviewOut(Strict):
    site_id = fields.String()
    month = fields.String()
    raised = fields.Integer(metadata={"description": "flags new in this run (raising again adds none)"})
    open = fields.List(fields.Nested(FlagOut), metadata={"description": "the month's open flags"})


class DisputeOut(Strict):
    id = fields.String()
    worker_id = fields.String()
    site_id = fields.String()
    month = fields.String()
    work_date = fields.Date()
    kind = fields.String(metadata={"description": ", ".join(DISPUTE_KINDS)})
    claimed = fields.String(allow_none=True, metadata={"description": "hours or pieces the worker says are right"})
    product = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"description": ", ".join(DISPUTE_STATUSES)})
    raised_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "why it was rejected"})
    corrections = fields.List(fields.String(), metadata={"description": "ids of the work events that corrected it"})


class DisputeArgs(PageArgs):
    site_id = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$"))
    month = fields.String(load_default=None, validate=valid_month)
    status = fields.String(load_default=None, validate=validate.OneOf(DISPUTE_STATUSES))


class DisputePageOut(Strict):
    items = fields.List(fields.Nested(DisputeOut))
    next_cursor = fields.String(allow_none=True)


class AcceptIn(Strict):
    pass


class RejectIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class AnsweredOut(Strict):
    dispute_id = fields.String()
    status = fields.String(metadata={"description": "accepted or rejected, once the consumers apply it"})
    corrections = fields.List(fields.String(), metadata={"description": "ids of the correcting work events"})
