"""The audit log: every request's writes carry who, which request and which endpoint; admins and the
region's poverty office read the entries of their region. Nothing updates or deletes an entry."""
from __future__ import annotations

from datetime import UTC

from flask import Flask, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from app.api.access import authorize
from app.api.context import reading
from app.api.pagination import decode_cursor, encode_cursor, row_id
from app.api.schemas.base import PageArgs, Strict, UtcDateTime
from app.db.audit import begin_write_context, end_write_context
from app.db.models import AuditEntry

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit log of every write")


def init_audit(app: Flask) -> None:
    """Each request writes under its own context (after observability: the request id is known)."""
    app.before_request(_begin)
    app.teardown_request(_end)


def _begin() -> None:
    # The actor is noted by app.api.access.authenticate; a write before that would show as anonymous.
    begin_write_context(actor_role="anonymous", request_id=g.get("request_id"), method=request.method,
                        endpoint=request.endpoint)


def _end(_error=None) -> None:
    end_write_context()


class AuditArgs(PageArgs):
    table = fields.String(load_default=None, validate=validate.Length(1, 64), metadata={
        "description": "only writes to this table, e.g. workers"})
    actor = fields.String(load_default=None, validate=validate.Length(1, 64), metadata={
        "description": "only writes by this token id"})
    since = fields.AwareDateTime(load_default=None, default_timezone=UTC, metadata={
        "description": "only writes at or after this instant"})


class AuditEntryOut(Strict):
    id = fields.Integer()
    at = UtcDateTime()
    actor_token_id = fields.String(allow_none=True, metadata={"description": "none: the system (consumers, CLI)"})
    actor_role = fields.String()
    request_id = fields.String(allow_none=True)
    method = fields.String(allow_none=True)
    endpoint = fields.String(allow_none=True)
    action = fields.String(metadata={"description": "insert, update or delete"})
    table = fields.String(attribute="table_name")
    row_key = fields.String(metadata={"description": "the row's primary key (parts joined by /)"})
    region_path = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True, metadata={"description": "personal data masked, secrets left out"})
    after = fields.Dict(allow_none=True)


class AuditPageOut(Strict):
    items = fields.List(fields.Nested(AuditEntryOut))
    next_cursor = fields.String(allow_none=True)


@blp.route("")
class AuditLog(MethodView):
    @blp.arguments(AuditArgs, location="query")
    @blp.response(200, AuditPageOut)
    def get(self, args):
        """Writes to records inside the caller's region, newest first; filter by table, actor and time"""
        with reading() as session:
            principal = authorize(session)
            query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(args["limit"] + 1)
            if principal.region_path is not None:
                query = query.where(AuditEntry.region_path.startswith(principal.region_path, autoescape=True))
            if args["table"] is not None:
                query = query.where(AuditEntry.table_name == args["table"])
            if args["actor"] is not None:
                query = query.where(AuditEntry.actor_token_id == args["actor"])
            if args["since"] is not None:
                query = query.where(AuditEntry.at >= args["since"].astimezone(UTC))
            before = decode_cursor(args["cursor"], row_id)
            if before is not None:
                query = query.where(AuditEntry.id < before[0])
            entries = session.scalars(query).all()
            more = len(entries) > args["limit"]
            entries = entries[: args["limit"]]
            return {"items": entries, "next_cursor": encode_cursor(entries[-1].id) if more else None}
