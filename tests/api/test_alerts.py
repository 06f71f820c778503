"""Income-stability alerts through the API, from real wage events on the embedded pipeline."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select
from support.api import ApiClient
from support.pipeline import drain

from app import create_app
from app.access.tokens import issue_token
from app.migrate import upgrade_database
from app.runtime import build_runtime
from events.bus.log import event_log

RATE = 6000  # fen an hour: 100 fen a minute, so any month's pay is easy to hit exactly
MONTH_DAYS = {"2026-02": 28, "2026-03": 31, "2026-04": 30, "2026-05": 31}


def world(api: ApiClient) -> None:
    for region in ({"code": "360731", "name": "Yudu", "level": "county"},
                   {"code": "360731101201", "name": "Pantian", "level": "village", "parent_code": "360731"},
                   {"code": "360732", "name": "Xingguo", "level": "county"},
                   {"code": "360732101201", "name": "Gaoxing", "level": "village", "parent_code": "360732"}):
        api.created("/regions", region)
    api.created("/sites", {"id": "shoes", "kind": "workshop", "name": "Shoes", "region_code": "360731101201"})
    api.created("/households", {"id": "hh-li", "region_code": "360731101201", "size": 4, "status": "poor"})
    api.created("/households", {"id": "hh-far", "region_code": "360732101201", "size": 2, "status": "poor"})
    api.created("/workers", {"id": "li", "household_id": "hh-li", "name": "Li"})
    api.created("/assignments", {"worker_id": "li", "site_id": "shoes", "start_date": "2026-01-01",
                                 "scheme": {"kind": "hourly", "rate_fen": RATE}})


def month_events(month: str, fen: int, start: int) -> list[dict]:
    """Attendance that pays exactly `fen` in `month`: full 480-minute days, then the rest."""
    minutes, events, day = fen // 100, [], 1
    while minutes:
        worked = min(480, minutes)
        events.append({"specversion": "1.0", "id": f"00000000-0000-4000-8000-{start + day:012d}",
                       "type": "attendance.recorded", "source": "test", "time": f"{month}-{day:02d}T18:00:00Z",
                       "data": {"worker_id": "li", "site_id": "shoes", "date": f"{month}-{day:02d}",
                                "status": "present", "minutes": worked}})
        minutes -= worked
        day += 1
    assert day <= MONTH_DAYS[month] + 1
    return events


def earn(api, consume, incomes_yuan: dict[str, int]) -> None:
    events = []
    for n, (month, yuan) in enumerate(incomes_yuan.items()):
        events += month_events(month, yuan * 100, start=n * 100)
    assert api.post("/events", {"events": events}).status_code == 202
    consume()


def evaluate(api, month="2026-05", as_of="2026-06-05"):
    response = api.post("/alerts/evaluate", {"month": month, "as_of": as_of})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def kinds(alerts):
    return sorted(a["kind"] for a in alerts)


@pytest.fixture
def office(api, runtime):
    def make(region: str) -> ApiClient:
        with runtime.sessions.begin() as session:
            return api.as_token(issue_token(session, name=f"office {region}", role="poverty_office",
                                            region_code=region))
    return make


def test_a_fourth_month_at_1900_yuan_after_3000_3100_2900_raises_exactly_one_income_drop(api, consume, office):
    world(api)
    earn(api, consume, {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 1900})
    yudu = office("360731")
    first = evaluate(yudu)
    drops = [a for a in first["alerts"] if a["kind"] == "income_drop"]
    assert len(drops) == 1 and drops[0]["household_id"] == "hh-li" and drops[0]["month"] == "2026-05"
    assert drops[0]["detail"]["income_fen"] == 190_000
    again = evaluate(yudu)  # re-running never makes a second alert for the same (subject, kind, month)
    assert again["raised"] == 0
    listed = yudu.get("/alerts", kind="income_drop").get_json()["items"]
    assert [a["id"] for a in listed] == [drops[0]["id"]]


def test_a_fourth_month_at_2200_yuan_raises_no_income_drop(api, consume, office):
    world(api)
    earn(api, consume, {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 2200})
    assert "income_drop" not in kinds(evaluate(office("360731"))["alerts"])


def test_the_drop_threshold_comes_from_the_settings(settings):
    stricter = replace(settings, alert_drop_ratio="0.2")  # threshold 80% of 3,000 = 2,400 yuan
    upgrade_database(stricter.database_url)
    runtime = build_runtime(stricter)
    try:
        with runtime.sessions.begin() as session:
            admin = ApiClient(create_app(runtime=runtime).test_client(),
                              issue_token(session, name="admin", role="admin"))
        world(admin)
        earn(admin, lambda: drain(runtime), {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 2200})
        assert "income_drop" in kinds(evaluate(admin)["alerts"])
    finally:
        runtime.close()


def test_an_office_sees_and_handles_only_the_alerts_of_its_county(api, consume, office):
    world(api)
    earn(api, consume, {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 1900})
    [alert] = [a for a in evaluate(api)["alerts"] if a["kind"] == "income_drop"]
    xingguo = office("360732")
    seen = xingguo.get("/alerts").get_json()["items"]
    assert seen and all(a["region_code"].startswith("360732") for a in seen)  # hh-far's own alerts only
    assert xingguo.get(f"/alerts/{alert['id']}").status_code == 404
    assert xingguo.post(f"/alerts/{alert['id']}/acknowledge", {}).status_code == 404
    assert xingguo.get("/alerts", region="360731").status_code == 403
    yudu = office("360731")
    assert yudu.get(f"/alerts/{alert['id']}").status_code == 200


def test_an_alert_is_acknowledged_then_resolved_with_the_help_given(api, consume, office):
    world(api)
    earn(api, consume, {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 1900})
    yudu = office("360731")
    [alert] = [a for a in evaluate(yudu)["alerts"] if a["kind"] == "income_drop"]
    assert yudu.post(f"/alerts/{alert['id']}/resolve", {"help_given": "x"}).status_code == 409
    acknowledged = yudu.post(f"/alerts/{alert['id']}/acknowledge", {"note": "visiting on Monday"}).get_json()
    assert acknowledged["status"] == "acknowledged" and acknowledged["acknowledged_at"]
    assert yudu.post(f"/alerts/{alert['id']}/resolve", {}).status_code == 422  # say what help was given
    resolved = yudu.post(f"/alerts/{alert['id']}/resolve",
                         {"help_given": "placed Li's son at the tea workshop"}).get_json()
    assert resolved["status"] == "resolved" and resolved["help_given"] == "placed Li's son at the tea workshop"
    assert [a["id"] for a in yudu.get("/alerts", status="resolved").get_json()["items"]] == [alert["id"]]


def test_each_new_alert_is_published_once_on_the_alerts_topic(api, consume, runtime, office):
    world(api)
    earn(api, consume, {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 1900})
    raised = evaluate(api)["alerts"]
    evaluate(api)
    with runtime.sessions() as session:
        rows = session.execute(select(event_log.c.key, event_log.c.value).where(
            event_log.c.topic == runtime.settings.topic_alerts)).all()
    published = [json.loads(row.value) for row in rows]
    assert sorted(p["id"] for p in published) == sorted(a["id"] for a in raised)
    assert all(p["type"] == "alert.raised" and p["data"]["kind"] for p in published)
    assert sorted(row.key for row in rows) == sorted(a["household_id"] for a in raised)  # keyed by household


def test_household_income_is_monthly_with_per_capita_figures(api, consume):
    world(api)
    earn(api, consume, {"2026-03": 3100, "2026-05": 1900})
    body = api.get("/households/hh-li/income", months=4, to="2026-05").get_json()
    assert [(m["month"], m["income_fen"], m["per_capita_fen"]) for m in body["months"]] == [
        ("2026-02", 0, 0), ("2026-03", 310_000, 77_500), ("2026-04", 0, 0), ("2026-05", 190_000, 47_500)]
    assert body["total_fen"] == 500_000 and body["per_capita_total_fen"] == 125_000


def test_each_new_alert_is_queued_for_the_webhooks_of_its_region(api, consume, office):
    world(api)
    earn(api, consume, {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 1900})
    yudu, xingguo = office("360731"), office("360732")
    hook = yudu.created("/webhooks", {"url": "http://127.0.0.1:9/hook"})
    far_hook = xingguo.created("/webhooks", {"url": "http://127.0.0.1:9/far"})
    raised = evaluate(api)["alerts"]
    evaluate(api)
    queued = yudu.get(f"/webhooks/{hook['id']}/deliveries").get_json()["items"]
    far = xingguo.get(f"/webhooks/{far_hook['id']}/deliveries").get_json()["items"]

    def raised_in(village):
        return sorted(a["id"] for a in raised if a["region_code"] == village)

    assert sorted(d["alert_id"] for d in queued) == raised_in("360731101201")
    assert sorted(d["alert_id"] for d in far) == raised_in("360732101201")


def test_an_office_evaluating_the_rules_raises_no_alert_in_another_county(api, consume, office):
    world(api)
    earn(api, consume, {"2026-02": 3000, "2026-03": 3100, "2026-04": 2900, "2026-05": 1900})

    raised = evaluate(office("360732"))["alerts"]

    assert raised and all(a["region_code"].startswith("360732") for a in raised)
    assert api.get("/alerts", region="360731").get_json()["items"] == []  # Yudu's are Yudu's to raise
    assert "income_drop" in kinds(evaluate(office("360731"))["alerts"])
