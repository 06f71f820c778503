"""POST /events in the three content modes of CloudEvents' HTTP binding.

Structured (`application/cloudevents+json`, or plain JSON): the body is the event, or `{"events": [...]}`.
Binary: the attributes in `ce-*` headers, the data as the (JSON) body. Batched
(`application/cloudevents-batch+json`): the body is a JSON array of structured events.
"""
from __future__ import annotations

from typing import Any

from flask import request

from events.modes import HTTP_PREFIX, binary_attributes, percent_decoded

BATCH_MEDIA = "application/cloudevents-batch+json"
STRUCTURED_MEDIA = "application/cloudevents+json"

REQUEST_BODIES = {
    STRUCTURED_MEDIA: {"schema": {"type": "object", "description": "one structured CloudEvent"}},
    BATCH_MEDIA: {"schema": {"type": "array", "minItems": 1, "items": {"type": "object"},
                             "description": "structured CloudEvents, up to MAX_EVENTS_PER_REQUEST"}},
}
DESCRIPTION = (
    "Takes CloudEvents in any of the HTTP binding's content modes: structured (`application/cloudevents+json`, "
    "or `application/json`: one event, or `{\"events\": [...]}`), batched (`application/cloudevents-batch+json`, "
    "a JSON array) or binary (the attributes in `ce-specversion`, `ce-id`, `ce-type`, `ce-source`, `ce-time`, "
    "`ce-dataversion` headers, percent-encoded; the data as the `application/json` body). "
    "The same event in any mode is the same event: sent again, it is a duplicate.")


def events_body(body: Any) -> Any:
    """The request's JSON body as `{"events": [...]}`, whichever mode the request is in; anything else as it is,
    for the schema to refuse."""
    if request.mimetype == BATCH_MEDIA:
        return {"events": body}
    attributes = binary_attributes(request.headers.items(), HTTP_PREFIX, _percent_decoded)
    if attributes is not None:
        data = {"data": body} if request.is_json else {}  # not read as JSON: its data is missing
        return {"events": [{**attributes, **data}]}
    if isinstance(body, dict) and "events" not in body:
        return {"events": [body]}
    return body


def cloudevent_headers() -> list[tuple[str, str]]:
    """The request's `ce-*` headers, sorted: in binary mode they are part of what was asked."""
    return sorted((name.lower(), value) for name, value in request.headers.items()
                  if name.lower().startswith(HTTP_PREFIX))


def _percent_decoded(value: str) -> str:
    return percent_decoded(value.encode("latin-1", "replace"))  # WSGI hands headers over as latin-1 (PEP 3333)
