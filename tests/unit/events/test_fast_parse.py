"""The plain reader (events.fast_parse) is a shortcut, not a second meaning: whatever event it returns, the
schemas' path returns the same; whatever the schemas refuse, parse_event refuses with the schemas' errors.
Likewise for message values: decode_event means parse_event of json's reading, whichever parser read them."""
from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import events.envelope as envelope
import events.fast_parse as fast_parse
import events.schemas as schemas
import events.work_event as work_event
from bench.country import Country
from events import (
    ATTENDANCE_RECORDED,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    InvalidEvent,
    decode_event,
    encode_event,
    parse_event,
    to_cloudevent,
)

# --- the rule ---------------------------------------------------------------------------------------------


def schemas_outcome(raw: dict) -> envelope.WorkEvent | dict:
    """The event the schemas' path reads from `raw`, or its errors."""
    try:
        return envelope._parse_with_schemas(copy.deepcopy(raw))
    except InvalidEvent as refusal:
        return refusal.errors


def same_event(fast: envelope.WorkEvent, slow: envelope.WorkEvent) -> None:
    assert fast == slow
    assert fast.time.tzinfo is slow.time.tzinfo is UTC
    assert list(fast.data) == list(slow.data)  # same fields, in the schema's order
    assert [type(value) for value in fast.data.values()] == [type(value) for value in slow.data.values()]


def assert_the_plain_reader_agrees(raw: dict) -> envelope.WorkEvent | None:
    """Whatever the plain reader returns, the schemas return; parse_event answers as the schemas do."""
    untouched = copy.deepcopy(raw)
    expected = schemas_outcome(raw)

    fast = fast_parse.parse_plain(raw)

    assert raw == untouched
    if fast is not None:
        assert isinstance(expected, envelope.WorkEvent), f"the plain reader took what the schemas refuse: {expected}"
        same_event(fast, expected)
    if isinstance(expected, envelope.WorkEvent):
        assert parse_event(raw) == expected
    else:
        with pytest.raises(InvalidEvent) as caught:
            parse_event(raw)
        assert caught.value.errors == expected
    return fast


# --- valid events, written the ways clients and the relay write them ------------------------------------

# The fast reader takes printable ids only (str.isprintable); the mutations below bring in the rest.
# Free text: anything but NUL, which no database text holds (and no surrogates: st.text() draws none).
_free_text = st.characters(codec="utf-8", exclude_characters="\x00")
_printable_ids = st.text(st.characters(categories=("L", "N", "P", "S"), include_characters=" "), min_size=1,
                         max_size=64)
_uuids = st.uuids().map(str)
_days = st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat)
_offsets = st.sampled_from(["Z", "+00:00", "+08:00", "-05:30", "+14:00", "-12:00"])
# Years 2..9998, so that no offset takes the instant out of what a datetime holds (mutations try that too).
_moments = st.builds(lambda moment, offset: moment.isoformat() + offset,
                     st.datetimes(datetime(2, 1, 1), datetime(9998, 12, 31)), _offsets)


@st.composite
def _shift(draw) -> dict:
    kind = draw(st.sampled_from(("none", "times", "minutes", "nulls")))
    if kind == "times":
        start, end = sorted((draw(st.times()), draw(st.times())))
        return {"check_in": start.isoformat(), "check_out": end.isoformat()}
    if kind == "nulls":
        return {"check_in": None, "check_out": None, "minutes": draw(st.one_of(st.none(), st.integers(0, 1440)))}
    return {"minutes": draw(st.integers(0, 1440))} if kind == "minutes" else {}


def _optional(key: str, values: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.just({}), values.map(lambda value: {key: value}))


