"""Work events as the official CloudEvents SDK writes them, in its content modes, on Kafka and over HTTP."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from cloudevents.core.bindings import http, kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

JSON_FORMAT = JSONFormat()
BATCH_CONTENT = "application/cloudevents-batch+json"


def sdk_event(structured: dict[str, Any], **extensions: Any) -> CloudEvent:
    """The SDK's CloudEvent for an event as the API takes it (a structured dict), with extension attributes."""
    attributes = {name: value for name, value in structured.items() if name != "data"}
    attributes["time"] = datetime.fromisoformat(attributes["time"])
    return CloudEvent({**attributes, **extensions}, structured["data"])


def kafka_binary(structured: dict[str, Any], **extensions: Any) -> kafka.KafkaMessage:
    """Keyed by worker, as a producer sets `partitionkey` to keep one worker's events in order."""
    return kafka.to_binary(sdk_event(structured, partitionkey=structured["data"]["worker_id"], **extensions),
                           JSON_FORMAT)


def kafka_structured(structured: dict[str, Any]) -> kafka.KafkaMessage:
    return kafka.to_structured(sdk_event(structured, partitionkey=structured["data"]["worker_id"]), JSON_FORMAT)


def text_headers(message: kafka.KafkaMessage) -> dict[str, str]:
    """The message's headers as a consumer's `Message.headers` holds them."""
    return {name: value.decode() for name, value in message.headers.items()}


def http_binary(structured: dict[str, Any]) -> http.HTTPMessage:
    return http.to_binary(sdk_event(structured), JSON_FORMAT)


def http_structured(structured: dict[str, Any]) -> http.HTTPMessage:
    return http.to_structured(sdk_event(structured), JSON_FORMAT)


def http_batch(*events: dict[str, Any]) -> http.HTTPMessage:
    """The JSON batch format: the SDK writes each event in the JSON format, a batch is their array."""
    body = b"[" + b",".join(JSON_FORMAT.write(sdk_event(event)) for event in events) + b"]"
    return http.HTTPMessage({"content-type": BATCH_CONTENT}, body)
