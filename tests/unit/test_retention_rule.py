"""The retention rule's proof, as properties: whatever the times, an id that may have been purged is never taken
for new, by the API (an event's `time` against the intake horizon) or by a consumer (a message's intake time
against the dedupe horizon)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.ledger.retention import CLOCK_ALLOWANCE, GRACE, event_time_problem, taken_in_ms
from events.bus import Message
from events.bus.log import received_at_ms, with_received_at

START = datetime(2026, 1, 1, tzinfo=UTC)
moments = st.integers(min_value=0, max_value=400 * 24 * 3600).map(lambda s: START + timedelta(seconds=s))
spans = st.integers(min_value=0, max_value=400 * 24 * 3600).map(lambda s: timedelta(seconds=s))


@given(event_time=moments, received=moments, earlier_horizon=st.none() | moments, after_cutoff=spans,
       retried_later=spans)
def test_a_retry_of_a_purged_receipt_is_refused(event_time, received, earlier_horizon, after_cutoff, retried_later):
    accepted = event_time_problem(event_time, earlier_horizon, received) is None
    cutoff = received + timedelta(microseconds=1) + after_cutoff  # the purge took this receipt: received < cutoff
    retried_at = cutoff + retried_later  # a purge's cutoff is in its past
    assert not accepted or event_time_problem(event_time, cutoff, retried_at) is not None


@given(event_time=moments, now=moments)
def test_before_any_purge_only_an_event_far_ahead_is_refused(event_time, now):
    refused = event_time_problem(event_time, None, now) is not None
    assert refused == (event_time > now + GRACE)


@given(taken_in=moments, processed_after=spans, purged_after=spans, skew_ms=st.integers(-3_599_000, 3_599_000))
def test_a_message_whose_key_may_be_purged_is_older_than_the_consumers_cutoff(taken_in, processed_after,
                                                                                 purged_after, skew_ms):
    processed_at = taken_in + processed_after  # the key is written after the message was taken in
    cutoff = processed_at + timedelta(microseconds=1) + purged_after  # and purged: processed_at < cutoff
    stamped = taken_in + timedelta(milliseconds=skew_ms)  # by a clock up to an hour off the consumer's
    headers = with_received_at({}, stamped)
    refuse_before_ms = int((cutoff + CLOCK_ALLOWANCE).timestamp() * 1000)  # retention.dedupe_cutoff_ms
    assert received_at_ms(headers) < refuse_before_ms


def test_a_message_keeps_the_intake_time_it_carries():
    first = with_received_at({"stablework-content-hash": "ab"}, START)
    assert with_received_at(first, START + timedelta(days=9)) == first  # a dead letter sent back stays as old
    assert received_at_ms(first) == int(START.timestamp() * 1000)
    assert received_at_ms({"stablework-received-at": "soon"}) is None
    assert received_at_ms({}) is None


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@given(recorded=moments, event_time=moments, processed_after=spans, purged_after=spans, sent_again_after=spans)
def test_another_producers_message_whose_key_may_be_purged_is_older_than_the_cutoff(
        recorded, event_time, processed_after, purged_after, sent_again_after):
    """No intake header: the broker's record time stands for it, capped a day past the event's own time. A
    redelivered record, and the same event sent again as a new record when its time is that old, are parked."""
    cutoff_ms = ms(recorded + processed_after + timedelta(microseconds=1) + purged_after + CLOCK_ALLOWANCE)
    redelivered = Message("work-events", 0, 7, "w1", b"{}", {}, ms(recorded))
    assert taken_in_ms(redelivered, event_time) < cutoff_ms
    sent_again = Message("work-events", 0, 9, "w1", b"{}", {}, ms(recorded + sent_again_after))
    if ms(event_time + GRACE) < cutoff_ms:
        assert taken_in_ms(sent_again, event_time) < cutoff_ms


def test_our_intake_time_comes_first_and_a_message_with_no_time_at_all_counts_as_oldest():
    stamped = Message("work-events", 0, 1, "w1", b"{}", with_received_at({}, START), ms(START + timedelta(days=3)))
    assert taken_in_ms(stamped, START + timedelta(days=5)) == ms(START)
    assert taken_in_ms(Message("work-events", 0, 1, "w1", b"{}", {}, None), START) == 0
