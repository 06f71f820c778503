from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.alerts.webhooks import new_secret
from app.api.access import Principal, authorize, require_region_field, require_webhook
from app.api.context import reading, unit_of_work
from app.api.pagination import decode_cursor, encode_cursor
from app.api.schemas.alerts import (
    WebhookCreatedOut,
    WebhookDeliveryArgs,
    WebhookDeliveryPageOut,
    WebhookIn,
    WebhookOut,
    WebhookPageOut,
)
from app.api.schemas.base import PageArgs
from app.db.models import Region, Webhook, WebhookAttempt, WebhookDelivery

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/webhooks",
                description="Push subscriptions: new alerts POSTed to a URL, signed as Standard Webhooks")

@blp.route("")
class Webhooks(MethodView):
    @blp.arguments(WebhookIn)
    @blp.response(201, WebhookCreatedOut)
    def post(self, data):
        """Subscribe a URL to the new alerts of a region inside the caller's (poverty office, admin)

        The answer holds the signing secret, and no other answer ever does: keep it."""
        with unit_of_work() as session:
            principal = authorize(session)
            if data["region_code"] is None:
                region = None if principal.region_path is None else session.scalar(
                    select(Region).where(Region.path == principal.region_path))
            else:
                region = require_region_field(principal, session, data["region_code"], "region_code")
            webhook = Webhook(url=data["url"], secret=new_secret(), created_by=principal.token_id,
                              region_code=region.code if region else None, region_path=region.path if region else None)
            session.add(webhook)
            session.flush()
            return webhook

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, WebhookPageOut)
    def get(self, args):
        """The webhooks of the caller's region, oldest first (no secrets)"""
        with reading() as session:
            principal = authorize(session)
            query = select(Webhook).order_by(Webhook.created_at, Webhook.id).limit(args["limit"] + 1)
            if principal.region_path is not None:
                query = query.where(Webhook.region_path.startswith(principal.region_path, autoescape=True))
            after = decode_cursor(args["cursor"], _instant, _text)
            if after is not None:
                query = query.where(or_(Webhook.created_at > after[0],
                                        and_(Webhook.created_at == after[0], Webhook.id > after[1])))
            webhooks = session.scalars(query).all()
            more = len(webhooks) > args["limit"]
            webhooks = webhooks[: args["limit"]]
            last = webhooks[-1] if more else None
            return {"items": webhooks, "next_cursor": encode_cursor(last.created_at, last.id) if last else None}


@blp.route("/<webhook_id>")
class WebhookById(MethodView):
    @blp.response(200, WebhookOut)
    def get(self, webhook_id):
        """A webhook of the caller's region (no secret)"""
        with reading() as session:
            return _visible_webhook(authorize(session), session, webhook_id)


@blp.route("/<webhook_id>/deliveries")
class WebhookDeliveries(MethodView):
    @blp.arguments(WebhookDeliveryArgs, location="query")
    @blp.response(200, WebhookDeliveryPageOut)
    def get(self, args, webhook_id):
        """The delivery log: each alert sent to this webhook, newest first, with every attempt"""
        with reading() as session:
            webhook = _visible_webhook(authorize(session), session, webhook_id)
            query = (select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
                     .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(args["limit"] + 1))
            if args["status"] is not None:
                query = query.where(WebhookDelivery.status == args["status"])
            after = decode_cursor(args["cursor"], _instant, _text)
            if after is not None:
                query = query.where(or_(WebhookDelivery.created_at < after[0],
                                        and_(WebhookDelivery.created_at == after[0], WebhookDelivery.id < after[1])))
            deliveries = session.scalars(query).all()
            more = len(deliveries) > args["limit"]
            deliveries = deliveries[: args["limit"]]
            last = deliveries[-1] if more else None
            return {"items": _with_attempts(session, deliveries),
                    "next_cursor": encode_cursor(last.created_at, last.id) if last else None}


def _visible_webhook(principal: Principal, session: Session, webhook_id: str) -> Webhook:
    webhook = session.get(Webhook, webhook_id) or abort(404, message="no such webhook")
    require_webhook(principal, webhook.region_path)
    return webhook


def _with_attempts(session: Session, deliveries: list[WebhookDelivery]) -> list[dict[str, Any]]:
    attempts = defaultdict(list)
    rows = session.scalars(select(WebhookAttempt)
                           .where(WebhookAttempt.delivery_id.in_([delivery.id for delivery in deliveries]))
                           .order_by(WebhookAttempt.attempt, WebhookAttempt.id))
    for attempt in rows:
        attempts[attempt.delivery_id].append(attempt)
    return [{
        "id": delivery.id, "alert_id": delivery.alert_id, "status": delivery.status, "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at if delivery.status == "pending" else None,
        "delivered_at": delivery.delivered_at, "created_at": delivery.created_at,
        "attempt_log": attempts[delivery.id],
    } for delivery in deliveries]


def _instant(value: Any) -> datetime:
    """A cursor part that is a stored instant, as encode_cursor wrote it."""
    if not isinstance(value, str):
        raise TypeError(f"not an instant: {value!r}")
    return datetime.fromisoformat(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise ValueError(f"not an id: {value!r}")
    return value