_data_of = {
    ATTENDANCE_RECORDED: st.builds(
        lambda worker, site, day, status, shift: {
            "worker_id": worker, "site_id": site, "date": day, "status": status, **shift},
        _printable_ids, _printable_ids, _days, st.sampled_from(schemas.ATTENDANCE_STATUSES), _shift()),
    OUTPUT_RECORDED: st.builds(
        lambda worker, site, day, product, grade, quantity: {
            "worker_id": worker, "site_id": site, "date": day, "product": product, "quantity": quantity, **grade},
        _printable_ids, _printable_ids, _days, st.text(_free_text, min_size=1, max_size=64),
        _optional("grade", st.text(_free_text, min_size=1, max_size=8)), st.integers(0, schemas.MAX_QUANTITY)),
    OUTPUT_VOIDED: st.builds(
        lambda worker, site, output, reason: {"worker_id": worker, "site_id": site, "output_id": output, **reason},
        _printable_ids, _printable_ids, _uuids,
        _optional("reason", st.one_of(st.none(), st.text(_free_text, max_size=500)))),
}


@st.composite
def valid_events(draw) -> dict:
    type_ = draw(st.sampled_from(sorted(_data_of)))
    raw = {"specversion": "1.0", "id": draw(_uuids), "type": type_,
           "source": draw(st.text(_free_text, min_size=1, max_size=200)), "time": draw(_moments),
           "data": draw(_data_of[type_])}
    raw.update(draw(_optional("datacontenttype", st.just("application/json"))))
    raw.update(draw(_optional("dataversion", st.just(schemas.CURRENT_VERSION[type_]))))
    return raw


# --- the usual event ---------------------------------------------------------------------------------------

EVENT_ID = "6f1c2b9e-7d4a-4c1e-9f3b-2a5d8e7c6b10"
_USUAL_DATA = {
    ATTENDANCE_RECORDED: {"worker_id": "w-li", "site_id": "ws-sewing", "date": "2026-03-02", "status": "present",
                          "check_in": "08:00", "check_out": "17:30"},
    OUTPUT_RECORDED: {"worker_id": "w-li", "site_id": "ws-glove", "date": "2026-03-02", "product": "GLOVE",
                      "grade": "B", "quantity": 120},
    OUTPUT_VOIDED: {"worker_id": "w-li", "site_id": "ws-glove", "output_id": "0b8f2f0e-3d4c-4a5b-8c6d-7e8f9a0b1c2d",
                    "reason": "counted twice"},
}


def usual_event(type_: str = ATTENDANCE_RECORDED, **changes: Any) -> dict:
    return {"specversion": "1.0", "id": EVENT_ID, "type": type_, "source": "ws-sewing/tablet-1",
            "time": "2026-03-02T18:05:00+08:00", "data": dict(_USUAL_DATA[type_]), **changes}


# --- values at and beyond what the schemas take, field by field --------------------------------------------

_NOT_STR = [None, 1, 1.5, True, False, [], {}]
_ID_EDGES = ["", "x", "x" * 64, "x" * 65, "é" * 64, "汉" * 65, "w-li\n", "w\nli", "w\x00li", "\x1f", "w\x7f",
             "w\x85", "w\xa0li", "\u2028", "w li", "\ud800", "\U000e0001", *_NOT_STR]
_UUID_EDGES = [EVENT_ID.upper(), "6F1C2B9E-7d4a-4C1E-9f3b-2A5D8E7C6B10", EVENT_ID.replace("-", ""),
               "urn:uuid:" + EVENT_ID, "{" + EVENT_ID + "}", " " + EVENT_ID, EVENT_ID + "\n", EVENT_ID[:-1],
               EVENT_ID[:9] + EVENT_ID[10:] + "0", EVENT_ID.replace("b", "g"), "+" + EVENT_ID[1:],
               "6f1c_2b9e7d4a4c1e9f3b2a5d8e7c6b10", "６" + EVENT_ID[1:], "not-a-uuid", 12345, *_NOT_STR]
_TIME_EDGES = ["08:00", "8:00", "08", "0800", "07:59:59.999999", "08:00:00.5", "08:00:00,5", "18:00", "23:59:59",
               "00:00", "08:00+08:00", "08:00Z", "17:30:00-01:00", "24:00", "23:59:60", "T08:00", "", *_NOT_STR]
