"""What one request, and one caller, may ask: the size of a body, and requests per minute.

Each bearer token has its own count (a caller without one: its address), reads and writes apart, over
the whole API; probes and metrics are not counted. The counts live in Redis when
RATE_LIMIT_STORAGE_URL names one, otherwise in the memory of each process: then every gunicorn
worker counts on its own, and a caller may get up to WEB_CONCURRENCY times the limit. Redis down:
each process counts in memory for a while, rather than refuse everyone.

The counting is the `limits` library's (a sliding window counter). Its Flask extension,
Flask-Limiter, resolves its limits anew on every request, a cost the API felt under load; this hook
does only what the API asks of it.
"""
from __future__ import annotations

import time

import structlog
from flask import Flask, Response, request
from flask_smorest import abort
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from app.access.tokens import bearer_in, hash_token
from app.api.context import runtime
from app.api.problems import problem
from app.settings import Settings

READS = ("GET", "HEAD", "OPTIONS")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
UNLIMITED = frozenset({"health.Health", "health.Ready", "metrics"})  # probes and scrapes, by endpoint
# bodies up to max_import_bytes, by endpoint
LARGE_BODIES = frozenset({"imports.AttendanceImport", "registry_imports.RegistryImport"})
# Below gunicorn's request-line limit (gunicorn.conf.py), so the API, not gunicorn, answers a long URI.
MAX_URI_BYTES = 4096
RETRY_STORAGE_AFTER_S = 30.0  # while Redis is unreachable, how often a process tries it again
SWEEP_EVERY_S = 10.0  # how often a process drops the counts of callers it has not seen for two windows

log = structlog.get_logger("app.api.limits")


class LocalCounts(MemoryStorage):
    """`limits`' memory storage, without a thread for each request.

    MemoryStorage sweeps old counts on a 10 ms `threading.Timer`, and starts a new one whenever the last
    has run out: in a busy worker, on nearly every request, and each start waits until the new thread
    holds the GIL, time a busy worker cannot spare. The
    counts of the sliding window expire when they are read anyway (`get`); what the sweep adds is
    forgetting callers that stopped calling, which this does in the request, every SWEEP_EVERY_S.
    """

    def __init__(self) -> None:
        super().__init__()  # its first timer runs once, 10 ms after start, and is not replaced
        self.swept_at = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # the hook MemoryStorage calls before each count
        now = time.monotonic()
        if now - self.swept_at >= SWEEP_EVERY_S:
            self.swept_at = now
            self._MemoryStorage__expire_events()


class RateLimits:
    """Requests per minute per caller, reads and writes apart, counted where the settings say."""

    def __init__(self, settings: Settings):
        # Parsed once: a typo in the environment fails at start, not on every request.
        self.limits = {"reads": parse_many(settings.rate_limit_reads), "writes": parse_many(settings.rate_limit_writes),
                       # asked by app.web.vacancy and app.web.me themselves
                       "interest": parse_many(settings.rate_limit_interest),
                       "sign_in_number": parse_many(settings.rate_limit_sign_in_number),
                       "sign_in_address": parse_many(settings.rate_limit_sign_in_address)}
        url = settings.rate_limit_storage_url
        self.local = SlidingWindowCounterRateLimiter(LocalCounts())  # also while the shared storage is unreachable
        shared = url and not url.startswith("memory://")
        self.shared = SlidingWindowCounterRateLimiter(storage_from_string(url)) if shared else self.local
        self.shared_down_until = 0.0

    def refusal(self, scope: str, caller: str) -> Response | None:
        """A 429 when this request takes `caller` over one of `scope`'s limits, else None (the request counts)."""
        for limit in self.limits[scope]:
            limiter = self._limiter()
            try:
                allowed = limiter.hit(limit, "stablework", scope, caller)
            except limiter.storage.base_exceptions as error:  # Redis gone: count here until it is back
                log.warning("rate limit storage unreachable; counting in memory", error=str(error))
                self.shared_down_until = time.monotonic() + RETRY_STORAGE_AFTER_S
                limiter = self.local
                allowed = limiter.hit(limit, "stablework", scope, caller)
            if not allowed:
                return _too_many(limit, limiter.get_window_stats(limit, "stablework", scope, caller).reset_time)
        return None

    def _limiter(self) -> SlidingWindowCounterRateLimiter:
        return self.local if time.monotonic() < self.shared_down_until else self.shared


def init_limits(app: Flask, settings: Settings) -> RateLimits:
    limits = RateLimits(settings)

    def check_rate() -> Response | None:
        if request.endpoint in UNLIMITED:
            return None
        scope = "reads" if request.method in READS else "writes" if request.method in WRITES else None
        return limits.refusal(scope, _caller()) if scope else None

    app.before_request(_cap_uri)
    app.before_request(check_rate)
    app.before_request(_cap_body)
    app.extensions["rate_limits"] = limits
    return limits


def _caller() -> str:
    token = bearer_in(request.headers.get("Authorization", ""))
    # The token's hash, never the token: the key is stored (Redis) and may be logged.
    return f"token:{hash_token(token)}" if token else f"address:{request.remote_addr}"


def _too_many(limit: RateLimitItem, reset_at: float) -> Response:
    wait = max(1, int(reset_at - time.time()))
    return problem(429, "Too Many Requests", f"at most {limit} for this caller; retry in {wait} s",
                   headers={"Retry-After": str(wait)})


def _cap_uri() -> None:
    """Refuse a URI over MAX_URI_BYTES (414) before its parameters are judged or a caller counted."""
    length = len(request.environ.get("PATH_INFO", "")) + len(request.query_string)
    if length > MAX_URI_BYTES:
        abort(414, message=f"the URI is longer than {MAX_URI_BYTES} bytes")


def _cap_body() -> None:
    """Refuse a body over its limit before anything reads it (413); werkzeug enforces it while reading."""
    settings = runtime().settings
    cap = settings.max_import_bytes if request.endpoint in LARGE_BODIES else settings.max_request_bytes
    request.max_content_length = cap
    if request.method in WRITES and (request.content_length or 0) > cap:
        abort(413, message=f"the body is larger than {cap} bytes")
