"""POST /events: all valid or none taken, each id once."""
from __future__ import annotations

import pytest
from support.event_posts import PROBLEM_JSON, messages_at, post_events, statuses


def rejected(response) -> dict:
    assert response.status_code == 422, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()["errors"]


# --- accepted once -------------------------------------------------------------------------------------


def test_a_single_event_is_accepted(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)

    response = api.post("/events", event)

    assert response.status_code == 202
    assert response.get_json() == {"accepted": 1, "duplicates": 0,
                                   "results": [{"id": event["id"], "status": "accepted"}]}


def test_the_same_event_sent_again_is_a_duplicate(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    api.post("/events", event)

    response = api.post("/events", event)

    assert response.status_code == 202
    assert response.get_json() == {"accepted": 0, "duplicates": 1,
                                   "results": [{"id": event["id"], "status": "duplicate"}]}


def test_the_same_event_written_another_way_is_a_duplicate_not_a_conflict(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480, time="2026-03-02T18:00:00+08:00")
    api.post("/events", event)
    rewritten = {**event, "id": event["id"].upper(), "time": "2026-03-02T10:00:00Z"}

    assert statuses(api.post("/events", rewritten)) == ["duplicate"]


def test_a_batch_of_valid_events_is_accepted_event_by_event(api, world, build):
    batch = [
        build.attendance(world.li, world.sewing, "2026-03-02", check_in="08:00", check_out="17:00"),
        build.attendance(world.li, world.post, "2026-03-02", "half_day"),
        build.output(world.li, world.glove, "2026-03-02", "GLOVE", 40, "B"),
        build.attendance(world.wang, world.sewing, "2026-03-10", "leave"),
    ]

    response = post_events(api, *batch)

    assert response.status_code == 202
    assert response.get_json()["results"] == [{"id": e["id"], "status": "accepted"} for e in batch]
    assert response.get_json()["accepted"] == 4


def test_a_batch_mixing_new_and_seen_events_says_which_is_which(api, world, build):
    seen = build.attendance(world.li, world.sewing, "2026-03-02", minutes=300)
    api.post("/events", seen)
    new = build.attendance(world.li, world.sewing, "2026-03-03", minutes=300)

    response = post_events(api, seen, new)

    assert statuses(response) == ["duplicate", "accepted"]
    assert (response.get_json()["accepted"], response.get_json()["duplicates"]) == (1, 1)


def test_a_void_of_an_output_posted_earlier_in_the_same_batch_is_accepted(api, world, build, consume):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)
    kept = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 10)

    assert statuses(post_events(api, output, kept, build.void(world.li, world.glove, output["id"]))) == [
        "accepted"] * 3
    consume()
    [line] = api.get(f"/workers/{world.li}/wages").get_json()["items"]
    assert line["amount_fen"] == 330  # 10 GLOVE at 33 fen, grade A 100%; the voided BOXes pay nothing
    assert [o["event_id"] for o in line["facts"]["outputs"]] == [kept["id"]]


def test_a_void_of_an_output_accepted_earlier_is_accepted(api, world, build):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)
    api.post("/events", output)

    assert statuses(api.post("/events", build.void(world.li, world.glove, output["id"]))) == ["accepted"]


def test_a_void_of_an_output_not_received_yet_is_accepted_and_waits_for_it(api, world, build, consume):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)

    assert statuses(api.post("/events", build.void(world.li, world.glove, output["id"]))) == ["accepted"]
    consume()
    assert statuses(api.post("/events", output)) == ["accepted"]
    consume()
    assert api.get(f"/workers/{world.li}/wages").get_json()["items"] == []  # cancelled the moment it arrived


def test_a_void_before_its_output_in_the_same_batch_is_accepted(api, world, build, consume):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)
    kept = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 10)

    assert statuses(post_events(api, build.void(world.li, world.glove, output["id"]), kept, output)) == [
        "accepted"] * 3
    consume()
    [line] = api.get(f"/workers/{world.li}/wages").get_json()["items"]
    assert line["amount_fen"] == 330  # as when the void comes after: only the GLOVEs pay
    assert [o["event_id"] for o in line["facts"]["outputs"]] == [kept["id"]]


def test_a_void_of_another_workers_output_is_refused_wherever_it_stands_in_the_batch(api, world, build):
    output = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5)
    void = build.void(world.wang, world.glove, output["id"])

    for batch, at in (((output, void), "1"), ((void, output), "0")):
        errors = rejected(post_events(api, *batch))

        assert set(errors) == {at}
        messages_at(errors[at], "data.output_id")


# --- all or nothing: every bad item, by index, field by field ------------------------------------------


def _unknown_worker(api, world, build):
    return build.attendance("w-nobody", world.sewing, "2026-03-02", minutes=480), "data.worker_id"


def _bad_status(api, world, build):
    return build.attendance(world.li, world.sewing, "2026-03-02", "sick", minutes=480), "data.status"


def _impossible_date(api, world, build):
    return build.attendance(world.li, world.sewing, "2026-02-30", minutes=480), "data.date"


