"""Alert webhooks registered by an office for its region: each receives the alerts of its region only, the
secret is shown once, and the routes are documented."""
from __future__ import annotations

import json

from support.webhooks import deliver, raise_alert


def test_a_county_webhook_receives_only_the_alerts_of_its_county(runtime, world, office, receiver):
    ours, theirs, city = receiver(), receiver(), receiver()
    office(world.county).created("/webhooks", {"url": ours.url})
    office(world.other_county).created("/webhooks", {"url": theirs.url})
    office(world.city).created("/webhooks", {"url": city.url})

    here, queued_here = raise_alert(runtime, world.village, subject="h-li")
    there, queued_there = raise_alert(runtime, world.other_village, subject="h-chen")
    assert deliver(runtime) == 4

    assert (queued_here, queued_there) == (2, 2)
    assert [json.loads(r.body)["id"] for r in ours.requests] == [here["id"]]
    assert [json.loads(r.body)["id"] for r in theirs.requests] == [there["id"]]
    assert sorted(json.loads(r.body)["id"] for r in city.requests) == sorted([here["id"], there["id"]])


def test_a_poverty_office_cannot_read_another_countys_webhook_or_its_deliveries(world, office, receiver):
    hook = office(world.county).created("/webhooks", {"url": receiver().url})
    other = office(world.other_county)

    assert other.get(f"/webhooks/{hook['id']}/deliveries").status_code == 403
    assert other.get(f"/webhooks/{hook['id']}").status_code == 403
    assert other.get("/webhooks").get_json()["items"] == []
    assert office(world.city).get(f"/webhooks/{hook['id']}/deliveries").status_code == 200
    assert [h["id"] for h in office(world.city).get("/webhooks").get_json()["items"]] == [hook["id"]]
    assert other.get("/webhooks/no-such-hook/deliveries").status_code == 404


def test_the_secret_is_shown_only_when_the_webhook_is_registered(runtime, world, office, receiver):
    client = office()
    hook = client.created("/webhooks", {"url": receiver().url})
    raise_alert(runtime, world.village)
    deliver(runtime)

    assert hook["secret"].startswith("whsec_")
    assert set(hook) == {"id", "url", "region_code", "active", "disabled_reason", "created_at", "secret"}
    for path in ("/webhooks", f"/webhooks/{hook['id']}", f"/webhooks/{hook['id']}/deliveries"):
        response = client.get(path)
        assert response.status_code == 200
        assert hook["secret"] not in response.get_data(as_text=True)
        assert "secret" not in response.get_data(as_text=True)
    listed = client.get("/webhooks").get_json()["items"]
    assert listed == [{key: value for key, value in hook.items() if key != "secret"}]


def test_a_webhook_is_registered_by_an_office_for_a_region_inside_its_own(api, world, office, token):
    client = office()
    url = "https://office.example.org/alerts"

    default = client.created("/webhooks", {"url": url})
    village = client.created("/webhooks", {"url": url, "region_code": world.village})

    assert default["region_code"] == world.county and default["active"] is True and default["url"] == url
    assert village["region_code"] == world.village
    assert client.post("/webhooks", {"url": url, "region_code": world.other_county}).status_code == 403
    unknown = client.post("/webhooks", {"url": url, "region_code": "999999"})
    assert unknown.status_code == 422 and "region_code" in unknown.get_json()["errors"]
    for bad in ("ftp://office.example.org/alerts", "not a url", "https://" + "a" * 2000 + ".org/", ""):
        response = client.post("/webhooks", {"url": bad})
        assert response.status_code == 422 and "url" in response.get_json()["errors"], bad
    assert client.post("/webhooks", {}).status_code == 422
    assert api.as_token(token("supervisor", world.county)).post("/webhooks", {"url": url}).status_code == 403
    assert api.as_token(token("post_manager", world.county)).post("/webhooks", {"url": url}).status_code == 403
    assert api.as_token(None).post("/webhooks", {"url": url}).status_code == 401
    assert api.created("/webhooks", {"url": url})["region_code"] is None  # a nationwide admin: nationwide


def test_a_nationwide_webhook_receives_every_alert(api, runtime, world, receiver):
    endpoint = receiver()
    api.created("/webhooks", {"url": endpoint.url})

    raise_alert(runtime, world.village, subject="h-li")
    raise_alert(runtime, world.other_village, subject="h-chen")

    assert deliver(runtime) == 2
    assert len(endpoint.requests) == 2


def test_the_webhook_routes_are_in_the_openapi_document(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/webhooks", "/api/v1/webhooks/{webhook_id}", "/api/v1/webhooks/{webhook_id}/deliveries"} <= set(
        paths)
