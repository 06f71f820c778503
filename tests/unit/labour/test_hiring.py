"""What may be hired: whatever the order of the attempts, no vacancy holds more hires than places, and no labourer
holds two full-time jobs on the same day; a pending referral to an open place is hired."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from labour.hiring import Job, Opening, ends_pending_referral, hire_refusal

FIRST = date(2026, 3, 1)


@st.composite
def openings(draw) -> Opening:
    start = FIRST + timedelta(days=draw(st.integers(0, 60)))
    end = draw(st.none() | st.integers(0, 90).map(lambda days: start + timedelta(days=days)))
    return Opening("open", draw(st.integers(1, 3)), 0, draw(st.booleans()), start, end)


attempts = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.integers(0, 30)), max_size=25)


@settings(max_examples=80)
@given(st.lists(openings(), min_size=1, max_size=4), attempts, st.booleans())
def test_hires_never_exceed_places_nor_overlap_full_time(vacancies, tries, ending):
    """`ending`: a full-time hire ends the labourer's other pending referrals, or (as for a referral made after
    it) leaves them to the rule."""
    vacancies = list(vacancies)
    jobs: dict[int, list[Job]] = {worker: [] for worker in range(3)}
    referred = {(v, w): "referred" for v in range(len(vacancies)) for w in range(3)}
    for v, worker, offset in tries:
        v %= len(vacancies)
        opening, start = vacancies[v], vacancies[v].start + timedelta(days=offset)
        if hire_refusal(referred[(v, worker)], opening, jobs[worker], start) is not None:
            continue
        hire = Job(start, opening.end, opening.full_time)
        jobs[worker].append(hire)
        referred[(v, worker)] = "hired"
        hired = opening.hired + 1
        vacancies[v] = replace(opening, hired=hired, status="filled" if hired == opening.count else "open")
        for other in range(len(vacancies)):
            if ending and referred[(other, worker)] == "referred" and ends_pending_referral(hire, vacancies[other]):
                referred[(other, worker)] = "ended"

    assert all(v.hired <= v.count for v in vacancies)
    for held in jobs.values():
        full = [job for job in held if job.full_time]
        assert not any(a.overlaps(b) for i, a in enumerate(full) for b in full[i + 1:])


@settings(max_examples=40)
@given(openings(), st.sampled_from(["referred", "accepted"]))
def test_a_pending_referral_to_a_place_left_is_hired(opening, status):
    assert hire_refusal(status, opening, [], opening.start) is None


@settings(max_examples=40)
@given(openings(), st.sampled_from(["declined", "hired", "ended"]))
def test_a_referral_decided_is_never_hired(opening, status):
    refusal = hire_refusal(status, opening, [], opening.start)
    assert refusal == f"the referral is {status}, no longer waiting for a decision"


def test_a_filled_or_closed_vacancy_refuses_more_hires():
    opening = Opening("open", 1, 1, False, FIRST, None)
    assert hire_refusal("accepted", opening, [], FIRST) == "the vacancy is filled"
    assert hire_refusal("accepted", replace(opening, status="closed", hired=0), [], FIRST) == "the vacancy is closed"


def test_a_part_time_job_beside_a_full_time_one_is_allowed_but_not_a_second_full_time():
    held = [Job(FIRST, None, True)]
    assert hire_refusal("referred", Opening("open", 1, 0, False, FIRST, None), held, FIRST) is None
    assert hire_refusal("referred", Opening("open", 1, 0, True, FIRST, None), held, FIRST) == (
        "the labourer already holds a full-time job in these days")
    ended = [Job(FIRST, FIRST + timedelta(days=9), True)]
    assert hire_refusal("referred", Opening("open", 1, 0, True, FIRST, None), ended, FIRST + timedelta(days=10)) is None
