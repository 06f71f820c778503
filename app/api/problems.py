"""Every error as application/problem+json (RFC 9457), with field-level `errors` for 422."""
from __future__ import annotations

import json

import marshmallow as ma
import structlog
from flask import Response
from flask_smorest import Api
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = structlog.get_logger("app.api")

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only: payloads are built in `problem`)."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "field -> messages (422); by item index for batches"})


def problem(status: int, title: str, detail: str | None = None, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    body: dict = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body, default=str), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = data.get("errors", data.get("messages"))
        if isinstance(errors, dict) and set(errors) <= {"json", "query", "view_args", "headers", "form"}:
            # webargs nests messages by location; a client cares about the fields. A body that
            # is not JSON at all has a list of messages for its location, not fields: keep it there.
            errors = {k: v for location, messages in errors.items()
                      for k, v in (messages.items() if isinstance(messages, dict) else [(location, messages)])}
        return problem(error.code or 500, error.name, data.get("message") or error.description,
                       errors, data.get("headers"))

    def handle_unexpected(self, error: Exception):
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        if isinstance(error, OperationalError):
            # The database is restarting or unreachable: nothing was taken, and a retry will do.
            log.warning("database unavailable", error=str(error.orig)[:300])
            return problem(503, "Service Unavailable", "the database is unavailable; retry shortly",
                           headers={"Retry-After": "1"})
        log.exception("unhandled error")
        return self.handle_http_exception(InternalServerError())
