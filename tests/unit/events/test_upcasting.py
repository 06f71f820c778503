"""Old event versions upcast on read: a v1 output.recorded becomes the current version before validation."""
from __future__ import annotations

import copy
from datetime import date

import pytest
from marshmallow import Schema, fields, validate
from support.envelopes import cloudevent, errors_of, messages_at, with_data

import events.envelope as envelope
import events.schemas as schemas
from events import (
    ATTENDANCE_RECORDED,
    OUTPUT_RECORDED,
    content_hash,
    parse_event,
    to_cloudevent,
)


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
