"""The review flags on PostgreSQL's statements: a month with one of each fraud raises each flag at its site and
no other, raising again adds nothing, and the closed month is approved only with an override."""
from __future__ import annotations

import pytest
from support.review import EXPECTED, MONTH, SITES, build_fraud_month

from app.pay.periods import Actor, FlaggedMonth, SiteScope, move_period, move_periods
from app.review.queue import FlagFilter, flag_page
from app.review.raising import raise_flags

LIU, ZHAO = Actor("person-liu", "post_manager"), Actor("person-zhao", "post_manager")


def test_flags_raised_once_and_approval_held_back_on_postgresql(pg_runtime):
    sessions = pg_runtime.sessions
    with sessions.begin() as session:
        build_fraud_month(session)
    with sessions.begin() as session:
        closed = move_periods(session, MONTH, "close", LIU, SiteScope())
    with sessions.begin() as session:
        raised = {(f.kind, f.subject_id, f.site_id) for f in flag_page(session, FlagFilter(), 100)[0]}
        again = raise_flags(session, MONTH, sorted(SITES))
    with sessions.begin() as session:
        bulk = move_periods(session, MONTH, "approve", ZHAO, SiteScope())

    assert closed.moved == sorted(SITES)
    assert raised == EXPECTED and again == []
    assert bulk.moved == [] and bulk.not_moved == {"flagged": 3}
    with pytest.raises(FlaggedMonth, match="5 open review flag"), sessions.begin() as session:
        move_period(session, "s-a", MONTH, "approve", ZHAO)
    with sessions.begin() as session:
        assert move_period(session, "s-p", MONTH, "approve", ZHAO, override="the order came in a rush") == "approved"
