"""Bearer tokens: issued with an expiry and shown once, listed without secrets, revoked; by API and CLI.

Who may issue, list and revoke which tokens is in the authorization matrix; here, what each does.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import app.access.tokens
from app.db.models import ApiToken

PROBLEM_JSON = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def issue(api, **body) -> dict:
    return api.created("/tokens", {"name": "Xiaba office", "role": "poverty_office", "region_code": "360702", **body})


def test_an_admin_issues_a_token_that_expires_after_the_days_asked_for(api, world):
    before = datetime.now(UTC)
    issued = issue(api, expires_in_days=30)

    assert issued["token"].startswith("swk_")
    assert issued["role"] == "poverty_office" and issued["region_code"] == world.county
    assert issued["revoked_at"] is None
    assert before + timedelta(days=30) <= moment(issued["expires_at"]) <= datetime.now(UTC) + timedelta(days=30)
    assert api.as_token(issued["token"]).get("/households/h-li").status_code == 200


def test_a_token_issued_without_an_expiry_never_expires(api, world):
    assert issue(api)["expires_at"] is None


@pytest.mark.parametrize("days", [0, -1, 3651, "30", 1.5])
def test_an_expiry_outside_one_to_3650_days_is_a_field_error(api, world, days):
    assert "expires_in_days" in assert_problem(api.post("/tokens", {
        "name": "x", "role": "admin", "region_code": world.county, "expires_in_days": days}), 422)["errors"]


def test_a_token_is_refused_on_the_request_after_it_is_revoked(api, world):
    issued = issue(api)
    office = api.as_token(issued["token"])
    assert office.get("/households/h-li").status_code == 200

    revoked = api.post(f"/tokens/{issued['id']}/revoke").get_json()

    assert revoked["id"] == issued["id"] and revoked["revoked_at"] is not None
    assert_problem(office.get("/households/h-li"), 401)
    assert_problem(office.post("/households", {"region_code": world.village, "size": 1, "status": "poor"}), 401)


def test_a_revoked_token_gets_no_stored_answer_for_a_retried_request(app, api, world):
    issued = issue(api)
    headers = {"Authorization": f"Bearer {issued['token']}", "Idempotency-Key": "household-1"}
    body = {"region_code": world.village, "size": 1, "status": "poor"}
    assert app.test_client().post("/api/v1/households", json=body, headers=headers).status_code == 201

    api.post(f"/tokens/{issued['id']}/revoke")

    assert_problem(app.test_client().post("/api/v1/households", json=body, headers=headers), 401)


def test_a_token_is_refused_on_the_request_after_it_expires(api, world, monkeypatch):
    issued = issue(api, expires_in_days=1)
    office = api.as_token(issued["token"])
    assert office.get("/households/h-li").status_code == 200

    later = datetime.now(UTC) + timedelta(days=1, seconds=1)
    monkeypatch.setattr(app.access.tokens, "utcnow", lambda: later)

    assert_problem(office.get("/households/h-li"), 401)


def test_revoking_a_token_again_keeps_the_first_time(api, world):
    issued = issue(api)
    first = api.post(f"/tokens/{issued['id']}/revoke").get_json()

    again = api.post(f"/tokens/{issued['id']}/revoke")

    assert again.status_code == 200 and again.get_json()["revoked_at"] == first["revoked_at"]
    assert_problem(api.post("/tokens/no-such-token/revoke"), 404)


def test_the_token_list_says_who_holds_what_and_never_the_token_or_its_hash(api, runtime, world):
    kept = issue(api, expires_in_days=7)
    gone = issue(api, name="sewing tablet", role="supervisor", site_ids=[world.sewing, world.glove])
    api.post(f"/tokens/{gone['id']}/revoke")

    answer = api.get("/tokens")

    listed = {item["id"]: item for item in answer.get_json()["items"]}
    assert set(listed[kept["id"]]) == {"id", "name", "role", "region_code", "site_ids", "created_at", "expires_at",
                                       "revoked_at"}
    assert listed[kept["id"]]["expires_at"] == kept["expires_at"] and listed[kept["id"]]["revoked_at"] is None
    assert listed[gone["id"]]["site_ids"] == [world.glove, world.sewing]
    assert listed[gone["id"]]["revoked_at"] is not None
    with runtime.sessions() as session:
        hashes = session.scalars(select(ApiToken.token_hash)).all()
    text = answer.get_data(as_text=True)
    assert not [secret for secret in [kept["token"], gone["token"], api.token, *hashes] if secret in text]


def test_a_county_admin_lists_only_the_tokens_of_its_county(api, world, token):
    county_admin = api.as_token(token("admin", world.county))
    mine = issue(api, region_code=world.village)
    theirs = issue(api, region_code=world.other_county)

    listed = {item["id"] for item in county_admin.get("/tokens").get_json()["items"]}

    assert mine["id"] in listed and theirs["id"] not in listed
    assert {item["region_code"] for item in api.get("/tokens").get_json()["items"]} >= {None, world.other_county}
    assert_problem(county_admin.post(f"/tokens/{theirs['id']}/revoke"), 403)
    [nationwide] = [item["id"] for item in api.get("/tokens").get_json()["items"] if item["region_code"] is None]
    assert_problem(county_admin.post(f"/tokens/{nationwide}/revoke"), 403)  # the test's own admin token


def test_the_token_list_is_paged_oldest_first(api, world):
    ids = [issue(api, name=f"office {n}")["id"] for n in range(5)]

    first = api.get("/tokens", limit=3).get_json()
    second = api.get("/tokens", limit=3, cursor=first["next_cursor"]).get_json()

    assert second["next_cursor"] is None
    listed = [item["id"] for item in first["items"] + second["items"]]
    assert len(listed) == 6 and listed[1:] == ids  # the first is the test's own admin token


def test_a_supervisor_token_names_only_sites_inside_its_region(api, world):
    response = api.post("/tokens", {"name": "tablet", "role": "supervisor", "region_code": world.county,
                                    "site_ids": [world.sewing, world.far]})

    assert "ws-far" in assert_problem(response, 422)["detail"]


# --- the command line -------------------------------------------------------------------------------------


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_cli_creates_a_token_that_expires_lists_it_and_revokes_it(app, api, world):
    created = cli(app, "create-token", "--role", "poverty_office", "--region", world.county, "--name", "Zhanggong",
                  "--expires-in-days", "90")
    assert created.exit_code == 0, created.output
    secret = created.output.strip()
    office = api.as_token(secret)
    assert office.get("/households/h-li").status_code == 200

    listing = cli(app, "list-tokens")
    assert listing.exit_code == 0 and secret not in listing.output
    [row] = [line.split("\t") for line in listing.output.splitlines() if line.endswith("\tZhanggong")]
    token_id, role, region, sites, _, expires_at, revoked_at, _ = row
    assert (role, region, sites, revoked_at) == ("poverty_office", world.county, "-", "-")
    assert timedelta(days=89) < moment(expires_at) - datetime.now(UTC) <= timedelta(days=90)

    revoked = cli(app, "revoke-token", token_id)
    assert revoked.exit_code == 0, revoked.output
    assert_problem(office.get("/households/h-li"), 401)
    assert cli(app, "list-tokens").output.count("\t-\tZhanggong") == 0  # revoked_at is filled in


def test_the_cli_refuses_an_unknown_token_and_a_bad_expiry(app):
    assert cli(app, "revoke-token", "no-such-token").exit_code != 0
    assert cli(app, "create-token", "--role", "admin", "--expires-in-days", "0").exit_code != 0
