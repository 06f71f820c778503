"""Work events: the CloudEvents envelope, one schema per type and version, and the bus."""
from events.envelope import (
    InvalidEvent,
    WorkEvent,
    content_hash,
    decode_event,
    encode_event,
    parse_event,
    to_cloudevent,
)
from events.schemas import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED

__all__ = [
    "ATTENDANCE_RECORDED", "OUTPUT_RECORDED", "OUTPUT_VOIDED",
    "InvalidEvent", "WorkEvent",
    "content_hash", "decode_event", "encode_event", "parse_event", "to_cloudevent",
]
