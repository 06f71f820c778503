"""The CloudEvents envelope: what parse_event accepts, how it normalises, and what it refuses, by field."""
from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

import events.envelope as envelope
import events.schemas as schemas
from events import (
    ATTENDANCE_RECORDED,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    InvalidEvent,
    content_hash,
    decode_event,
    encode_event,
    parse_event,
    to_cloudevent,
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


# --- accepted and normalised ---------------------------------------------------------------------------


def test_an_attendance_event_is_parsed_with_its_times_as_values():
    event = parse_event(cloudevent(ATTENDANCE_RECORDED))

    assert (event.id, event.type, event.source) == (EVENT_ID, ATTENDANCE_RECORDED, "ws-sewing/tablet-1")
    assert event.data == {"worker_id": "w-li", "site_id": "ws-sewing", "date": date(2026, 3, 2),
                          "status": "present", "check_in": time(8, 0), "check_out": time(17, 30), "minutes": None}
    assert (event.worker_id, event.site_id) == ("w-li", "ws-sewing")


def test_an_output_event_is_parsed_with_its_grade_and_quantity():
    event = parse_event(cloudevent(OUTPUT_RECORDED))

    assert event.data == {"worker_id": "w-li", "site_id": "ws-glove", "date": date(2026, 3, 2),
                          "product": "GLOVE", "grade": "B", "quantity": 120}


def test_an_output_without_a_grade_is_grade_a():
    raw = cloudevent(OUTPUT_RECORDED)
    del raw["data"]["grade"]

    assert parse_event(raw).data["grade"] == "A"


def test_a_void_event_names_the_output_it_cancels_as_a_canonical_uuid():
    event = parse_event(with_data(OUTPUT_VOIDED, output_id=OUTPUT_ID.upper()))

    assert event.data == {"worker_id": "w-li", "site_id": "ws-glove", "output_id": OUTPUT_ID,
                          "reason": "counted twice"}


def test_the_time_is_converted_to_utc():
    event = parse_event(cloudevent(time="2026-03-02T18:05:00+08:00"))

    assert event.time == datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    assert event.time.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("written", [
    "6F1C2B9E-7D4A-4C1E-9F3B-2A5D8E7C6B10",
    "6f1c2b9e7d4a4c1e9f3b2a5d8e7c6b10",
    "urn:uuid:6f1c2b9e-7d4a-4c1e-9f3b-2a5d8e7c6b10",
])
def test_the_id_becomes_the_lowercase_canonical_uuid(written):
    assert parse_event(cloudevent(id=written)).id == EVENT_ID


def test_cloudevent_extension_attributes_are_ignored():
    assert parse_event(cloudevent(traceparent="00-abc-def-01")).id == EVENT_ID


def test_minutes_may_stand_in_for_check_in_and_check_out():
    raw = cloudevent(data={"worker_id": "w-li", "site_id": "ws-sewing", "date": "2026-03-02",
                           "status": "present", "minutes": 510})

    assert parse_event(raw).data["minutes"] == 510


def test_the_canonical_form_parses_back_to_the_same_event():
    event = parse_event(cloudevent(OUTPUT_RECORDED))

    canonical = to_cloudevent(event)

    assert canonical["time"] == "2026-03-02T10:05:00.000000Z"
    assert canonical["dataversion"] == 1
    assert parse_event(canonical) == event
    assert decode_event(encode_event(event)) == event


@pytest.mark.parametrize("earlier, later", [
    ("2026-03-02T18:05:00+08:00", "2026-03-02T10:05:00.000001Z"),
    ("2026-03-02T10:05:00Z", "2026-03-02T11:05:01+01:00"),
    ("0999-12-31T23:59:59Z", "2026-03-02T10:05:00Z"),
    ("2026-03-02T10:05:00Z", "9999-12-31T23:59:59Z"),
])
def test_the_order_key_sorts_as_the_times_do(earlier, later):
    first, second = parse_event(cloudevent(time=earlier)), parse_event(cloudevent(time=later))

    assert first.time < second.time
    assert first.order_key < second.order_key


def test_equal_times_are_ordered_by_the_larger_event_id():
    small = parse_event(cloudevent(id="00000000-0000-4000-8000-000000000001"))
    large = parse_event(cloudevent(id="ffffffff-0000-4000-8000-000000000001"))

    assert small.order_key < large.order_key


# --- refused, with the path of the field at fault ------------------------------------------------------


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


# --- content hash --------------------------------------------------------------------------------------


def test_the_same_event_written_two_ways_has_one_content_hash():
    local = cloudevent(time="2026-03-02T18:05:00+08:00", id=EVENT_ID.upper())
    utc = cloudevent(time="2026-03-02T10:05:00Z", id=EVENT_ID, data={
        "check_out": "17:30:00", "check_in": "08:00:00", "status": "present", "date": "2026-03-02",
        "site_id": "ws-sewing", "worker_id": "w-li"})
    utc.pop("datacontenttype")

    assert content_hash(parse_event(local)) == content_hash(parse_event(utc))


@pytest.mark.parametrize("change", [
    {"data": {"check_out": "17:31"}},
    {"data": {"status": "half_day"}},
    {"time": "2026-03-02T18:05:01+08:00"},
    {"source": "ws-sewing/tablet-2"},
])
def test_a_different_fact_has_a_different_content_hash(change):
    changed = cloudevent()
    changed["data"].update(change.get("data", {}))
    changed.update({k: v for k, v in change.items() if k != "data"})

    assert content_hash(parse_event(changed)) != content_hash(parse_event(cloudevent()))


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


# --- upcasting old versions on read --------------------------------------------------------------------


class OutputRecordedV2(Schema):
    """A made-up v2: `quantity` renamed `units`, and a `unit` of measure added."""

    worker_id = fields.String(required=True)
    site_id = fields.String(required=True)
    date = fields.Date(required=True)
    product = fields.String(required=True)
    grade = fields.String(load_default="A")
    units = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    unit = fields.String(required=True)


def upcast_output_recorded_v1_v2(data: dict) -> dict:
    data = dict(data)
    data["units"] = data.pop("quantity")
    data["unit"] = "piece"
    return data


@pytest.fixture
def output_recorded_v2(monkeypatch):
    monkeypatch.setitem(schemas.CURRENT_VERSION, OUTPUT_RECORDED, 2)
    monkeypatch.setitem(schemas.DATA_SCHEMAS, (OUTPUT_RECORDED, 2), OutputRecordedV2())
    monkeypatch.setitem(schemas.UPCASTERS, (OUTPUT_RECORDED, 1), upcast_output_recorded_v1_v2)
    # envelope.py imported the same dicts: patching them in place reaches it too
    assert envelope.CURRENT_VERSION is schemas.CURRENT_VERSION


def test_a_v1_event_is_upcast_to_the_current_version_on_read(output_recorded_v2):
    v1 = cloudevent(OUTPUT_RECORDED, dataversion=1)
    original = copy.deepcopy(v1)

    event = parse_event(v1)

    assert event.data == {"worker_id": "w-li", "site_id": "ws-glove", "date": date(2026, 3, 2),
                          "product": "GLOVE", "grade": "B", "units": 120, "unit": "piece"}
    assert v1 == original  # the upcaster works on a copy
    assert to_cloudevent(event)["dataversion"] == 2


def test_an_event_without_a_dataversion_is_read_as_v1(output_recorded_v2):
    raw = cloudevent(OUTPUT_RECORDED)
    raw.pop("dataversion", None)

    assert parse_event(raw).data["units"] == 120


def test_a_v2_event_is_read_as_it_is(output_recorded_v2):
    raw = cloudevent(OUTPUT_RECORDED, dataversion=2, data={
        "worker_id": "w-li", "site_id": "ws-glove", "date": "2026-03-02", "product": "GLOVE",
        "units": 4, "unit": "box"})

    assert parse_event(raw).data["units"] == 4
    messages_at(errors_of(cloudevent(OUTPUT_RECORDED, dataversion=3)), "dataversion")


def test_the_upcast_v1_event_has_the_same_hash_as_the_same_fact_sent_as_v2(output_recorded_v2):
    v2 = cloudevent(OUTPUT_RECORDED, dataversion=2, data={
        "worker_id": "w-li", "site_id": "ws-glove", "date": "2026-03-02", "product": "GLOVE", "grade": "B",
        "units": 120, "unit": "piece"})

    assert content_hash(parse_event(cloudevent(OUTPUT_RECORDED))) == content_hash(parse_event(v2))


def test_an_invalid_v1_event_is_refused_after_upcasting_by_the_current_schema(output_recorded_v2):
    errors = errors_of(with_data(OUTPUT_RECORDED, quantity=-3))

    messages_at(errors, "data.units")


def test_other_event_types_are_not_touched_by_an_upcaster_of_another(output_recorded_v2):
    assert parse_event(cloudevent(ATTENDANCE_RECORDED)).data["status"] == "present"


# The canonical form writes the data out by hand for speed (envelope._dump_data): it must be what the schema
# of the current version dumps, for every event the schemas accept.
_ids = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, exclude_characters="\x7f"), min_size=1,
               max_size=12)
