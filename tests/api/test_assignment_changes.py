"""An assignment's end date, its scheme from a day and a transfer to another site from a day change through the API:
each is an event the consumers apply (202), audited with the terms before and after, and refused with a problem
to the roles and regions that may not, and for input that cannot be (422) or that clashes with the registry (409)."""
from __future__ import annotations

from support.labour_counts import kept_and_refilled
from support.problems import assert_problem

DAILY = {"kind": "daily", "day_rate_fen": 12000}


def assignment_of(api, worker: str, site: str) -> dict:
    [found] = [a for a in api.get(f"/workers/{worker}/assignments").get_json() if a["site_id"] == site]
    return found


def accepted(client, path: str, body: dict) -> dict:
    response = client.post(path, body)
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def wages(api, worker: str) -> list[tuple[str, str, int]]:
    return sorted((line["date"], line["assignment_id"], line["amount_fen"])
                  for line in api.get(f"/workers/{worker}/wages").get_json()["items"])


def test_an_ended_assignment_pays_nothing_after_its_end_and_takes_no_work_after_it(api, world, build, consume):
    sewing = assignment_of(api, world.wang, world.sewing)["id"]
    accepted(api, "/events", {"events": [build.attendance(world.wang, world.sewing, day)
                                         for day in ("2026-03-10", "2026-03-11", "2026-03-12")]})
    consume()

    answer = accepted(api, f"/assignments/{sewing}/end", {"end_date": "2026-03-10"})
    assert answer["assignment_id"] == sewing
    consume()

    assert api.get(f"/assignments/{sewing}").get_json()["end_date"] == "2026-03-10"
    assert wages(api, world.wang) == [("2026-03-10", sewing, 12000)]
    refused = assert_problem(api.post("/events", build.attendance(world.wang, world.sewing, "2026-03-13")), 422)
    assert "site_id" in str(refused["errors"])

    [entry] = [item for item in api.get("/audit", limit=500).get_json()["items"]
               if item["table"] == "assignments" and item["endpoint"] == "assignments.End"]
    assert (entry["row_key"], entry["before"]["end_date"], entry["after"]["end_date"]) == (
        sewing, "2026-06-30", "2026-03-10")
    assert entry["after"]["event_id"] == answer["event_id"]


def test_a_scheme_from_a_day_pays_the_days_from_it_by_the_new_scheme(api, world, build, consume):
    sewing = assignment_of(api, world.wang, world.sewing)["id"]
    accepted(api, "/events", {"events": [build.attendance(world.wang, world.sewing, day)
                                         for day in ("2026-03-10", "2026-03-11")]})
    consume()

    answer = accepted(api, f"/assignments/{sewing}/scheme",
                      {"from_date": "2026-03-11", "scheme": {"kind": "daily", "day_rate_fen": 15000}})
    consume()

    after = answer["assignment_id"]
    assert after != sewing
    assert wages(api, world.wang) == [("2026-03-10", sewing, 12000), ("2026-03-11", after, 15000)]
    new = api.get(f"/assignments/{after}").get_json()
    assert (new["start_date"], new["end_date"], new["scheme"]["day_rate_fen"]) == ("2026-03-11", "2026-06-30", 15000)
    assert api.get(f"/assignments/{sewing}").get_json()["end_date"] == "2026-03-10"


def test_a_scheme_from_the_first_day_changes_the_assignment_itself(api, world, build, consume):
    sewing = assignment_of(api, world.wang, world.sewing)["id"]
    accepted(api, "/events", build.attendance(world.wang, world.sewing, "2026-03-10"))
    consume()
    answer = accepted(api, f"/assignments/{sewing}/scheme",
                      {"from_date": "2026-03-10", "scheme": {"kind": "daily", "day_rate_fen": 13000}})
    consume()
    assert answer["assignment_id"] == sewing
    assert wages(api, world.wang) == [("2026-03-10", sewing, 13000)]


def test_a_transfer_ends_the_assignment_here_and_starts_one_there(api, world, build, consume):
    sewing = assignment_of(api, world.wang, world.sewing)["id"]
    accepted(api, "/events", {"events": [build.attendance(world.wang, world.sewing, day)
                                         for day in ("2026-04-01", "2026-04-02")]})
    consume()

    answer = accepted(api, f"/assignments/{sewing}/transfer", {"from_date": "2026-04-02", "site_id": world.glove})
    consume()

    glove = api.get(f"/assignments/{answer['assignment_id']}").get_json()
    assert (glove["site_id"], glove["start_date"], glove["end_date"], glove["scheme"]) == (
        world.glove, "2026-04-02", "2026-06-30", DAILY)
    assert wages(api, world.wang) == [("2026-04-01", sewing, 12000)]  # the 2nd at the sewing workshop is not paid
    accepted(api, "/events", build.attendance(world.wang, world.glove, "2026-04-03"))
    consume()
    assert wages(api, world.wang)[-1] == ("2026-04-03", glove["id"], 12000)