EDGES: dict[str, list[Any]] = {
    "specversion": ["1.0", "0.3", "1.0 ", "1", 1.0, *_NOT_STR],
    "id": _UUID_EDGES,
    "type": [ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, "attendance.deleted", "Attendance.Recorded",
             ["output.recorded"], *_NOT_STR],
    "source": ["", "x", "x" * 200, "x" * 201, "汉" * 200, "site\n", "\x00", *_NOT_STR],
    "time": ["2026-03-02T18:05:00+08:00", "2026-03-02 18:05:00+08:00", "2026-03-02T10:05:00Z", "2026-03-02T10:05Z",
             "2026-03-02T10:05:00.5Z", "2026-03-02T10:05:00,5Z", "2026-03-02T10:05:00.123456789Z", "20260302T100500Z",
             "2026-03-02T18:05:00", "2026-03-02", "0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00-08:00",
             "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "9999-12-31T23:59:59+01:00",
             "2026-03-02T10:05:00+24:00", "2026-03-02T10:05:00z", "2026-03-02T10:05:00+0800", "2026-03-02T10:05:00+08",
             "2026-03-02T10:05:00+00:00:30", "yesterday", "2026-W10-1T10:00Z", "", 1772445900, *_NOT_STR],
    "datacontenttype": ["application/json", "text/xml", "application/JSON", "", *_NOT_STR],
    "dataversion": [0, 1, 2, -1, "1", 1.0, 1.5, *_NOT_STR],
    "data": ["{}", ["present"], *_NOT_STR],
    "worker_id": _ID_EDGES,
    "site_id": _ID_EDGES,
    "date": ["2026-1-5", "2026-01-05", "20260105", "2026-W02-1", "2026-02-30", "02/03/2026", "2026-01-05T00:00",
             "0001-01-01", "9999-12-31", " 2026-01-05", "２０２６-01-05", "", 20260105, *_NOT_STR],
    "status": [*schemas.ATTENDANCE_STATUSES, "sick", "Present", "present ", "", *_NOT_STR],
    "check_in": _TIME_EDGES,
    "check_out": _TIME_EDGES,
    "minutes": [0, 1440, -1, 1441, 7.5, 480.0, "480", 2**64, *_NOT_STR],
    "product": ["", "x", "x" * 64, "x" * 65, "汉" * 64, "a\x00", *_NOT_STR],
    "grade": ["", "x", "x" * 8, "x" * 9, "é" * 8, "A\n", *_NOT_STR],
    "quantity": [0, -1, schemas.MAX_QUANTITY, schemas.MAX_QUANTITY + 1, 3.0, "3", 2**64, *_NOT_STR],
    "output_id": [EVENT_ID, *_UUID_EDGES],
    "reason": ["", "x" * 500, "x" * 501, "汉" * 500, "\x00", *_NOT_STR],
}
_ENVELOPE_KEYS = frozenset(work_event.EnvelopeSchema().fields)
# Keys nobody declared: CloudEvents extensions in the envelope (ignored), unknown fields in the data (refused).
_EXTRA_ENVELOPE = {"traceparent": "00-abc-def-01", "Type": "x", "": None, "subject": 1}
_EXTRA_DATA = {"overtime": True, "Worker_id": "w-li", "worker id": None, "units": 4}
_DROPPED = object()


def changed(raw: dict, key: str, value: Any) -> dict:
    """A copy of `raw` with `key` set to `value` (or dropped, for _DROPPED) in the envelope or, for a data field,
    in the data."""
    raw = copy.deepcopy(raw)
    target = raw if key in _ENVELOPE_KEYS or key in _EXTRA_ENVELOPE else raw.get("data")
    if isinstance(target, dict):  # an earlier change may have taken the data object away
        if value is _DROPPED:
            target.pop(key, None)
        else:
            target[key] = value
    return raw


def _shifts() -> list[dict]:
    """Every way of writing check_in, check_out and minutes, together or apart, in or out of order."""
    absent = _DROPPED
    times, minutes = [absent, None, "08:00", "18:00", "08:00+08:00"], [absent, None, 0, 480]
    return [{key: value for key, value in (("check_in", start), ("check_out", end), ("minutes", count))
             if value is not absent} for start in times for end in times for count in minutes]


