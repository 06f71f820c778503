"""A month's pay cycle through the API, for a workshop and a post: close, return with a reason,
close again, approve, pay, the bank's answers; balances exact at every step."""
from __future__ import annotations

import pytest
from support.api import ApiClient

from app.access.tokens import issue_token

SHOES, CLEANER = "ws-shoes", "post-clean"
LI, WANG = "ws-shoes-w1", "post-clean-w1"  # hourly 1,800 fen; monthly 80,000 fen over 22 days


def event(n: int, worker: str, site: str, day: str, time: str = "T18:00:00+08:00", **data) -> dict:
    body = {"worker_id": worker, "site_id": site, "date": day, "status": "present", **data}
    return {"specversion": "1.0", "id": f"00000000-0000-4000-8000-{n:012d}", "type": "attendance.recorded",
            "source": "test", "time": day + time, "data": body}


@pytest.fixture
def as_role(api, runtime):
    def client(role: str, region: str = "360731", sites: tuple[str, ...] = ()) -> ApiClient:
        with runtime.sessions.begin() as session:
            token = issue_token(session, name=role, role=role, region_code=region, site_ids=list(sites))
        return api.as_token(token)
    return client


def post(api, events):
    response = api.post("/events", {"events": events})
    assert response.status_code == 202, response.get_json()


def balance(api, worker, period="2026-03"):
    body = api.get(f"/workers/{worker}/balance", period=period).get_json()
    return {k: body[k] for k in ("earned_fen", "approved_fen", "paid_fen", "outstanding_fen", "pending_fen")}


def bal(earned=0, approved=0, paid=0):
    return {"earned_fen": earned, "approved_fen": approved, "paid_fen": paid,
            "outstanding_fen": approved - paid, "pending_fen": earned - approved}


def act(client, site, action, month="2026-03", body=None):
    return client.post(f"/sites/{site}/periods/{month}/{action}", body if body is not None else {})


def test_a_months_cycle_for_a_workshop_and_a_post_keeps_balances_exact(api, county, consume, as_role):
    supervisor = as_role("supervisor", sites=(SHOES,))
    manager = as_role("post_manager")
    post(api, [event(n, LI, SHOES, f"2026-03-0{n}", minutes=480) for n in (2, 3, 4)]  # 3 x 1800 x 8 = 43200
         + [event(10 + n, WANG, CLEANER, f"2026-03-{n:02d}") for n in range(2, 12)])  # 80000 x 10/22 = 36364
    consume()
    assert balance(api, LI) == bal(earned=43_200)
    assert balance(api, WANG) == bal(earned=36_364)

    assert act(supervisor, SHOES, "close").get_json()["status"] == "closed"
    assert act(supervisor, SHOES, "approve").status_code == 403  # a supervisor closes; a manager approves
    assert act(manager, SHOES, "return", body={}).status_code == 422  # a return says why
    returned = act(manager, SHOES, "return", body={"reason": "Li's 4 March hours are disputed"})
    assert returned.get_json()["status"] == "open"
    assert act(manager, SHOES, "approve").status_code == 409  # open, not closed
    act(supervisor, SHOES, "close")
    approved = act(manager, SHOES, "approve", body={"reason": "checked with the register"}).get_json()
    assert approved["status"] == "approved" and approved["totals"]["approved_fen"] == 43_200
    history = [(h["from_status"], h["to_status"], h["actor_role"], h["reason"]) for h in approved["history"]]
    assert history == [("open", "closed", "supervisor", None),
                       ("closed", "open", "post_manager", "Li's 4 March hours are disputed"),
                       ("open", "closed", "supervisor", None),
                       ("closed", "approved", "post_manager", "checked with the register")]
    assert balance(api, LI) == bal(earned=43_200, approved=43_200)

    act(manager, CLEANER, "close")
    assert act(as_role("post_manager"), CLEANER, "approve").status_code == 200  # the person who closed may not
    assert balance(api, WANG) == bal(earned=36_364, approved=36_364)

    shoes_batch = act(manager, SHOES, "pay")
    assert shoes_batch.status_code == 201
    [line] = shoes_batch.get_json()["lines"]
    assert (line["worker_id"], line["amount_fen"], line["status"]) == (LI, 43_200, "pending")
    assert balance(api, LI) == bal(earned=43_200, approved=43_200)  # with the bank, not yet paid
    confirmed = manager.post(f"/payment-batches/{shoes_batch.get_json()['id']}/results",
                             {"lines": [{"line_id": line["id"], "status": "confirmed", "bank_reference": "B-1"}]})
    assert confirmed.status_code == 200
    assert balance(api, LI) == bal(earned=43_200, approved=43_200, paid=43_200)
    assert api.get(f"/sites/{SHOES}/periods/2026-03").get_json()["status"] == "paid"

    first = act(manager, CLEANER, "pay").get_json()
    [failed] = first["lines"]
    manager.post(f"/payment-batches/{first['id']}/results",
                 {"lines": [{"line_id": failed["id"], "status": "failed", "reason": "account closed"}]})
    assert balance(api, WANG) == bal(earned=36_364, approved=36_364)  # still owed
    second = act(manager, CLEANER, "pay").get_json()  # the failed line, once more
    [again] = second["lines"]
    assert second["id"] != first["id"] and (again["worker_id"], again["amount_fen"]) == (WANG, 36_364)
    assert act(manager, CLEANER, "pay").status_code == 409  # nothing more is owed: never paid twice
    manager.post(f"/payment-batches/{second['id']}/results",
                 {"lines": [{"line_id": again["id"], "status": "confirmed"}]})
    assert balance(api, WANG) == bal(earned=36_364, approved=36_364, paid=36_364)
    answer_changed = manager.post(f"/payment-batches/{second['id']}/results",
                                  {"lines": [{"line_id": again["id"], "status": "failed"}]})
    assert answer_changed.status_code == 409