def _negative_quantity(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "GLOVE", -5), "data.quantity"


def _fractional_quantity(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "GLOVE", 1.5), "data.quantity"


def _unknown_product(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "HAT", 5), "data.product"


def _unknown_grade(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5, "D"), "data.grade"


def _before_the_assignment_starts(api, world, build):
    # Wang starts at the sewing workshop on 2026-03-10
    return build.attendance(world.wang, world.sewing, "2026-03-09"), "data.date"


def _after_the_assignment_ends(api, world, build):
    # ... and leaves it after 2026-06-30
    return build.attendance(world.wang, world.sewing, "2026-07-01"), "data.site_id"


def _no_assignment_at_the_site(api, world, build):
    return build.attendance(world.chen, world.sewing, "2026-03-10"), "data.site_id"


def _reused_id_with_new_content(api, world, build):
    first = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    assert statuses(api.post("/events", first)) == ["accepted"]
    return {**first, "data": {**first["data"], "minutes": 240}}, "id"


def _output_at_a_non_piece_assignment(api, world, build):
    return build.output(world.li, world.sewing, "2026-03-02", "GLOVE", 5), "data.product"


def _hourly_present_without_minutes(api, world, build):
    return build.attendance(world.li, world.sewing, "2026-03-02", "present"), "data.minutes"


def _void_of_another_workers_output(api, world, build):
    output = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5)
    assert statuses(api.post("/events", output)) == ["accepted"]
    return build.void(world.wang, world.glove, output["id"]), "data.output_id"


def _naive_time(api, world, build):
    return build.attendance(world.li, world.post, "2026-03-02", time="2026-03-02T18:00:00"), "time"


def _not_an_object(api, world, build):
    return "attendance", "_schema"


def _unstorable_worker_id(api, world, build):
    # JSON "\ud800" decodes to a lone surrogate, which no database can store: this was a 500
    return build.attendance("w-\ud800", world.sewing, "2026-03-02", minutes=480), "data.worker_id"


INVALID = {case.__name__.lstrip("_").replace("_", " "): case for case in [
    _unknown_worker, _bad_status, _impossible_date, _negative_quantity, _fractional_quantity, _unknown_product,
    _unknown_grade, _before_the_assignment_starts, _after_the_assignment_ends, _no_assignment_at_the_site,
    _reused_id_with_new_content, _output_at_a_non_piece_assignment, _hourly_present_without_minutes,
    _void_of_another_workers_output, _naive_time, _not_an_object,
    _unstorable_worker_id,
]}


@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_event_is_refused_with_the_field_at_fault(api, world, build, case):
    event, path = case(api, world, build)
    valid = build.attendance(world.li, world.post, "2026-03-03")

    errors = rejected(post_events(api, valid, event))

    assert set(errors) == {"1"}
    messages_at(errors["1"], path)
    assert statuses(api.post("/events", valid)) == ["accepted"]  # the valid one was not taken


def test_a_batch_lists_every_bad_item_by_index_and_takes_none(api, world, build):
    cases = list(INVALID.values())
    good = [build.attendance(world.li, world.post, f"2026-03-{day:02}") for day in range(2, 2 + len(cases) + 1)]
    batch, expected = [], {}
    for index, case in enumerate(cases):
        bad, path = case(api, world, build)
        batch += [good[index], bad]
        expected[str(2 * index + 1)] = path
    batch.append(good[-1])

    errors = rejected(post_events(api, *batch))

    assert set(errors) == set(expected)
    for index, path in expected.items():
        messages_at(errors[index], path)
    assert statuses(post_events(api, *good)) == ["accepted"] * len(good)


def test_a_batch_with_the_same_new_id_twice_with_different_content_refuses_the_second(api, world, build):
    first = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    second = {**first, "data": {**first["data"], "minutes": 200}}

    errors = rejected(post_events(api, first, second))

    assert set(errors) == {"1"}
    messages_at(errors["1"], "id")
    assert statuses(api.post("/events", first)) == ["accepted"]


def test_a_batch_over_the_limit_is_too_large(api, world, build):
    batch = [build.attendance(world.li, world.post, "2026-03-02") for _ in range(1001)]

    response = post_events(api, *batch)

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON
    assert statuses(post_events(api, *batch[:1000])) == ["accepted"] * 1000  # nothing was taken before


@pytest.mark.parametrize("body", [{"events": []}, {"events": "attendance"}, [1, 2], 7])
def test_a_body_that_is_no_event_or_batch_is_refused(api, world, body):
    response = api.post("/events", body)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON


def test_a_body_that_is_not_json_is_a_bad_request(app, admin_token):
    response = app.test_client().post("/api/v1/events", data=b"{not json", content_type="application/json",
                                      headers={"Authorization": f"Bearer {admin_token}"})

    assert response.status_code == 400
    assert response.content_type == PROBLEM_JSON
    assert response.get_json()["errors"] == {"json": ["Invalid JSON body."]}