@pytest.mark.parametrize("type_", [ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED])
def test_the_plain_reader_agrees_with_the_schemas_on_every_edge_of_every_field(type_):
    usual = usual_event(type_)
    extras = [*_EXTRA_ENVELOPE.items(), *_EXTRA_DATA.items()]
    cases = [changed(usual, key, value) for key, values in EDGES.items() for value in [*values, _DROPPED]]
    cases += [changed(usual, key, value) for key, value in extras]
    cases += [changed(usual, "dataversion", schemas.CURRENT_VERSION[type_]), to_cloudevent(parse_event(usual))]

    taken = [raw for raw in cases if assert_the_plain_reader_agrees(raw) is not None]

    assert len(taken) > 50  # the edges that are still the usual event do take the fast path


def test_the_plain_reader_agrees_with_the_schemas_on_every_shift():
    usual, shift_keys = usual_event(ATTENDANCE_RECORDED), ("check_in", "check_out", "minutes")
    for shift in _shifts():
        raw = copy.deepcopy(usual)
        raw["data"] = {**{key: value for key, value in raw["data"].items() if key not in shift_keys}, **shift}
        assert_the_plain_reader_agrees(raw)


# --- and random events around the valid shape ---------------------------------------------------------------


@st.composite
def _change(draw, type_: str) -> tuple[str, Any]:
    """A (key, value) to set: an edge value of a field of this event, or an undeclared key, or a field dropped."""
    fields = sorted(_ENVELOPE_KEYS | set(schemas.DATA_SCHEMAS[(type_, schemas.CURRENT_VERSION[type_])].fields))
    kind = draw(st.sampled_from(["edge"] * 6 + ["random", "drop", "extra"]))
    if kind == "extra":
        return draw(st.sampled_from(sorted([*_EXTRA_ENVELOPE, *_EXTRA_DATA, *EDGES]))), draw(st.integers())
    key = draw(st.sampled_from(fields))
    if kind == "drop":
        return key, _DROPPED
    if kind == "random":
        return key, draw(st.one_of(st.text(max_size=5), st.integers(), st.uuids().map(lambda u: str(u).upper())))
    return key, draw(st.sampled_from(EDGES[key]))


@st.composite
def events_around_the_valid_shape(draw) -> dict:
    raw = draw(valid_events())
    for key, value in draw(st.lists(_change(raw["type"]), min_size=1, max_size=2)):
        raw = changed(raw, key, value)
    data = raw.get("data")
    if draw(st.booleans()) and isinstance(data, dict) and {"check_in", "check_out"} <= data.keys():
        data["check_in"], data["check_out"] = data["check_out"], data["check_in"]
    return raw


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events_around_the_valid_shape())
@example({"specversion": "1.0", "id": EVENT_ID, "type": [], "source": "s", "time": "2026-03-02T10:05:00Z",
          "data": {}})
def test_the_plain_reader_never_reads_an_event_the_schemas_read_otherwise_or_refuse(raw):
    assert_the_plain_reader_agrees(raw)


@settings(max_examples=300, deadline=None)
@given(valid_events())
def test_the_usual_event_takes_the_plain_path(raw):
    assert assert_the_plain_reader_agrees(raw) is not None


# --- what normally arrives takes the fast path ------------------------------------------------------------


@pytest.mark.parametrize("type_", [ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED])
def test_the_canonical_form_of_every_event_type_takes_the_plain_path(type_):
    canonical = to_cloudevent(envelope._parse_with_schemas(usual_event(type_)))

    assert fast_parse.parse_plain(canonical) == envelope._parse_with_schemas(canonical)


def test_every_benchmark_event_takes_the_plain_path():
    country = Country(50)
    raws = list(country.events(3))

    assert {raw["type"] for raw in raws} == {ATTENDANCE_RECORDED, OUTPUT_RECORDED}
    assert any(raw["data"].get("check_in") for raw in raws) and any(raw["data"].get("minutes") for raw in raws)
    for raw in raws:
        fast = fast_parse.parse_plain(raw)
        assert fast is not None, raw
        assert fast == envelope._parse_with_schemas(raw)


