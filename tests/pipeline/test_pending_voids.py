"""A void that arrives before its output waits for it, then cancels it the moment it arrives: through the
API or straight on the bus, in the same batch or days later, in an open month or an approved one."""
from __future__ import annotations

import uuid

from support.pipeline import post_in_batches

TOYS = "ws-toys"  # piece rates: bear 35, duck 120, kite 7 fen
LI, WANG = "ws-toys-w1", "ws-toys-w2"


def output(worker: str, day: str, product: str, quantity: int, grade: str = "A") -> dict:
    return _event("output.recorded", f"{day}T18:00:00+08:00", {
        "worker_id": worker, "site_id": TOYS, "date": day, "product": product, "grade": grade, "quantity": quantity})


def void(worker: str, output_id: str, site: str = TOYS) -> dict:
    return _event("output.voided", "2026-03-02T19:00:00+08:00",
                  {"worker_id": worker, "site_id": site, "output_id": output_id})


def _event(type_: str, time: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": type_, "source": "sites/ws-toys/phone",
            "time": time, "data": data}


def wages(api, worker: str) -> list[tuple[str, int]]:
    return [(line["date"], line["amount_fen"]) for line in api.get(f"/workers/{worker}/wages").get_json()["items"]]


def voids(api, **query) -> list[dict]:
    response = api.get("/voids", **query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_a_void_sent_days_before_its_output_is_listed_pending_then_cancels_it(api, consume, county, produce):
    bears, ducks = output(LI, "2026-03-02", "bear", 10), output(LI, "2026-03-02", "duck", 2)
    cancel = void(LI, ducks["id"])
    produce(cancel, key=LI)
    consume()

    [pending] = voids(api, status="pending")
    assert (pending["event_id"], pending["output_id"], pending["worker_id"], pending["site_id"]) == (
        cancel["id"], ducks["id"], LI, TOYS)
    assert api.get("/dead-letters").get_json()["items"] == []

    post_in_batches(api, [bears, ducks])
    consume()

    assert wages(api, LI) == [("2026-03-02", 350)]  # the bears; the ducks were cancelled as they arrived
    assert voids(api, status="pending") == []
    [applied] = voids(api, status="applied")
    assert applied["event_id"] == cancel["id"] and applied["settled_at"] is not None


def test_a_void_before_its_output_in_one_batch_gives_the_lines_of_a_void_after_it(api, consume, county, produce):
    for worker, first_void in ((LI, True), (WANG, False)):
        ducks, kites = output(worker, "2026-03-03", "duck", 4), output(worker, "2026-03-03", "kite", 9)
        cancel = void(worker, ducks["id"])
        for event in ([cancel, ducks, kites] if first_void else [ducks, kites, cancel]):
            produce(event, key=worker)
    consume()  # one poll: all six messages in one batch

    assert wages(api, LI) == wages(api, WANG) == [("2026-03-03", 63)]
    assert voids(api, status="pending") == []


def test_a_waiting_void_of_another_workers_output_is_refused_and_the_output_stays_paid(api, consume, county, produce):
    ducks = output(LI, "2026-03-04", "duck", 1)
    stray = void(WANG, ducks["id"])
    post_in_batches(api, [stray])  # its output unknown: accepted, it waits
    consume()
    post_in_batches(api, [ducks])
    consume()

    assert wages(api, LI) == [("2026-03-04", 120)]
    assert voids(api, status="pending") == []
    [refused] = voids(api, status="refused")
    assert refused["event_id"] == stray["id"] and "another worker or site" in refused["reason"]


def test_a_redelivered_waiting_void_waits_once(api, consume, county, produce):
    ducks = output(LI, "2026-03-05", "duck", 3)
    cancel = void(LI, ducks["id"])
    produce(cancel, key=LI)
    produce(cancel, key=LI)
    consume()
    produce(cancel, key=LI)
    consume()

    assert [v["event_id"] for v in voids(api, status="pending")] == [cancel["id"]]
    produce(ducks, key=LI)
    produce(cancel, key=LI)
    consume()
    assert wages(api, LI) == [] and voids(api, status="pending") == []


def test_an_output_whose_void_came_first_changes_nothing_in_an_approved_month(api, checker, consume, county):
    bears, ducks = output(LI, "2026-03-06", "bear", 2), output(LI, "2026-03-06", "duck", 5)
    post_in_batches(api, [bears, void(LI, ducks["id"])])
    consume()
    assert api.post(f"/sites/{TOYS}/periods/2026-03/close", {}).status_code == 200
    approved = checker.post(f"/sites/{TOYS}/periods/2026-03/approve", {}).get_json()["totals"]["approved_fen"]

    post_in_batches(api, [ducks])
    consume()

    assert api.get(f"/sites/{TOYS}/periods/2026-03").get_json()["totals"]["approved_fen"] == approved
    assert api.get(f"/sites/{TOYS}/periods/2026-04").get_json()["adjustments"] == []
    assert api.get(f"/workers/{LI}/balance").get_json()["earned_fen"] == 70


def test_a_late_cancellation_in_an_approved_month_becomes_an_adjustment(api, checker, consume, county):
    ducks = output(LI, "2026-03-06", "duck", 5)
    post_in_batches(api, [ducks])
    consume()
    assert api.post(f"/sites/{TOYS}/periods/2026-03/close", {}).status_code == 200
    assert checker.post(f"/sites/{TOYS}/periods/2026-03/approve", {}).status_code == 200

    post_in_batches(api, [void(LI, ducks["id"])])
    consume()

    [adjustment] = api.get(f"/sites/{TOYS}/periods/2026-04").get_json()["adjustments"]
    assert (adjustment["worker_id"], adjustment["adjusts_month"], adjustment["amount_fen"]) == (LI, "2026-03", -600)
    assert api.get(f"/workers/{LI}/balance").get_json()["earned_fen"] == 0


def test_a_rebuild_gives_the_same_lines_and_the_same_waiting_voids(app, api, consume, county):
    ducks, kites = output(LI, "2026-03-07", "duck", 1), output(LI, "2026-03-07", "kite", 3)
    never = void(LI, str(uuid.uuid4()))  # its output never comes
    post_in_batches(api, [void(LI, ducks["id"]), never])
    consume()
    post_in_batches(api, [ducks, kites])
    consume()
    before = wages(api, LI), voids(api, status="pending")

    assert app.test_cli_runner().invoke(args=["rebuild"]).exit_code == 0
    consume()

    after = wages(api, LI), voids(api, status="pending")
    assert after[0] == before[0] == [("2026-03-07", 21)]
    assert [v["event_id"] for v in after[1]] == [v["event_id"] for v in before[1]] == [never["id"]]
