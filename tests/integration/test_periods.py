"""Two managers acting on the same period at the same moment, for real, on PostgreSQL; and maker-checker
(the person who closed a month may not approve it) on PostgreSQL's statements, per site and in bulk."""
from __future__ import annotations

import threading

from sqlalchemy import func, select
from support.api import ApiClient
from support.month_close import COUNTY_A, SITES_A, build_country
from support.pipeline import post_in_batches, wait_for_all
from support.problems import assert_problem
from support.scenario import SITES, register

from app import create_app
from app.access.tokens import issue_token
from app.db.models import PaymentBatch, PaymentLine


def at_once(calls):
    """Run the calls in threads released together; return their responses in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_of_two_managers_approving_or_paying_at_once_exactly_one_succeeds(api, runtime, fleet, scenario):
    register(api, scenario)
    fleet.start("relay", "relay")
    fleet.start("wages-1")
    post_in_batches(api, scenario.events)
    wait_for_all(runtime, scenario)
    managers = []
    for name in ("Manager Liu", "Manager Zhao"):
        with runtime.sessions.begin() as session:
            token = issue_token(session, name=name, role="post_manager", region_code="360731")
        managers.append(api.as_token(token))
    for site in SITES:
        path = f"/sites/{site['id']}/periods/2026-03"
        assert api.post(f"{path}/close", {}).status_code == 200  # neither manager closed it: both may approve
        approvals = at_once([lambda m=m: m.post(f"{path}/approve", {}) for m in managers])
        assert sorted(r.status_code for r in approvals) == [200, 409], [r.get_json() for r in approvals]
        payments = at_once([lambda m=m: m.post(f"{path}/pay") for m in managers])
        assert sorted(r.status_code for r in payments) == [201, 409], [r.get_json() for r in payments]
        period = api.get(path).get_json()
        assert period["status"] == "paid"
        assert [h["to_status"] for h in period["history"]] == ["closed", "approved", "paid"]
        with runtime.sessions() as session:
            batches = session.scalar(select(func.count()).select_from(PaymentBatch)
                                     .where(PaymentBatch.site_id == site["id"]))
            paid = session.scalar(select(func.sum(PaymentLine.amount_fen)).where(PaymentLine.site_id == site["id"]))
        assert batches == 1
        assert paid == period["totals"]["approved_fen"] > 0


def test_the_person_who_closed_a_month_may_not_approve_it_alone_or_in_bulk(pg_runtime):
    month = "2026-05"
    with pg_runtime.sessions.begin() as session:
        build_country(session, (month,))
        tokens = [issue_token(session, name=name, role="post_manager", region_code=COUNTY_A)
                  for name in ("Manager Liu", "Manager Zhao")]
    client = create_app(runtime=pg_runtime).test_client()
    liu, zhao = (ApiClient(client, token) for token in tokens)
    assert liu.post(f"/periods/{month}/close", {}).get_json()["moved"] == len(SITES_A)

    refused = assert_problem(liu.post(f"/sites/a-1/periods/{month}/approve", {}), 409)
    assert refused["detail"] == "the person who closed this month may not approve it"
    assert zhao.post(f"/sites/a-2/periods/{month}/return", {"reason": "a day is disputed"}).status_code == 200
    assert zhao.post(f"/sites/a-2/periods/{month}/close", {}).status_code == 200  # now Zhao's close counts

    assert liu.post(f"/periods/{month}/approve", {}).get_json() == {
        "month": month, "action": "approve", "moved": 1, "not_moved": {"closed_by_you": len(SITES_A) - 1}}
    assert zhao.post(f"/periods/{month}/approve", {}).get_json() == {
        "month": month, "action": "approve", "moved": len(SITES_A) - 1, "not_moved": {"approved": 1}}
    approvers = {site: liu.get(f"/sites/{site}/periods/{month}").get_json()["history"][-1]["actor_token_id"]
                 for site in SITES_A}
    assert approvers["a-2"] != approvers["a-1"] == approvers["a-3"] == approvers["a-4"]
