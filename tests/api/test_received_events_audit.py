"""The receipt of events in the audit log: one entry per site of each accepted batch, naming the events it
received, with who posted them, from which request, and the site's region; so the log still answers
"who posted this event" without an entry (and a region lookup) per event."""
from __future__ import annotations

from sqlalchemy import select

from app.access.tokens import hash_token
from app.db.models import ApiToken

VILLAGE_PATH = "/36/3607/360702/360702101/360702101201/"
OTHER_VILLAGE_PATH = "/36/3607/360703/360703101/360703101201/"


def received(client) -> list[dict]:
    response = client.get("/audit", limit=500, table="received_events")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def poster_of(entries: list[dict], event_id: str) -> str | None:
    """Who posted an event, as the log tells it: the actor of the entry that names its id."""
    [entry] = [e for e in entries if event_id in e["after"]["event_ids"]]
    return entry["actor_token_id"]


def token_id(runtime, token: str) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token)))


def test_each_site_of_a_batch_gets_one_entry_naming_who_posted_which_events(api, world, token, build, runtime):
    supervisor_token = token("supervisor", world.county, sites=[world.glove, world.sewing])
    supervisor = api.as_token(supervisor_token)
    gloves = [build.output(world.li, world.glove, day, "GLOVE", 10) for day in ("2026-03-02", "2026-03-03")]
    sewing = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)

    assert supervisor.post("/events", {"events": [gloves[0], sewing, gloves[1]]}).status_code == 202

    entries = received(api)
    by_site = {entry["after"]["site_id"]: entry for entry in entries}
    assert len(entries) == 2 and set(by_site) == {world.glove, world.sewing}
    assert by_site[world.glove]["after"] == {"site_id": world.glove, "event_ids": [e["id"] for e in gloves]}
    assert by_site[world.sewing]["after"] == {"site_id": world.sewing, "event_ids": [sewing["id"]]}
    assert [by_site[site]["row_key"] for site in (world.glove, world.sewing)] == [f"{world.glove}/2 events",
                                                                                  f"{world.sewing}/1 events"]
    for entry in entries:
        assert (entry["action"], entry["before"], entry["region_path"]) == ("insert", None, VILLAGE_PATH)
        assert (entry["actor_role"], entry["method"], entry["endpoint"]) == ("supervisor", "POST", "events.Events")
    assert by_site[world.glove]["request_id"] == by_site[world.sewing]["request_id"] is not None
    supervisor_id = token_id(runtime, supervisor_token)
    assert {poster_of(entries, event["id"]) for event in (*gloves, sewing)} == {supervisor_id}


def test_duplicates_and_refused_batches_add_no_entry(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    assert api.post("/events", {"events": [event]}).status_code == 202
    before = received(api)

    assert api.post("/events", {"events": [event]}).get_json()["duplicates"] == 1
    bad = build.attendance("w-nobody", world.sewing, "2026-03-02", minutes=480)
    assert api.post("/events", {"events": [build.attendance(world.wang, world.sewing, "2026-03-10"), bad]}) \
        .status_code == 422

    assert received(api) == before
    assert len(before) == 1 and before[0]["after"]["event_ids"] == [event["id"]]


def test_an_office_reads_the_receipts_of_its_own_regions_sites_only(api, world, token, build):
    near = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    far = build.attendance(world.chen, world.far, "2026-03-02")
    assert api.post("/events", {"events": [near, far]}).status_code == 202

    county = received(api.as_token(token("poverty_office", world.county)))
    other = received(api.as_token(token("poverty_office", world.other_county)))

    assert [(e["after"]["event_ids"], e["region_path"]) for e in county] == [([near["id"]], VILLAGE_PATH)]
    assert [(e["after"]["event_ids"], e["region_path"]) for e in other] == [([far["id"]], OTHER_VILLAGE_PATH)]
