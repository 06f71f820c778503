"""Idempotency-Key on every POST: a retried request gets the first answer, and the write happens once.

The key is reserved in the write's own transaction (`reserve_key`, called by `unit_of_work`), so a
write and its key commit together or not at all; the answer is stored afterwards. A view that fails
rolls its reservation back with its write, so retrying it simply runs it again.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import structlog
from apispec import BasePlugin
from flask import Flask, Response, current_app, g, request
from flask_smorest import abort
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.access.tokens import bearer_in, find_token
from app.api.content_modes import cloudevent_headers
from app.db.models import IdempotencyRecord

log = structlog.get_logger("app.api")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"[\x20-\x7e]{1,200}")  # printable ASCII
IN_PROGRESS = ("a request with this Idempotency-Key is in progress or its answer was lost; "
               "its write has taken effect")
# Answers that carry a secret shown once (a new bearer token) are never stored: the database keeps
# only hashes of credentials. Their key is still reserved, so a retry is a 409, not a second write.
SECRET_ANSWERS = frozenset({"tokens.Tokens", "webhooks.Webhooks"})


@dataclass
class Reservation:
    token_id: str
    key: str
    request_hash: str
    reserved: bool = False


def init_idempotency(app: Flask) -> None:
    app.before_request(check_key)
    app.after_request(store_answer)


def check_key() -> Response | None:
    """Before a POST with a key: replay the first answer, refuse a mismatch, or note the key to reserve."""
    if request.method != "POST" or HEADER not in request.headers:
        return None
    key = request.headers[HEADER]
    if not _VALID_KEY.fullmatch(key):
        abort(422, message=f"invalid {HEADER}", errors={HEADER: ["1 to 200 printable ASCII characters"]})
    bearer = bearer_in(request.headers.get("Authorization", ""))
    with _sessions()() as session:
        token = find_token(session, bearer) if bearer else None
        if token is None:
            return None  # the view answers 401
        previous = session.get(IdempotencyRecord, (token.id, key))
    digest = _request_hash()
    if previous is None:
        g.idempotency = Reservation(token.id, key, digest)  # reserved by the view's unit of work
        return None
    if previous.request_hash != digest:
        abort(422, message=f"{HEADER} reused for a different request", errors={HEADER: ["used for another request"]})
    if previous.status_code is None:
        abort(409, message=IN_PROGRESS)
    return Response(previous.response_body, status=previous.status_code, content_type=previous.content_type,
                    headers={REPLAYED: "true"})


def reserve_key(session: Session) -> None:
    """In the unit of work, just before it commits: reserve this request's key (once per request)."""
    reservation: Reservation | None = g.get("idempotency")
    if reservation is None or reservation.reserved:
        return
    session.flush()  # the view's own writes first: their errors are theirs, not the key's
    session.add(IdempotencyRecord(token_id=reservation.token_id, key=reservation.key, method=request.method,
                                  path=request.path, request_hash=reservation.request_hash))
    try:
        session.flush()
    except IntegrityError:
        # A concurrent request with this key got there first; this transaction rolls back.
        abort(409, message=IN_PROGRESS)
    reservation.reserved = True


def store_answer(response: Response) -> Response:
    """After a reserved write: keep its answer for retries (a 5xx, or a secret, leaves it lost: 409)."""
    reservation: Reservation | None = g.get("idempotency")
    if (reservation is None or not reservation.reserved or response.status_code >= 500
            or request.endpoint in SECRET_ANSWERS or response.is_streamed or response.direct_passthrough):
        return response
    try:
        with _sessions().begin() as session:
            session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.token_id == reservation.token_id, IdempotencyRecord.key == reservation.key)
                .values(status_code=response.status_code, content_type=response.content_type,
                        response_body=response.get_data(as_text=True)))
    except SQLAlchemyError as error:
        # The write has taken effect: answer it. A retry will get a 409 instead of the replay.
        log.warning("idempotent answer not stored", key=reservation.key, error=str(error)[:300])
    return response


def _request_hash() -> str:
    parts = (request.method.encode(), request.path.encode(), request.query_string, request.get_data())
    mode = cloudevent_headers()  # a CloudEvent in binary mode has its id in a header, not in the body
    if mode:
        parts += tuple(f"{name}: {value}".encode() for name, value in mode)
    return hashlib.sha256(b"\n".join(parts)).hexdigest()


def _sessions() -> sessionmaker:
    # The runtime, as app.api.context.runtime() gives it (that module imports this one, not the reverse).
    return current_app.extensions["stablework"].sessions


class IdempotencyKeyPlugin(BasePlugin):
    """apispec plugin: the optional Idempotency-Key header on every POST operation."""

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        spec.components.parameter("IdempotencyKey", "header", {
            "name": HEADER,
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            "description": (
                "Makes a retry safe: a repeated request with the same key (and caller) gets the first answer "
                f"with `{REPLAYED}: true` and is not done again. The same key with a different request is a 422; "
                "while the first is still running, or if its answer was lost, a 409."),
        })

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        if operations and "post" in operations:
            operations["post"].setdefault("parameters", []).append("IdempotencyKey")