# --- and what it leaves to the schemas ------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"id": "6F1C2B9E7D4A4C1E9F3B2A5D8E7C6B10"},
    {"dataversion": "1"},
    {"traceparent": "00-abc-def-01", "dataversion": 1.0},
])
def test_an_unusual_spelling_is_left_to_the_schemas(change):
    raw = usual_event(**change)

    assert fast_parse.parse_plain(raw) is None
    assert parse_event(raw).id == EVENT_ID


# --- text that could never be stored is refused at the door -------------------------------------------------


def test_an_id_ending_in_a_newline_is_refused():
    raw = usual_event(data={**_USUAL_DATA[ATTENDANCE_RECORDED], "worker_id": "w-li\n"})

    with pytest.raises(InvalidEvent) as refused:
        parse_event(raw)
    assert refused.value.errors == {"data": {"worker_id": ["no control characters"]}}


@pytest.mark.parametrize(("type_", "field"), [
    (None, "source"), (ATTENDANCE_RECORDED, "worker_id"), (ATTENDANCE_RECORDED, "site_id"),
    (OUTPUT_RECORDED, "product"), (OUTPUT_RECORDED, "grade"), (OUTPUT_VOIDED, "reason"),
])
def test_a_lone_surrogate_in_any_text_is_refused_and_named(type_, field):
    # json.loads turns "\ud800" into a str that no database, log or topic can take: before, such an event
    # was accepted and then failed every write of the consumer batch that held it.
    if type_ is None:
        raw, expected = usual_event(source="tablet-\ud800"), {"source": [_SURROGATE]}
    else:
        raw = usual_event(type_, data={**_USUAL_DATA[type_], field: "w-\udc00"})
        expected = {"data": {field: [_SURROGATE]}}

    assert fast_parse.parse_plain(raw) is None
    with pytest.raises(InvalidEvent) as refused:
        parse_event(raw)
    assert refused.value.errors == expected


_SURROGATE = "not valid Unicode text (an unpaired surrogate)"


@pytest.mark.parametrize(("type_", "field"), [
    (None, "source"), (OUTPUT_RECORDED, "product"), (OUTPUT_RECORDED, "grade"), (OUTPUT_VOIDED, "reason"),
])
def test_a_nul_in_any_free_text_is_refused_and_named(type_, field):
    # PostgreSQL text cannot hold NUL: such an event, from any producer, would fail every write of its batch.
    if type_ is None:
        raw, expected = usual_event(source="tablet-\x00"), {"source": [_NUL]}
    else:
        raw = usual_event(type_, data={**_USUAL_DATA[type_], field: "w-\x00"})
        expected = {"data": {field: [_NUL]}}

    assert fast_parse.parse_plain(raw) is None
    with pytest.raises(InvalidEvent) as refused:
        parse_event(raw)
    assert refused.value.errors == expected


_NUL = "not text a database can store (NUL, U+0000)"


class OutputRecordedV2(schemas.OutputRecordedV1):
    """A made-up v2, with the same fields as v1: still not the schema the plain reader restates."""


def test_a_newer_version_without_a_plain_reader_is_left_to_the_schemas(monkeypatch):
    monkeypatch.setitem(schemas.CURRENT_VERSION, OUTPUT_RECORDED, 2)
    monkeypatch.setitem(schemas.DATA_SCHEMAS, (OUTPUT_RECORDED, 2), OutputRecordedV2())

    assert fast_parse.parse_plain(usual_event(OUTPUT_RECORDED, dataversion=2)) is None
    assert fast_parse.parse_plain(usual_event(OUTPUT_RECORDED)) is None  # v1 is upcast, by the schemas' path


def test_the_plain_readers_know_exactly_the_fields_of_their_schemas():
    for schema, fields in fast_parse._FIELDS.items():
        assert fields == set(schema().fields)
    # the events staged by their endpoints are few beside attendance and output: the schemas read them
    assert set(fast_parse._PLAIN_READERS) == {
        type(schemas.DATA_SCHEMAS[(type_, version)]) for type_, version in schemas.CURRENT_VERSION.items()
        if type_ not in schemas.STAGED_EVENTS}


# --- message values: orjson reads the usual one, and json's reading stands --------------------------------


