"""Access: the bearer tokens of the API's callers."""
from __future__ import annotations

from marshmallow import fields, validate

from app.api.schemas.base import Strict, UtcDateTime, valid_code, valid_id
from app.db.models.auth import ROLES


class TokenIn(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    region_code = fields.String(load_default=None, allow_none=True, validate=valid_code)
    site_ids = fields.List(fields.String(validate=valid_id), load_default=list, validate=validate.Length(max=1000),
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
