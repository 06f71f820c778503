"""Per request: an id in every log line and the response header, and Prometheus metrics."""
from __future__ import annotations

import re
import time
import uuid

import structlog
from flask import Flask, Response, g, request

from app import metrics

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def init_observability(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", _metrics)


def _start() -> None:
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
    g.started = time.perf_counter()
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=g.request_id)


def _finish(response: Response) -> Response:
    route = request.url_rule.rule if request.url_rule else "unmatched"
    metrics.HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
    if "started" in g:
        metrics.HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - g.started)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def _metrics() -> Response:
    body, content_type = metrics.render()
    return Response(body, content_type=content_type)