def test_late_events_for_an_approved_month_become_adjustments_in_the_next_open_month(api, county, consume, as_role):
    manager, checker = as_role("post_manager"), as_role("post_manager")
    post(api, [event(n, LI, SHOES, f"2026-03-0{n}", minutes=480) for n in (2, 3, 4)])  # 43,200
    consume()
    act(manager, SHOES, "close")
    assert act(checker, SHOES, "approve").status_code == 200
    # Late: 20 March worked (+14,400), and 2 March corrected to a half day (240 min: 7,200, so -7,200).
    post(api, [event(20, LI, SHOES, "2026-03-20", minutes=480),
               event(21, LI, SHOES, "2026-03-02", time="T20:00:00+08:00", status="half_day")])
    consume()
    march = api.get(f"/sites/{SHOES}/periods/2026-03").get_json()
    assert march["totals"]["approved_fen"] == 43_200 and march["totals"]["wages_fen"] == 43_200  # frozen
    april = api.get(f"/sites/{SHOES}/periods/2026-04").get_json()
    assert april["adjustments"] == [{"worker_id": LI, "adjusts_month": "2026-03", "amount_fen": 7_200}]
    assert balance(api, LI, "2026-04") == bal(earned=7_200)

    # April approved with its adjustment; another late March fact lands in May.
    act(manager, SHOES, "close", month="2026-04")
    assert act(checker, SHOES, "approve", month="2026-04").status_code == 200
    post(api, [event(22, LI, SHOES, "2026-03-21", minutes=540)])  # 1800 x (480 + 1.5 x 60)/60 = 17,100
    consume()
    assert api.get(f"/sites/{SHOES}/periods/2026-04").get_json()["totals"]["approved_fen"] == 7_200
    may = api.get(f"/sites/{SHOES}/periods/2026-05").get_json()
    assert may["adjustments"] == [{"worker_id": LI, "adjusts_month": "2026-03", "amount_fen": 17_100}]
    # March as the facts now stand: 7,200 + 14,400 + 14,400 + 14,400 + 17,100 = 67,500 = 43,200 + 7,200 + 17,100
    total = api.get(f"/workers/{LI}/balance").get_json()
    assert total["earned_fen"] == 67_500


def test_an_adjustment_in_a_still_open_month_follows_further_late_facts(api, county, consume, as_role):
    manager, checker = as_role("post_manager"), as_role("post_manager")
    post(api, [event(1, LI, SHOES, "2026-03-02", minutes=480)])
    consume()
    act(manager, SHOES, "close")
    assert act(checker, SHOES, "approve").status_code == 200
    post(api, [event(2, LI, SHOES, "2026-03-03", minutes=480)])
    consume()
    post(api, [event(3, LI, SHOES, "2026-03-03", time="T21:00:00+08:00", status="absent")])  # undoes it
    consume()
    assert api.get(f"/sites/{SHOES}/periods/2026-04").get_json()["adjustments"] == []
    assert api.get(f"/workers/{LI}/balance").get_json()["earned_fen"] == 14_400


def test_a_payment_retried_with_the_same_idempotency_key_pays_once(api, county, consume, as_role):
    manager, checker = as_role("post_manager"), as_role("post_manager")
    post(api, [event(n, LI, SHOES, f"2026-03-0{n}", minutes=480) for n in (2, 3)])  # 28,800
    consume()
    act(manager, SHOES, "close")
    assert act(checker, SHOES, "approve").status_code == 200
    headers = {"Authorization": f"Bearer {manager.token}", "Idempotency-Key": "pay-shoes-2026-03"}
    first = api.client.post(f"/api/v1/sites/{SHOES}/periods/2026-03/pay", headers=headers)
    retried = api.client.post(f"/api/v1/sites/{SHOES}/periods/2026-03/pay", headers=headers)
    assert first.status_code == retried.status_code == 201
    assert retried.get_json() == first.get_json() and retried.headers["Idempotent-Replayed"] == "true"
    [line] = first.get_json()["lines"]
    assert line["amount_fen"] == 28_800
    assert act(manager, SHOES, "pay").status_code == 409  # and a new request finds nothing owed
