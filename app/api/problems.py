"""Every error as application/problem+json (RFC 9457), with field-level `errors` for 422."""
from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

import marshmallow as ma
import structlog
from apispec import BasePlugin
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
    # No catch-all "default" response: each operation lists the errors it may answer (ProblemResponses).
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app, *, vet_refusal: Callable[[HTTPException], HTTPException] = lambda error: error, **kwargs):
        self.vet_refusal = vet_refusal  # the error to answer in place of a refusal (app.api.access)
        super().__init__(app, **kwargs)

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def _register_responses(self):
        """One response component per error status (UNAUTHORIZED, ...), as problem+json."""
        self.spec.components.schema("Problem", schema=self.ERROR_SCHEMA)
        for status in HTTPStatus:
            if status >= 400:
                response = {"description": status.phrase, "content": {PROBLEM_JSON: {"schema": "Problem"}}}
                if status in RESPONSE_HEADERS:
                    response["headers"] = RESPONSE_HEADERS[status]
                self.spec.components.response(status.name, response, lazy=True)

    def handle_http_exception(self, error: HTTPException):
        if error.response is not None:
            return error.response  # answered already (e.g. 429 with its Retry-After, see app.api.limits)
        error = self.vet_refusal(error)
        data = getattr(error, "data", None) or {}
        errors = data.get("errors", data.get("messages"))
        if isinstance(errors, dict) and set(errors) <= {"json", "query", "view_args", "headers", "form"}:
            # webargs nests messages by location; a client cares about the fields. A body that
            # is not JSON at all has a list of messages for its location, not fields: keep it there.
            errors = {k: v for location, messages in errors.items()
                      for k, v in (messages.items() if isinstance(messages, dict) else [(location, messages)])}
        # The exception's own headers (Allow on a 405, WWW-Authenticate on a 401) go with it; its body does not.
        headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
        return problem(error.code or 500, error.name, data.get("message") or error.description,
                       errors, {**headers, **(data.get("headers") or {})})

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


_RETRY_AFTER = {"description": "seconds to wait before trying again", "schema": {"type": "integer"}}
RESPONSE_HEADERS = {
    HTTPStatus.UNAUTHORIZED: {"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
    HTTPStatus.TOO_MANY_REQUESTS: {"Retry-After": {**_RETRY_AFTER, "required": True}},
    HTTPStatus.SERVICE_UNAVAILABLE: {"Retry-After": _RETRY_AFTER},
}


class ProblemResponses(BasePlugin):
    """apispec plugin: the errors that come from the API's common machinery, documented once for every
    operation they can happen to, and every error response documented as problem+json.

    `unlimited`: the endpoints not rate limited (no 429).
    """

    def __init__(self, unlimited: frozenset[str] = frozenset()):
        self.unlimited = unlimited

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")  # flask-smorest passes the werkzeug Rule
        limited = rule is None or rule.endpoint not in self.unlimited
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            documented = {str(code) for code in responses}
            for status in _common_errors(path or "", method, operation, limited):
                if str(status.value) not in documented:
                    responses[str(status.value)] = status.name
            for code, response in responses.items():
                if str(code).isdigit() and int(code) >= 400 and isinstance(response, dict):
                    response.setdefault("content", {PROBLEM_JSON: {"schema": "Problem"}})


def _common_errors(path: str, method: str, operation: dict, limited: bool) -> list[HTTPStatus]:
    statuses = [HTTPStatus.REQUEST_URI_TOO_LONG]  # app.api.limits, for any URI
    if operation.get("security") != []:
        # Every authenticated operation reads the token from the database, which may be down (503).
        statuses += [HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN, HTTPStatus.SERVICE_UNAVAILABLE]
    if limited:
        statuses.append(HTTPStatus.TOO_MANY_REQUESTS)
    if "{" in path:
        statuses.append(HTTPStatus.NOT_FOUND)
    writes = method in ("post", "put", "patch", "delete")
    if writes or "requestBody" in operation:  # any body: not JSON or nested too deep (400), too large (413)
        statuses += [HTTPStatus.BAD_REQUEST, HTTPStatus.REQUEST_ENTITY_TOO_LARGE]
    if method == "post":  # the Idempotency-Key header: malformed or reused (422), in progress (409)
        statuses.append(HTTPStatus.CONFLICT)
    # A body's or a parameter's text may hold what no text may (app.api.input_rules).
    if writes or "requestBody" in operation or operation.get("parameters") or "{" in path:
        statuses.append(HTTPStatus.UNPROCESSABLE_ENTITY)
    return statuses
