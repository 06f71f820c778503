"""CloudEvents' binary content mode, read as the structured event it stands for.

In binary mode a message's headers carry the attributes (`ce_id` on Kafka, `ce-id` over HTTP, the data's
media type in `content-type`) and its value or body is the data alone. The protocol bindings ask a receiver
to take both modes; the attributes and data are put back together into the structured form, so that
`parse_event` validates it as any other event and its content hash is the same in either mode.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote_to_bytes

from events.envelope import CONTENT_HASH_HEADER, InvalidEvent, WorkEvent, decode_event, parse_event

KAFKA_PREFIX = "ce_"
HTTP_PREFIX = "ce-"
CONTENT_TYPE = "content-type"
STRUCTURED_MEDIA = "application/cloudevents"  # the event formats: +json, -batch+json, ...
_RELAYED = frozenset({CONTENT_HASH_HEADER})  # the headers of the API's own messages, all structured


def binary_attributes(headers: Iterable[tuple[str, str]], prefix: str,
                      decode: Callable[[str], str] = str) -> dict[str, str] | None:
    """The attributes in a binary-mode message's headers (`datacontenttype` from `content-type`), each value
    passed through `decode`; None when the headers are not binary mode (no attribute, or an event format)."""
    attributes: dict[str, str] = {}
    content_type = None
    for name, value in headers:
        name = name.lower()  # HTTP header names are case-insensitive, and the SDKs read Kafka's so too
        if name.startswith(prefix):
            attributes[name[len(prefix):]] = decode(value)
        elif name == CONTENT_TYPE:
            content_type = value
    if not attributes or (content_type or "").lower().startswith(STRUCTURED_MEDIA):
        return None
    if content_type is not None:
        # A transport header may carry parameters (`; charset=utf-8`); JSON is UTF-8 whatever they say.
        attributes["datacontenttype"] = content_type.partition(";")[0].strip().lower()
    return attributes


def percent_decoded(value: bytes) -> str:
    """An HTTP `ce-*` header's text: the binding percent-encodes what is not printable ASCII. Bytes that are not
    UTF-8 become lone surrogates, which the envelope refuses by name."""
    return unquote_to_bytes(value).decode("utf-8", "surrogateescape")


def decode_message(value: bytes, headers: Mapping[str, str]) -> WorkEvent:
    """The event of a Kafka message in structured or binary mode; raise InvalidEvent for anything else."""
    # The API's messages are told apart without reading their headers one by one: they are nearly all of them.
    attributes = None if headers.keys() <= _RELAYED else binary_attributes(headers.items(), KAFKA_PREFIX)
    if attributes is None:
        return decode_event(value)  # structured: the fast reader
    return parse_event({**attributes, "data": _json_data(value)})


def _json_data(value: bytes) -> Any:
    try:
        return json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidEvent({"data": [f"not JSON: {error}"]}) from None