def test_input_that_cannot_be_is_refused_naming_its_field(api, world):
    wang = assignment_of(api, world.wang, world.sewing)["id"]
    post = assignment_of(api, world.li, world.post)["id"]
    cases = [
        (f"/assignments/{wang}/end", {"end_date": "2026-03-09"}, "end_date"),
        (f"/assignments/{wang}/end", {}, "end_date"),
        (f"/assignments/{wang}/end", {"end_date": "tomorrow"}, "end_date"),
        (f"/assignments/{wang}/scheme", {"from_date": "2026-03-01", "scheme": DAILY}, "from_date"),
        (f"/assignments/{wang}/scheme", {"from_date": "2026-07-01", "scheme": DAILY}, "from_date"),
        (f"/assignments/{wang}/scheme", {"from_date": "2026-04-01", "scheme": {"kind": "daily"}}, "scheme"),
        (f"/assignments/{wang}/scheme", {"from_date": "2026-04-01", "scheme": {
            "kind": "monthly", "stipend_fen": 80000, "required_days": 22}}, "scheme"),
        (f"/assignments/{post}/scheme", {"from_date": "2026-04-15", "scheme": {
            "kind": "monthly", "stipend_fen": 90000, "required_days": 22}}, "from_date"),
        (f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": "ws-nowhere"}, "site_id"),
        (f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": world.sewing}, "site_id"),
        (f"/assignments/{wang}/transfer", {"from_date": "2026-03-10", "site_id": world.glove}, "from_date"),
        (f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": world.post}, "scheme"),
        (f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": world.glove,
                                           "end_date": "2026-03-31"}, "end_date"),
    ]
    for path, body, field in cases:
        assert field in assert_problem(api.post(path, body), 422)["errors"], (path, body)
    assert_problem(api.post("/assignments/a-nowhere/end", {"end_date": None}), 404)


def test_a_change_that_would_overlap_another_assignment_is_a_conflict(api, world):
    wang = assignment_of(api, world.wang, world.sewing)["id"]
    api.created("/assignments", {"worker_id": world.wang, "site_id": world.sewing, "start_date": "2026-08-01",
                                 "scheme": DAILY})
    api.created("/assignments", {"worker_id": world.wang, "site_id": world.glove, "start_date": "2026-05-01",
                                 "scheme": DAILY})
    assert "overlaps" in assert_problem(api.post(f"/assignments/{wang}/end", {"end_date": None}), 409)["detail"]
    assert_problem(api.post(f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": world.glove}), 409)
    assert api.get(f"/assignments/{wang}").get_json()["end_date"] == "2026-06-30"


def test_roles_and_regions_that_do_not_keep_assignments_may_not_change_them(api, world, token):
    wang = assignment_of(api, world.wang, world.sewing)["id"]
    for role, region, sites in (("poverty_office", "360702", ()), ("supervisor", "360702", ("ws-sewing",)),
                                ("post_manager", "360703", ()), ("admin", "360703", ())):
        caller = api.as_token(token(role, region, sites=list(sites)))
        for path, body in ((f"/assignments/{wang}/end", {"end_date": "2026-04-30"}),
                           (f"/assignments/{wang}/scheme", {"from_date": "2026-04-01", "scheme": DAILY}),
                           (f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": world.glove})):
            assert_problem(caller.post(path, body), 403)
    assert api.get(f"/assignments/{wang}").get_json()["end_date"] == "2026-06-30"


def test_a_post_manager_transfers_only_to_a_site_of_their_region(api, world, token):
    manager = api.as_token(token("post_manager", world.county))
    wang = assignment_of(api, world.wang, world.sewing)["id"]
    assert_problem(manager.post(f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": world.far}),
                   403)
    accepted(manager, f"/assignments/{wang}/transfer", {"from_date": "2026-04-01", "site_id": world.glove})


def test_a_labourer_works_locally_by_their_assignment_and_is_idle_after_its_end_is_brought_forward(
        api, world, consume, runtime):
    assert api.client.put(f"/api/v1/labourers/{world.wang}/profile", json={"willing_to_go_out": True},
                          headers=api._headers()).status_code == 200
    sewing = assignment_of(api, world.wang, world.sewing)["id"]
    current = api.get(f"/labourers/{world.wang}/status").get_json()["current"]
    assert (current["status"], current["effective_date"], current["until"], current["assignment_id"]) == (
        "working_local", "2026-03-10", "2026-06-30", sewing)

    accepted(api, f"/assignments/{sewing}/end", {"end_date": "2026-04-15"})
    consume()

    current = api.get(f"/labourers/{world.wang}/status").get_json()["current"]
    assert (current["status"], current["until"]) == ("working_local", "2026-04-15")
    areas = [world.village, world.county]
    kept, refilled = kept_and_refilled(runtime, areas)
    assert kept == refilled
    moves = {(str(row[1]), row[2], row[4]) for row in kept if row[0] == world.village}  # (day or week, status, by)
    assert {("2026-04-16", "idle", 1), ("2026-04-16", "working_local", -1)} <= moves
    assert not {move for move in moves if move[0] == "2026-07-01"}  # no longer idle from the old end's next day
