"""The CloudEvents envelope: what parse_event accepts, how it normalises, and the content hash of the fact."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.envelopes import EVENT_ID, OUTPUT_ID, cloudevent, with_data

import events.schemas as schemas
from events import (
    ATTENDANCE_RECORDED,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    content_hash,
    decode_event,
    encode_event,
    parse_event,
    to_cloudevent,
)

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
