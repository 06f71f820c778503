"""CloudEvents as the envelope tests write them, and the errors of a refused one read by field path."""
from __future__ import annotations

from typing import Any

import pytest

from events import (
    ATTENDANCE_RECORDED,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    InvalidEvent,
    parse_event,
)

EVENT_ID = "6f1c2b9e-7d4a-4c1e-9f3b-2a5d8e7c6b10"
OUTPUT_ID = "0b8f2f0e-3d4c-4a5b-8c6d-7e8f9a0b1c2d"


def cloudevent(type_: str = ATTENDANCE_RECORDED, data: dict[str, Any] | None = None, **envelope_fields) -> dict:
    default_data = {
        ATTENDANCE_RECORDED: {"worker_id": "w-li", "site_id": "ws-sewing", "date": "2026-03-02",
                              "status": "present", "check_in": "08:00", "check_out": "17:30"},
        OUTPUT_RECORDED: {"worker_id": "w-li", "site_id": "ws-glove", "date": "2026-03-02", "product": "GLOVE",
                          "grade": "B", "quantity": 120},
        OUTPUT_VOIDED: {"worker_id": "w-li", "site_id": "ws-glove", "output_id": OUTPUT_ID,
                        "reason": "counted twice"},
    }[type_]
    return {"specversion": "1.0", "id": EVENT_ID, "type": type_, "source": "ws-sewing/tablet-1",
            "time": "2026-03-02T18:05:00+08:00", "datacontenttype": "application/json",
            "data": default_data if data is None else data, **envelope_fields}


def with_data(type_: str = ATTENDANCE_RECORDED, **changes) -> dict:
    raw = cloudevent(type_)
    raw["data"].update(changes)
    return raw


def errors_of(raw: Any) -> dict:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(raw)
    return caught.value.errors


def messages_at(errors: dict, path: str) -> list[str]:
    node: Any = errors
    for part in path.split("."):
        assert isinstance(node, dict) and part in node, f"no errors at {path}: {errors}"
        node = node[part]
    assert isinstance(node, list) and node and all(isinstance(m, str) for m in node), node
    return node
