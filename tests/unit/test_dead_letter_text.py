"""What a dead letter keeps of a message, whatever its bytes: previews any column holds, keys kept to the byte,
and the id of an invalid event where its JSON still tells it."""
from __future__ import annotations

import json

import psycopg
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, StatementError

from app.ledger.dead_letters import ELLIPSIS, key_bytes, preview, readable_identity, storable
from app.ledger.poison import refused


@given(st.binary(max_size=5000), st.integers(min_value=2, max_value=3000))
def test_a_preview_of_any_bytes_is_text_a_database_holds_within_its_limit(raw, limit):
    text = preview(raw, limit)
    assert storable(text, limit)


@given(st.text(alphabet=st.characters(blacklist_characters="\x00\\", blacklist_categories=("Cs",)), max_size=300))
def test_a_preview_of_readable_text_is_the_text(text):
    assert preview(text.encode(), 300) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=301, max_size=600))
def test_a_long_preview_is_cut_and_says_so(text):
    cut = preview(text.encode(), 300)
    assert len(cut) == 300 and cut.endswith(ELLIPSIS)


@given(st.binary(max_size=300))
def test_a_key_read_losslessly_gives_back_its_very_bytes(raw):
    assert key_bytes(raw.decode("utf-8", errors="surrogateescape")) == raw


@given(st.binary(max_size=500))
def test_the_identity_of_any_bytes_is_none_or_storable(raw):
    for field, limit in zip(readable_identity(raw), (64, 100)):
        assert field is None or storable(field, limit)


@given(st.text(min_size=1, max_size=64), st.text(min_size=1, max_size=100))
def test_an_invalid_event_keeps_the_id_and_type_its_json_tells(event_id, event_type):
    value = json.dumps({"id": event_id, "type": event_type, "data": "not an object"}).encode()
    found = readable_identity(value)
    expected = tuple(field if storable(field, limit) else None
                     for field, limit in ((event_id, 64), (event_type, 100)))
    assert found == expected


def test_an_id_that_is_not_text_or_too_long_is_not_kept():
    assert readable_identity(b'{"id": 7, "type": ["x"]}') == (None, None)
    assert readable_identity(json.dumps({"id": "x" * 65}).encode()) == (None, None)
    assert readable_identity(b'{"id": "a\\u0000b"}') == (None, None)
    assert readable_identity(b"[1, 2]") == (None, None)


def test_the_database_refusing_data_is_told_from_the_database_failing():
    def wrapped(cls, orig):
        return cls("INSERT ...", {}, orig)

    assert refused(wrapped(DataError, psycopg.DataError("NUL")))
    assert refused(wrapped(IntegrityError, psycopg.errors.CheckViolation("check")))
    assert refused(psycopg.errors.CheckViolation("raised by COPY, unwrapped"))
    assert refused(StatementError("could not send", "INSERT ...", {}, UnicodeEncodeError("utf-8", "\ud800", 0, 1, "x")))
    assert not refused(wrapped(OperationalError, psycopg.OperationalError("connection lost")))