_free_text = st.characters(codec="utf-8", exclude_characters="\x00")  # free text may hold anything a database can store
_days = st.dates(date(2000, 1, 1), date(2100, 12, 31)).map(date.isoformat)
_times = st.times().map(lambda moment: moment.isoformat())


@st.composite
def _shift(draw) -> dict:
    kind = draw(st.sampled_from(("none", "times", "minutes")))
    if kind == "times":
        start, end = sorted((draw(_times), draw(_times)))
        return {"check_in": start, "check_out": end}
    return {"minutes": draw(st.one_of(st.none(), st.integers(0, 1440)))} if kind == "minutes" else {}


_data_of = {
    ATTENDANCE_RECORDED: st.builds(lambda worker, site, day, status, shift: {
        "worker_id": worker, "site_id": site, "date": day, "status": status, **shift},
        _ids, _ids, _days, st.sampled_from(schemas.ATTENDANCE_STATUSES), _shift()),
    OUTPUT_RECORDED: st.builds(lambda worker, site, day, product, grade, quantity: {
        "worker_id": worker, "site_id": site, "date": day, "product": product, "quantity": quantity,
        **({"grade": grade} if grade else {})},
        _ids, _ids, _days, _ids, st.one_of(st.none(), st.text(_free_text, min_size=1, max_size=8)),
        st.integers(0, schemas.MAX_QUANTITY)),
    OUTPUT_VOIDED: st.builds(lambda worker, site, output, reason: {
        "worker_id": worker, "site_id": site, "output_id": str(output), **({"reason": reason} if reason else {})},
        _ids, _ids, st.uuids(), st.one_of(st.none(), st.text(_free_text, max_size=40))),
}


@given(st.sampled_from(sorted(_data_of)).flatmap(lambda type_: st.tuples(st.just(type_), _data_of[type_])))
def test_the_canonical_data_is_what_the_schema_dumps(typed_data):
    type_, data = typed_data
    event = parse_event(cloudevent(type_, data=data))

    schema = schemas.DATA_SCHEMAS[(type_, schemas.CURRENT_VERSION[type_])]
    assert to_cloudevent(event)["data"] == schema.dump(event.data)
    assert decode_event(encode_event(event)) == event
