"""The fraud rules' invariants: honest patterns are never flagged whatever their clock, each kind of fraud is
found however it is dressed, and a finding does not depend on the order the facts come in."""
from datetime import date, datetime, timedelta
from statistics import median

from hypothesis import given, settings
from hypothesis import strategies as st

from fraud import (
    Attendance,
    Contact,
    DayOutput,
    Receipt,
    cloned_attendance,
    never_absent,
    output_spikes,
    robust_score,
    shared_contacts,
    supervisor_far_apart,
    two_sites_one_day,
)

EXAMPLES = settings(max_examples=30, deadline=None)
FIRST = date(2026, 11, 2)
DAYS = 20
day_offsets = st.lists(st.integers(0, 27), min_size=DAYS, max_size=DAYS)


def timed(worker, offsets, shift=0, site="s1", start=FIRST):
    """A worker present on consecutive days, checking in at 07:00 plus the day's offset (minutes x 5)."""
    return [Attendance(worker, site, start + timedelta(days=n), "present", 420 + 5 * o + shift, 960 + 5 * o + shift)
            for n, o in enumerate(offsets)]


def kinds_of(findings):
    return {(f.kind, f.subject_id) for f in findings}


@EXAMPLES
@given(st.lists(day_offsets, min_size=2, max_size=6), st.integers(-300, 300))
def test_shifting_every_time_by_a_constant_changes_no_clone_verdict(patterns, shift):
    records = [r for n, offsets in enumerate(patterns) for r in timed(f"w{n}", offsets)]
    shifted = [r for n, offsets in enumerate(patterns) for r in timed(f"w{n}", offsets, shift)]
    assert kinds_of(cloned_attendance(records)) == kinds_of(cloned_attendance(shifted))


@EXAMPLES
@given(day_offsets, st.integers(1, 300))
def test_a_worker_shifted_from_another_by_a_constant_is_not_their_clone(offsets, shift):
    records = timed("honest", offsets) + timed("other", offsets, shift)
    assert cloned_attendance(records) == []


@EXAMPLES
@given(day_offsets, st.integers(2, 5), st.randoms())
def test_workers_with_one_set_of_times_are_all_clones_in_any_order(offsets, copies, random):
    records = [r for n in range(copies) for r in timed(f"w{n}", offsets)] + timed("alone", [o + 100 for o in offsets])
    random.shuffle(records)
    assert kinds_of(cloned_attendance(records)) == {("cloned_attendance", f"w{n}") for n in range(copies)}


@EXAMPLES
@given(st.lists(st.integers(0, 27), min_size=40, max_size=70).filter(lambda o: len(set(o)) > 4))
def test_a_worker_whose_times_vary_is_never_flagged_as_never_absent(offsets):
    assert never_absent(timed("w", offsets)) == []


@EXAMPLES
@given(st.integers(40, 90), st.integers(0, 27), st.integers(0, 39))
def test_months_at_the_same_minutes_without_an_absence_are_flagged_unless_one_day_was_missed(days, offset, gap):
    steady = timed("ghost", [offset] * days)
    assert kinds_of(never_absent(steady)) == {("never_absent", "ghost")}
    absent = Attendance("ghost", "s1", steady[gap].day, "absent")
    assert never_absent([*steady[:gap], absent, *steady[gap + 1:]]) == []


@EXAMPLES
@given(st.integers(0, 600), st.integers(0, 600), st.sampled_from(["present", "half_day"]))
def test_two_sites_in_one_day_are_flagged_exactly_past_the_day_limit(first, second, status):
    day = FIRST
    records = [Attendance("w", "s1", day, status, minutes=first), Attendance("w", "s2", day, status, minutes=second)]
    found = kinds_of(two_sites_one_day(records))
    both_worked = first > 0 and second > 0
    assert found == ({("two_sites_one_day", "w")} if both_worked and first + second > 600 else set())
    assert two_sites_one_day([Attendance("w", "s1", day, status, minutes=first + second)]) == []


def before_november(history: list[int], n: int) -> date:
    """The day of the history's `n`th output: the history ends on 30 October, so November holds only the day tested."""
    return date(2026, 10, 30) - timedelta(days=len(history) - 1 - n)


@EXAMPLES
@given(st.lists(st.integers(20, 120), min_size=15, max_size=60), st.integers(5, 20))
def test_one_spike_in_the_history_does_not_hide_the_next(history, factor):
    earlier = [DayOutput("w", before_november(history, n), q) for n, q in enumerate(history)]
    spike = max(history) * factor
    earlier.append(DayOutput("w", date(2026, 10, 31), spike))
    found = output_spikes([*earlier, DayOutput("w", date(2026, 11, 3), spike)], "2026-11")
    assert kinds_of(found) == {("output_spike", "w")}
    assert found[0].reason.params["day"] == "2026-11-03"


@EXAMPLES
@given(st.lists(st.integers(20, 120), min_size=15, max_size=60), st.integers(20, 120))
def test_a_day_is_a_spike_exactly_past_the_score_limit_and_never_a_usual_one(history, quantity):
    quantity = min(quantity, max(history))
    outputs = [DayOutput("w", before_november(history, n), q) for n, q in enumerate(history)]
    score = robust_score(quantity, [*history, quantity])
    found = output_spikes([*outputs, DayOutput("w", date(2026, 11, 3), quantity)], "2026-11")
    assert (found == []) == (score <= 3.5)
    if quantity <= median(history):  # a usual day; a day within min..max may still be far from the usual
        assert found == []


@EXAMPLES
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("ABC")), min_size=1, max_size=12), st.randoms())
def test_a_contact_is_flagged_exactly_when_another_household_shares_it(holders, random):
    contacts = [Contact(f"w{n}", household, bank_account=account) for n, (household, account) in enumerate(holders)]
    random.shuffle(contacts)
    expected = {("shared_bank_account", c.worker_id) for c in contacts
                if any(o.bank_account == c.bank_account and o.household_id != c.household_id for o in contacts)}
    assert kinds_of(shared_contacts(contacts)) == expected


TOWNS = ["/36/3601/360101/360101001/360101001001/", "/36/3601/360101/360101001/360101001002/",
         "/36/3601/360101/360101002/360101002001/"]


@EXAMPLES
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 240), st.integers(0, 3)), min_size=1, max_size=15),
       st.randoms())
def test_a_supervisor_is_flagged_exactly_for_townships_apart_within_the_limit(sent, random):
    start = datetime(2026, 11, 3, 8)
    receipts = [Receipt("sup", f"s{town}", TOWNS[town], start + timedelta(minutes=minute), f"r{request}")
                for town, minute, request in sent]
    expected = any(abs(a.at - b.at) <= timedelta(minutes=30) and a.request_id != b.request_id
                   and (a.region_path == TOWNS[2]) != (b.region_path == TOWNS[2])
                   for a in receipts for b in receipts)
    random.shuffle(receipts)
    assert (supervisor_far_apart(receipts) != []) == expected
