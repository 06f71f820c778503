"""The CloudEvents envelope: what parse_event and decode_event refuse, with the path of the field at fault."""
from __future__ import annotations

import json

import pytest
from support.envelopes import EVENT_ID, cloudevent, errors_of, messages_at, with_data

from events import (
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    InvalidEvent,
    decode_event,
)


@pytest.mark.parametrize("field", ["specversion", "id", "type", "source", "time", "data"])
def test_a_missing_envelope_field_is_named(field):
    raw = cloudevent()
    del raw[field]

    messages_at(errors_of(raw), field)


def test_every_missing_data_field_is_named_at_once():
    errors = errors_of(cloudevent(OUTPUT_RECORDED, data={}))

    for field in ("worker_id", "site_id", "date", "product", "quantity"):
        messages_at(errors, f"data.{field}")


MALFORMED = {
    "bad specversion": (cloudevent(specversion="0.3"), "specversion"),
    "unknown type": (cloudevent(type="attendance.deleted"), "type"),
    "naive time": (cloudevent(time="2026-03-02T18:05:00"), "time"),
    "time that is no time": (cloudevent(time="yesterday"), "time"),
    "time before year 1 in UTC": (cloudevent(time="0001-01-01T00:00:00+08:00"), "time"),
    "id that is no UUID": (cloudevent(id="not-a-uuid"), "id"),
    "numeric id": (cloudevent(id=12345), "id"),
    "empty source": (cloudevent(source=""), "source"),
    "non-JSON content type": (cloudevent(datacontenttype="text/xml"), "datacontenttype"),
    "data that is no object": (cloudevent(data=["present"]), "data"),
    "dataversion higher than known": (cloudevent(dataversion=2), "dataversion"),
    "dataversion 0": (cloudevent(dataversion=0), "dataversion"),
    "impossible date": (with_data(date="2026-02-30"), "data.date"),
    "date not ISO": (with_data(date="02/03/2026"), "data.date"),
    "bad status": (with_data(status="sick"), "data.status"),
    "check_in without check_out": (with_data(check_out=None), "data.check_out"),
    "check_out without check_in": (with_data(check_in=None), "data.check_in"),
    "check_out before check_in": (with_data(check_in="18:00", check_out="08:00"), "data.check_out"),
    "check_in with a UTC offset": (with_data(check_in="08:00+08:00", check_out="17:00+08:00"), "data.check_in"),
    "minutes with times": (with_data(minutes=480), "data.minutes"),
    "minutes over a day": (with_data(check_in=None, check_out=None, minutes=1441), "data.minutes"),
    "fractional minutes": (with_data(check_in=None, check_out=None, minutes=7.5), "data.minutes"),
    "unknown data field": (with_data(overtime=True), "data.overtime"),
    "empty worker_id": (with_data(worker_id=""), "data.worker_id"),
    "negative quantity": (with_data(OUTPUT_RECORDED, quantity=-1), "data.quantity"),
    "fractional quantity": (with_data(OUTPUT_RECORDED, quantity=1.5), "data.quantity"),
    "quantity as a string": (with_data(OUTPUT_RECORDED, quantity="3"), "data.quantity"),
    "quantity as a boolean": (with_data(OUTPUT_RECORDED, quantity=True), "data.quantity"),
    "quantity too large to store": (with_data(OUTPUT_RECORDED, quantity=2**31), "data.quantity"),
    "void of an output id that is no UUID": (with_data(OUTPUT_VOIDED, output_id="output-7"), "data.output_id"),
}


@pytest.mark.parametrize("raw, path", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_event_is_refused_at_the_field_at_fault(raw, path):
    messages_at(errors_of(raw), path)


def test_a_dataversion_higher_than_known_is_refused_by_name():
    messages = messages_at(errors_of(cloudevent(dataversion=2)), "dataversion")

    assert "unknown version 2" in messages[0]


@pytest.mark.parametrize("raw", [None, [], "an event", 42])
def test_anything_but_a_json_object_is_refused(raw):
    messages_at(errors_of(raw), "_schema")


def test_an_invalid_event_carries_its_errors_in_its_message():
    error = InvalidEvent({"data": {"status": ["Must be one of: present."]}})

    assert json.loads(str(error)) == error.errors


# --- decoding message values ---------------------------------------------------------------------------


def test_decode_event_reads_a_json_message_value():
    assert decode_event(json.dumps(cloudevent()).encode()).id == EVENT_ID


@pytest.mark.parametrize("value", [b"not json", b"\xff\xfe\x00", b"", b'{"specversion": "1.0"'])
def test_decode_event_refuses_bytes_that_are_not_json(value):
    with pytest.raises(InvalidEvent) as caught:
        decode_event(value)

    messages_at(caught.value.errors, "_schema")


def test_decode_event_refuses_json_that_is_not_a_valid_event():
    with pytest.raises(InvalidEvent) as caught:
        decode_event(json.dumps(with_data(status="sick")).encode())

    messages_at(caught.value.errors, "data.status")
