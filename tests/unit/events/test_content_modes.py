"""CloudEvents' binary content mode, as the official SDK writes it on Kafka and over HTTP: the same event as in
structured mode, with the same content hash; and a broken one refused with the attribute at fault."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from cloudevents.core.bindings import http
from hypothesis import given
from hypothesis import strategies as st
from support.cloudevents_sdk import JSON_FORMAT, kafka_binary, kafka_structured, sdk_event, text_headers

from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, InvalidEvent, content_hash, decode_event, parse_event
from events.bus import Message
from events.envelope import CONTENT_HASH_HEADER, encode_event, hash_encoded
from events.modes import HTTP_PREFIX, KAFKA_PREFIX, as_structured, binary_attributes, percent_decoded

_text = st.characters(min_codepoint=0x20, max_codepoint=0x2FFF, exclude_characters="\x7f")
_ids = st.text(_text, min_size=1, max_size=12)
_moments = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)), st.integers(-14 * 60, 14 * 60))
_days = st.dates(date(2000, 1, 1), date(2100, 12, 31)).map(date.isoformat)
_data = st.one_of(
    st.builds(lambda worker, site, day, minutes: (ATTENDANCE_RECORDED, {
        "worker_id": worker, "site_id": site, "date": day, "status": "present", "minutes": minutes}),
        _ids, _ids, _days, st.integers(0, 1440)),
    st.builds(lambda worker, site, day, product, quantity: (OUTPUT_RECORDED, {
        "worker_id": worker, "site_id": site, "date": day, "product": product, "quantity": quantity}),
        _ids, _ids, _days, _ids, st.integers(0, 2**31 - 1)),
)
_events = st.builds(
    lambda typed, event_id, source, moment, version: {
        "specversion": "1.0", "id": str(event_id), "type": typed[0], "source": source, "time": moment,
        "datacontenttype": "application/json", **version, "data": typed[1]},
    _data, st.uuids(), st.text(_text, min_size=1, max_size=40), _moments,
    st.sampled_from([{}, {"dataversion": 1}]))


def attendance() -> dict:
    return {"specversion": "1.0", "id": "6f1c2b9e-7d4a-4c1e-9f3b-2a5d8e7c6b10", "type": ATTENDANCE_RECORDED,
            "source": "ws-sewing/tablet-1", "time": "2026-03-02T18:05:00+08:00", "datacontenttype": "application/json",
            "data": {"worker_id": "w-li", "site_id": "ws-sewing", "date": "2026-03-02", "status": "present",
                     "minutes": 480}}


def decode_message(value: bytes, headers: dict[str, str]):
    """What a consumer reads off a message with these headers (`process_batch`)."""
    return decode_event(as_structured(Message("work-events", 0, 7, "w-li", value, headers)).value)


def errors_of(value: bytes, headers: dict[str, str]) -> dict:
    with pytest.raises(InvalidEvent) as caught:
        decode_message(value, headers)
    return caught.value.errors


@given(_events)
def test_an_event_on_kafka_is_one_event_in_binary_and_in_structured_mode(raw):
    binary, structured = kafka_binary(raw), kafka_structured(raw)

    from_binary = decode_message(binary.value, text_headers(binary))
    from_structured = decode_message(structured.value, text_headers(structured))

    assert from_binary == from_structured == parse_event(raw)
    assert content_hash(from_binary) == content_hash(parse_event(raw))


@given(_events)
def test_an_event_over_http_in_binary_mode_has_the_attributes_of_its_structured_form(raw):
    message = http.to_binary(sdk_event(raw), JSON_FORMAT)

    attributes = binary_attributes(message.headers.items(), HTTP_PREFIX, lambda value: percent_decoded(value.encode()))

    assert parse_event({**attributes, "data": raw["data"]}) == parse_event(raw)


def test_a_structured_message_is_read_by_the_fast_reader_whatever_its_headers():
    value = encode_event(parse_event(attendance()))
    for headers in ({}, {CONTENT_HASH_HEADER: hash_encoded(value)}, {"content-type": "application/cloudevents+json",
                                                                    "ce_id": "not read in structured mode"}):
        assert decode_message(value, headers) == decode_event(value)
    assert binary_attributes({"content-type": "application/cloudevents+json", "ce_id": "x"}.items(),
                             KAFKA_PREFIX) is None


def test_a_content_type_with_parameters_is_its_media_type():
    headers = {"ce_id": "x", "Content-Type": "Application/JSON; charset=utf-8"}

    assert binary_attributes(headers.items(), KAFKA_PREFIX) == {"id": "x", "datacontenttype": "application/json"}


def test_a_binary_message_without_an_id_names_the_missing_attribute():
    message = kafka_binary(attendance())
    headers = {name: value for name, value in text_headers(message).items() if name != "ce_id"}

    assert errors_of(message.value, headers) == {"id": ["Missing data for required field."]}


def test_a_binary_message_becomes_the_structured_message_of_its_event_keeping_its_place_and_other_headers():
    binary = kafka_binary(attendance())
    message = Message("work-events", 3, 7, "w-li", binary.value, {**text_headers(binary), "traceparent": "00-ab"})

    structured = as_structured(message)

    assert (structured.topic, structured.partition, structured.offset, structured.key) == ("work-events", 3, 7, "w-li")
    assert structured.headers == {"traceparent": "00-ab"}
    assert parse_event(json.loads(structured.value)) == parse_event(attendance())


@pytest.mark.parametrize("value, errors, kept", [
    (b"{not json", {"data": ["Not a valid mapping type."]}, {"data": "{not json"}),  # text, for whoever reads it
    (b"", {"data": ["Not a valid mapping type."]}, {"data": ""}),
    (b"\xff\xfe", {"data": ["Missing data for required field."]}, {"data_base64": "//4="}),  # the JSON format's way
    (b"[1, 2]", {"data": ["Not a valid mapping type."]}, {"data": [1, 2]}),
])
def test_binary_data_that_is_no_json_object_is_refused_and_kept(value, errors, kept):
    headers = text_headers(kafka_binary(attendance()))

    assert errors_of(value, headers) == errors
    structured = json.loads(as_structured(Message("work-events", 0, 7, None, value, headers)).value)
    assert structured["id"] == attendance()["id"]
    assert {name: structured[name] for name in ("data", "data_base64") if name in structured} == kept


def test_binary_data_of_another_media_type_is_refused():
    headers = {**text_headers(kafka_binary(attendance())), "content-type": "text/plain"}

    assert errors_of(kafka_binary(attendance()).value, headers) == {
        "datacontenttype": ["Must be equal to application/json."]}


def test_a_percent_encoded_header_that_is_not_utf8_is_refused_by_name():
    headers = {**text_headers(kafka_binary(attendance())), "ce_source": percent_decoded(b"%FF")}

    assert errors_of(kafka_binary(attendance()).value, headers) == {
        "source": ["not valid Unicode text (an unpaired surrogate)"]}
