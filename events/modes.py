"""CloudEvents' binary content mode, read as the structured event it stands for.

In binary mode a message's headers carry the attributes (`ce_id` on Kafka, `ce-id` over HTTP, the data's
media type in `content-type`) and its value or body is the data alone. The protocol bindings ask a receiver
to take both modes; the attributes and data are put back together into the structured form, so that
`parse_event` validates it as any other event and its content hash is the same in either mode.
"""
from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from events.bus import Message
from events.envelope import CONTENT_HASH_HEADER

KAFKA_PREFIX = "ce_"
HTTP_PREFIX = "ce-"
CONTENT_TYPE = "content-type"
EVENT_FORMATS = "application/cloudevents"  # the media types of structured mode: +json, -batch+json, ...
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
    if not attributes or (content_type or "").lower().startswith(EVENT_FORMATS):
        return None
    if content_type is not None:
        # A transport header may carry parameters (`; charset=utf-8`); JSON is UTF-8 whatever they say.
        attributes["datacontenttype"] = content_type.partition(";")[0].strip().lower()
    return attributes


def percent_decoded(value: bytes) -> str:
    """An HTTP `ce-*` header's text: the binding percent-encodes what is not printable ASCII. Bytes that are not
    UTF-8 become lone surrogates, which the envelope refuses by name."""
    return unquote_to_bytes(value).decode("utf-8", "surrogateescape")


def as_structured(message: Message) -> Message:
    """A Kafka message in binary mode as the structured message it stands for (same topic, key and offset, its
    other headers kept); any other message as it is. What is parked or replayed is then the whole event."""
    if message.headers.keys() <= _RELAYED:
        return message  # the API's own messages, nearly all of them: told apart without a look at each header
    attributes = binary_attributes(message.headers.items(), KAFKA_PREFIX)
    if attributes is None:
        return message
    others = {name: value for name, value in message.headers.items()
              if not name.lower().startswith(KAFKA_PREFIX) and name.lower() != CONTENT_TYPE}
    value = json.dumps({**attributes, **_data_member(message.value)}).encode()
    return dataclasses.replace(message, value=value, headers=others)


def _data_member(value: bytes) -> dict[str, Any]:
    """The data as the JSON event format holds it: as JSON, else as text (refused: an event's data is an
    object), else as `data_base64` (refused: missing data), so that a broken message is parked whole."""
    try:
        text = value.decode()
    except UnicodeDecodeError:
        return {"data_base64": base64.b64encode(value).decode()}
    try:
        return {"data": json.loads(text)}
    except (json.JSONDecodeError, RecursionError):  # nested too deeply for an event's data: refused as text
        return {"data": text}
