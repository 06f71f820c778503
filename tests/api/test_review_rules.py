"""The review service over a month of two villages' work with one of each fraud in it: every fraud is flagged at
its site, no honest worker is, and raising the month again adds nothing."""
from __future__ import annotations

from support.review import EXPECTED, MONTH, SITES, build_fraud_month

from app.review.raising import raise_flags


def test_each_fraud_is_flagged_at_its_site_and_no_honest_worker_is(runtime):
    with runtime.sessions.begin() as session:
        build_fraud_month(session)
    with runtime.sessions.begin() as session:
        raised = {(flag.kind, flag.subject_id, flag.site_id) for flag in raise_flags(session, MONTH, sorted(SITES))}
    with runtime.sessions.begin() as session:
        again = raise_flags(session, MONTH, sorted(SITES))

    assert raised == EXPECTED
    assert again == []
