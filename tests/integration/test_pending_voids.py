"""On Kafka and PostgreSQL: a void that a foreign producer puts on the topic before its output waits for
it, and the output is never paid, whether it comes in a later batch or right behind the void."""
from __future__ import annotations

import json
import uuid

from kafka import KafkaProducer
from support.pipeline import processed
from support.processes import wait_until
from support.scenario import register

WORKER, SITE = "ws-toys-w1", "ws-toys"  # piece rates: bear 35, duck 120, kite 7 fen


def _event(type_: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": type_, "source": "kcat",
            "time": "2026-03-02T10:00:00Z", "data": {"worker_id": WORKER, "site_id": SITE, **data}}


def _output(product: str, quantity: int) -> dict:
    return _event("output.recorded", {"date": "2026-03-02", "product": product, "grade": "A", "quantity": quantity})


def _send(producer: KafkaProducer, topic: str, *events: dict) -> None:
    for event in events:
        producer.send(topic, key=WORKER.encode(), value=json.dumps(event).encode())
    producer.flush()


def test_a_void_on_the_topic_before_its_output_leaves_the_output_unpaid(api, runtime, settings, fleet, scenario,
                                                                      kafka_broker):
    register(api, scenario)
    fleet.start("wages-1")
    ducks, bears, kites = _output("duck", 2), _output("bear", 4), _output("kite", 10)
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    try:
        _send(producer, settings.topic_work_events, _event("output.voided", {"output_id": ducks["id"]}))
        wait_until(lambda: processed(runtime) == 1, 60, "the void taken in")
        [waiting] = api.get("/voids", status="pending").get_json()["items"]
        assert waiting["output_id"] == ducks["id"]

        # days later, the output; and another void right before its output
        _send(producer, settings.topic_work_events, ducks, bears,
              _event("output.voided", {"output_id": kites["id"]}), kites)
        wait_until(lambda: processed(runtime) == 5, 60, "every event applied")
    finally:
        producer.close()

    wages = api.get(f"/workers/{WORKER}/wages").get_json()["items"]
    assert [(line["date"], line["amount_fen"]) for line in wages] == [("2026-03-02", 140)]  # the bears alone
    assert [o["event_id"] for o in wages[0]["facts"]["outputs"]] == [bears["id"]]
    assert api.get("/voids", status="pending").get_json()["items"] == []
    assert len(api.get("/voids", status="applied").get_json()["items"]) == 2
    assert api.get("/dead-letters").get_json()["items"] == []
