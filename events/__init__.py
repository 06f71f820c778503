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
from events.schemas import (
    ASSIGNMENT_END_CHANGED,
    ASSIGNMENT_EVENTS,
    ASSIGNMENT_SCHEME_CHANGED,
    ASSIGNMENT_TRANSFERRED,
    ATTENDANCE_RECORDED,
    JOB_EVENTS,
    LABOUR_STATUS_CHANGED,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    REFERRAL_ACCEPTED,
    REFERRAL_DECLINED,
    REFERRAL_HIRED,
    REFERRAL_MADE,
    STAGED_EVENTS,
    VACANCY_CLOSED,
    VACANCY_EVENTS,
    VACANCY_FILLED,
    VACANCY_POSTED,
)

__all__ = [
    "ASSIGNMENT_END_CHANGED", "ASSIGNMENT_EVENTS", "ASSIGNMENT_SCHEME_CHANGED", "ASSIGNMENT_TRANSFERRED",
    "STAGED_EVENTS",
    "ATTENDANCE_RECORDED", "OUTPUT_RECORDED", "OUTPUT_VOIDED",
    "JOB_EVENTS", "LABOUR_STATUS_CHANGED", "REFERRAL_ACCEPTED", "REFERRAL_DECLINED", "REFERRAL_HIRED", "REFERRAL_MADE",
    "VACANCY_CLOSED", "VACANCY_EVENTS", "VACANCY_FILLED", "VACANCY_POSTED",
    "InvalidEvent", "WorkEvent",
    "content_hash", "decode_event", "encode_event", "parse_event", "to_cloudevent",
]