def json_meaning(value: bytes) -> envelope.WorkEvent | dict | str:
    """What a message value means: parse_event of json's reading (or its errors; or that it is not JSON)."""
    try:
        raw = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "not JSON"
    try:
        return parse_event(raw)
    except InvalidEvent as refusal:
        return refusal.errors


def assert_decoding_agrees(value: bytes) -> None:
    expected = json_meaning(value)
    try:
        decoded = decode_event(value)
    except InvalidEvent as refusal:
        if expected == "not JSON":
            assert refusal.errors["_schema"][0].startswith("not JSON: ")
        else:
            assert refusal.errors == expected
    else:
        assert isinstance(expected, envelope.WorkEvent), f"decoded what json's reading refuses: {expected}"
        same_event(decoded, expected)


def spelled(raw: dict, ensure_ascii: bool = True, indent: int | None = None, bom: str = "") -> bytes:
    # surrogatepass: json's own reading of bytes takes an encoded lone surrogate (and so must the decoder)
    return (bom + json.dumps(raw, ensure_ascii=ensure_ascii, indent=indent)).encode("utf-8", "surrogatepass")


# Where orjson and json read the same bytes differently, or only json reads them at all.
_JSON_ONLY = [
    ("quantity", 2**64),  # orjson: a float
    ("quantity", 10**30),
    ("minutes", -(2**63) - 1),
    ("traceparent", 10**30),  # an extension the envelope ignores
    ("traceparent", float("nan")),  # NaN: json only
    ("traceparent", float("inf")),
    ("minutes", float("nan")),
    ("traceparent", "\ud800"),  # a lone surrogate: json only
    ("source", "tablet-\udc00"),
]


@pytest.mark.parametrize(("key", "value"), _JSON_ONLY)
@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_bytes_orjson_reads_otherwise_than_json_mean_what_json_reads(key, value, ensure_ascii):
    type_ = OUTPUT_RECORDED if key == "quantity" else ATTENDANCE_RECORDED
    raw = changed(usual_event(type_), key, value)
    if key == "minutes":  # minutes are given instead of check_in and check_out
        raw = changed(changed(raw, "check_in", _DROPPED), "check_out", _DROPPED)

    assert_decoding_agrees(spelled(raw, ensure_ascii))


@pytest.mark.parametrize("value", [
    spelled(usual_event(), bom="\ufeff"),
    json.dumps(usual_event()).encode("utf-16"),
    json.dumps(usual_event()).encode("utf-32-le"),
    b'{"a": 1, "a": 2}',
    json.dumps(usual_event()).encode() + b"\n",
    b"NaN",
    b"\xed\xa0\x80",
])
def test_other_encodings_and_spellings_mean_what_json_reads(value):
    assert_decoding_agrees(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events_around_the_valid_shape(), st.booleans(), st.sampled_from([None, 2]), st.sampled_from(["", "\ufeff"]))
def test_decoding_any_spelling_means_what_json_reads(raw, ensure_ascii, indent, bom):
    assert_decoding_agrees(spelled(raw, ensure_ascii, indent, bom))


_SNIPPETS = [b"NaN", b"1e400", b"18446744073709551616", b"-0", b'"\\ud800"', b"\xed\xa0\x80", b"\xff", b"\x00",
             b",", b"}", b"]", b'"', b"\\", b" ", b"\xef\xbb\xbf"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_events(), st.data())
def test_decoding_damaged_bytes_means_what_json_reads(raw, data):
    value = spelled(raw)
    start = data.draw(st.integers(0, len(value)))
    end = data.draw(st.integers(start, min(len(value), start + 8)))
    snippet = data.draw(st.one_of(st.sampled_from(_SNIPPETS), st.binary(max_size=4)))

    assert_decoding_agrees(value[:start] + snippet + value[end:])


def test_the_usual_message_takes_the_fast_path():
    values = [encode_event(parse_event(usual_event(type_))) for type_ in _USUAL_DATA]
    values += [json.dumps(raw).encode() for raw in Country(20).events(2)]

    for value in values:
        assert envelope._decode_plain(value) == decode_event(value) == json_meaning(value)
