"""Maker-checker: the person who closed a site's month may not approve it, per site and in a bulk approval,
in the service (which the API and the pages call) and over the API; the setting MAKER_CHECKER=off lifts it."""
from __future__ import annotations

import dataclasses

import pytest
from support.problems import assert_problem

from app.access.tokens import issue_token
from app.pay.periods import Actor, CloserMayNotApprove, SiteScope, move_period, move_periods, period_status

MONTH = "2026-03"
LIU, ZHAO = Actor("person-liu", "post_manager"), Actor("person-zhao", "post_manager")


def moved(runtime, site: str, action: str, actor: Actor, **options) -> str:
    with runtime.sessions.begin() as session:
        return move_period(session, site, MONTH, action, actor, "why" if action == "return" else None, **options)


def status(runtime, site: str) -> str:
    with runtime.sessions() as session:
        return period_status(session, site, MONTH)


def test_the_person_who_closed_a_month_may_not_approve_it(runtime, world):
    moved(runtime, world.glove, "close", LIU)

    with pytest.raises(CloserMayNotApprove, match="the person who closed this month may not approve it"):
        moved(runtime, world.glove, "approve", LIU)

    assert status(runtime, world.glove) == "closed"
    assert moved(runtime, world.glove, "approve", ZHAO) == "approved"


def test_the_latest_close_counts(runtime, world):
    moved(runtime, world.glove, "close", LIU)
    moved(runtime, world.glove, "return", ZHAO)
    moved(runtime, world.glove, "close", ZHAO)

    with pytest.raises(CloserMayNotApprove):
        moved(runtime, world.glove, "approve", ZHAO)
    assert moved(runtime, world.glove, "approve", LIU) == "approved"


def test_a_bulk_approval_leaves_the_callers_own_closes_and_counts_them(runtime, world):
    for site, closer in ((world.glove, LIU), (world.sewing, LIU), (world.post, ZHAO)):
        moved(runtime, site, "close", closer)

    with runtime.sessions.begin() as session:
        by_liu = move_periods(session, MONTH, "approve", LIU, SiteScope())
    with runtime.sessions.begin() as session:
        by_zhao = move_periods(session, MONTH, "approve", ZHAO, SiteScope())

    assert (by_liu.moved, by_liu.not_moved) == ([world.post], {"closed_by_you": 2, "open": 1})
    assert (by_zhao.moved, by_zhao.not_moved) == ([world.glove, world.sewing], {"approved": 1, "open": 1})


def test_without_maker_checker_the_closer_may_approve(runtime, world):
    for site in (world.glove, world.sewing):
        moved(runtime, site, "close", LIU)

    assert moved(runtime, world.glove, "approve", LIU, maker_checker=False) == "approved"
    with runtime.sessions.begin() as session:
        bulk = move_periods(session, MONTH, "approve", LIU, SiteScope(), maker_checker=False)
    assert (bulk.moved, bulk.not_moved) == ([world.sewing], {"approved": 1, "open": 2})


# ---- over the API --------------------------------------------------------------------------------------------

@pytest.fixture
def managers(api, runtime, world):
    clients = []
    for name in ("Manager Liu", "Manager Zhao"):
        with runtime.sessions.begin() as session:
            clients.append(api.as_token(issue_token(session, name=name, role="post_manager",
                                                    region_code=world.county)))
    return clients


def test_the_api_refuses_the_closers_approval_with_a_conflict(managers, world):
    liu, zhao = managers
    path = f"/sites/{world.glove}/periods/{MONTH}"
    assert liu.post(f"{path}/close", {}).status_code == 200

    body = assert_problem(liu.post(f"{path}/approve", {}), 409)

    assert body["detail"] == "the person who closed this month may not approve it"
    assert liu.get(path).get_json()["status"] == "closed"
    assert zhao.post(f"{path}/approve", {}).get_json()["status"] == "approved"


def test_the_api_bulk_approval_counts_the_callers_own_closes(managers, world):
    liu, zhao = managers
    assert liu.post(f"/periods/{MONTH}/close", {}).get_json()["moved"] == 3  # the county's three sites

    assert liu.post(f"/periods/{MONTH}/approve", {}).get_json() == {
        "month": MONTH, "action": "approve", "moved": 0, "not_moved": {"closed_by_you": 3}}
    assert zhao.post(f"/periods/{MONTH}/approve", {}).get_json()["moved"] == 3


@pytest.fixture
def settings(settings, request):
    """The API tests' settings, with MAKER_CHECKER as the test's parameter says (on unless given)."""
    return dataclasses.replace(settings, maker_checker=getattr(request, "param", True))


@pytest.mark.parametrize("settings", [False], indirect=True, ids=["MAKER_CHECKER=off"])
def test_with_the_setting_off_the_api_lets_the_closer_approve(managers, world):
    liu, _ = managers
    path = f"/sites/{world.glove}/periods/{MONTH}"
    assert liu.post(f"{path}/close", {}).status_code == 200

    assert liu.post(f"{path}/approve", {}).get_json()["status"] == "approved"
    assert liu.post(f"/sites/{world.sewing}/periods/{MONTH}/close", {}).status_code == 200
    assert liu.post(f"/periods/{MONTH}/approve", {}).get_json()["moved"] == 1
