"""Two managers acting on the same period at the same moment, for real, on PostgreSQL."""
from __future__ import annotations

import threading

from sqlalchemy import func, select
from support.pipeline import post_in_batches, wait_for_all
from support.scenario import SITES, register

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
        assert managers[0].post(f"{path}/close", {}).status_code == 200
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
