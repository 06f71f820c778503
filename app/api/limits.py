"""What one request, and one caller, may ask: the size of a body, and requests per minute (Flask-Limiter).

Each bearer token has its own count (a caller without one: its address), reads and writes apart, over
the whole API; probes and metrics are not counted. The counts live in Redis when
RATE_LIMIT_STORAGE_URL names one, otherwise in the memory of each process: then every gunicorn
worker counts on its own, and a caller may get up to WEB_CONCURRENCY times the limit.
"""
from __future__ import annotations

import time

from flask import Flask, Response, request
from flask_limiter import ApplicationLimit, Limiter, RequestLimit
from flask_smorest import abort
from limits import parse_many

from app.api.context import runtime
from app.api.problems import problem
from app.settings import Settings
from app.tokens import hash_token

READS = ("GET", "HEAD", "OPTIONS")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
UNLIMITED = frozenset({"health.Health", "health.Ready", "metrics"})  # probes and scrapes, by endpoint
LARGE_BODIES = frozenset({"imports.AttendanceImport"})  # bodies up to max_import_bytes, by endpoint


def init_limits(app: Flask, settings: Settings) -> Limiter:
    for rate in (settings.rate_limit_reads, settings.rate_limit_writes):
        parse_many(rate)  # a typo in the environment fails at start, not on every request
    limiter = Limiter(
        _caller,
        app=app,
        application_limits=[ApplicationLimit(settings.rate_limit_reads, scope="reads", methods=READS),
                            ApplicationLimit(settings.rate_limit_writes, scope="writes", methods=WRITES)],
        storage_uri=settings.rate_limit_storage_url or "memory://",
        strategy="sliding-window-counter",  # no double burst at the turn of a fixed window
        on_breach=_too_many,
        in_memory_fallback_enabled=True,  # Redis down: count in memory for a while rather than refuse all
        key_prefix="stablework",
    )
    limiter.request_filter(lambda: request.endpoint in UNLIMITED)
    app.before_request(_cap_body)
    return limiter


def _caller() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    # The token's hash, never the token: the key is stored (Redis) and may be logged.
    return f"token:{hash_token(token)}" if token else f"address:{request.remote_addr}"


def _too_many(limit: RequestLimit) -> Response:
    wait = max(1, int(limit.reset_at - time.time()))
    return problem(429, "Too Many Requests", f"at most {limit.limit} for this caller; retry in {wait} s",
                   headers={"Retry-After": str(wait)})


def _cap_body() -> None:
    """Refuse a body over its limit before anything reads it (413); werkzeug enforces it while reading."""
    settings = runtime().settings
    cap = settings.max_import_bytes if request.endpoint in LARGE_BODIES else settings.max_request_bytes
    request.max_content_length = cap
    if request.method in WRITES and (request.content_length or 0) > cap:
        abort(413, message=f"the body is larger than {cap} bytes")
