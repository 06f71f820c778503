"""The registry through the API: regions, households, workers and sites, who may see them, and the tokens
that say who is asking."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from support.problems import assert_problem

from app.access.tokens import issue_token
from app.db.models import Region

# --- regions -------------------------------------------------------------------------------------------


def test_regions_nest_into_paths_under_their_parents(api, runtime):
    api.created("/regions", {"code": "36", "name": "Jiangxi", "level": "province"})
    api.created("/regions", {"code": "3607", "name": "Ganzhou", "level": "city", "parent_code": "36"})
    county = api.created("/regions", {"code": "360702", "name": "Zhanggong", "level": "county",
                                      "parent_code": "3607"})

    assert county == {"code": "360702", "name": "Zhanggong", "level": "county", "parent_code": "3607"}
    assert api.get("/regions/360702").get_json() == county
    with runtime.sessions() as session:
        paths = {code: path for code, path in session.execute(select(Region.code, Region.path))}
    assert paths == {"36": "/36/", "3607": "/36/3607/", "360702": "/36/3607/360702/"}


def test_creating_a_region_twice_is_a_conflict(api):
    api.created("/regions", {"code": "36", "name": "Jiangxi", "level": "province"})

    response = api.post("/regions", {"code": "36", "name": "Jiangxi again", "level": "province"})

    assert_problem(response, 409)
    assert api.get("/regions/36").get_json()["name"] == "Jiangxi"


def test_a_region_with_a_bad_level_or_code_is_refused_field_by_field(api):
    response = api.post("/regions", {"code": "36 07", "name": "", "level": "district"})

    errors = assert_problem(response, 422)["errors"]
    assert set(errors) == {"code", "name", "level"}


def test_a_regional_token_reads_regions_inside_its_own_and_no_others(api, world, token):
    county_office = api.as_token(token("poverty_office", world.county))

    assert county_office.get(f"/regions/{world.village}").status_code == 200
    assert county_office.get(f"/regions/{world.county}").status_code == 200
    assert_problem(county_office.get(f"/regions/{world.other_village}"), 403)
    assert_problem(county_office.get(f"/regions/{world.city}"), 403)  # its parent lies outside it


def test_a_region_whose_code_merely_starts_like_mine_is_not_inside_mine(api, world, token):
    api.created("/regions", {"code": "3607021", "name": "Lookalike", "level": "county", "parent_code": world.city})
    county_office = api.as_token(token("poverty_office", world.county))

    assert_problem(county_office.get("/regions/3607021"), 403)


def test_a_regional_admin_creates_regions_only_inside_its_region(api, world, token):
    county_admin = api.as_token(token("admin", world.county))

    county_admin.created("/regions", {"code": "360702102", "name": "Shuixi", "level": "township",
                                      "parent_code": world.county})
    assert_problem(county_admin.post("/regions", {"code": "360703102", "name": "Elsewhere", "level": "township",
                                                  "parent_code": world.other_county}), 403)
    assert_problem(county_admin.post("/regions", {"code": "37", "name": "Shandong", "level": "province"}), 403)


def test_an_unknown_region_is_not_found(api):
    assert_problem(api.get("/regions/99"), 404)


# --- households ----------------------------------------------------------------------------------------


def test_a_household_is_registered_and_read_back(api, world):
    created = api.created("/households", {"id": "h-zhao", "region_code": world.village, "size": 5,
                                          "status": "monitored"})

    read = api.get("/households/h-zhao").get_json()
    assert read == created
    assert (read["region_code"], read["size"], read["status"]) == (world.village, 5, "monitored")


@pytest.mark.parametrize("body, field", [
    ({"size": 0, "status": "poor"}, "size"),
    ({"size": "4", "status": "poor"}, "size"),
    ({"size": 4, "status": "rich"}, "status"),
])
def test_a_household_with_a_bad_size_or_status_is_refused(api, world, body, field):
    response = api.post("/households", {"region_code": world.village, **body})

    assert field in assert_problem(response, 422)["errors"]


def test_registering_a_household_id_twice_is_a_conflict(api, world):
    assert_problem(api.post("/households", {"id": "h-li", "region_code": world.village, "size": 1,
                                            "status": "other"}), 409)


def test_a_poverty_office_reads_and_registers_households_only_in_its_region(api, world, token):
    county_office = api.as_token(token("poverty_office", world.county))

    assert county_office.get("/households/h-li").status_code == 200
    assert_problem(county_office.get("/households/h-chen"), 403)
    assert_problem(county_office.post("/households", {"region_code": world.other_village, "size": 2,
                                                      "status": "poor"}), 403)


# --- workers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["poverty_office", "post_manager", "supervisor"])
def test_national_id_and_bank_account_are_masked_for_everyone_but_admins(api, world, token, role):
    caller = api.as_token(token(role, world.county, sites=[world.glove] if role == "supervisor" else []))

    worker = caller.get(f"/workers/{world.li}").get_json()

    assert worker["national_id"] == "3607**********1234"
    assert worker["bank_account"] == "6217***********4567"
    assert worker["name"] == "Li Xiuying"


def test_an_admin_sees_national_id_and_bank_account_in_clear(api, world):
    worker = api.get(f"/workers/{world.li}").get_json()

    assert worker["national_id"] == "360702198912291234"
    assert worker["bank_account"] == "6217003600701234567"


def test_a_worker_registered_by_a_poverty_office_comes_back_masked(api, world, token):
    county_office = api.as_token(token("poverty_office", world.county))

    created = county_office.created("/workers", {"household_id": "h-wang", "name": "Wang Li",
                                                 "national_id": "36070220000129002X"})

    assert created["national_id"] == "3607**********002X"
    assert api.get(f"/workers/{created['id']}").get_json()["national_id"] == "36070220000129002X"


@pytest.mark.parametrize("body, field", [
    ({"household_id": "h-li", "name": "X", "national_id": "3607021990"}, "national_id"),
    ({"household_id": "h-li", "name": "X", "bank_account": "6217-0036"}, "bank_account"),
    ({"household_id": "h-li", "name": ""}, "name"),
    ({"household_id": "h-nobody", "name": "X"}, "household_id"),
])
def test_a_worker_with_bad_personal_data_or_household_is_refused(api, world, body, field):
    assert field in assert_problem(api.post("/workers", body), 422)["errors"]


def test_an_unknown_worker_is_not_found(api, world):
    assert_problem(api.get("/workers/w-nobody"), 404)


def test_a_supervisor_reads_only_workers_assigned_to_their_sites(api, world, token):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.glove]))

    assert supervisor.get(f"/workers/{world.li}").status_code == 200
    assert supervisor.get(f"/workers/{world.li}/assignments").status_code == 200
    assert_problem(supervisor.get(f"/workers/{world.wang}"), 403)  # same village, another site
    assert_problem(supervisor.get(f"/workers/{world.wang}/assignments"), 403)
    assert_problem(supervisor.get(f"/workers/{world.chen}"), 403)


def test_a_poverty_office_reads_only_workers_of_households_in_its_region(api, world, token):
    county_office = api.as_token(token("poverty_office", world.county))

    assert county_office.get(f"/workers/{world.wang}").status_code == 200
    assert_problem(county_office.get(f"/workers/{world.chen}"), 403)


# --- sites ---------------------------------------------------------------------------------------------


def test_a_site_is_created_and_read_back(api, world):
    created = api.created("/sites", {"id": "post-forest", "kind": "post", "name": "Forest ranger",
                                     "region_code": world.village})

    assert api.get("/sites/post-forest").get_json() == created
    assert created["kind"] == "post"


def test_a_site_of_an_unknown_kind_or_existing_id_is_refused(api, world):
    assert "kind" in assert_problem(api.post("/sites", {"kind": "farm", "name": "F",
                                                        "region_code": world.village}), 422)["errors"]
    assert_problem(api.post("/sites", {"id": world.glove, "kind": "workshop", "name": "G",
                                       "region_code": world.village}), 409)


def test_a_supervisor_reads_only_the_sites_they_supervise(api, world, token):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.glove]))

    assert supervisor.get(f"/sites/{world.glove}").status_code == 200
    assert_problem(supervisor.get(f"/sites/{world.sewing}"), 403)


# --- authentication and roles --------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer swk_not-a-token"},
    {"Authorization": "Bearer "},
    {"Authorization": "Basic dXNlcjpwYXNz"},
])
def test_a_request_without_a_valid_bearer_token_is_unauthorized(app, world, headers):
    client = app.test_client()

    for path in ("/api/v1/regions/36", f"/api/v1/workers/{world.li}", "/api/v1/dead-letters"):
        response = client.get(path, headers=headers)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_problem(client.post("/api/v1/regions", json={"code": "37", "name": "S", "level": "province"},
                               headers=headers), 401)


def test_an_expired_token_is_unauthorized(api, runtime):
    with runtime.sessions.begin() as session:
        expired = issue_token(session, name="old", role="admin", expires_at=datetime.now(UTC) - timedelta(seconds=1))

    assert_problem(api.as_token(expired).get("/dead-letters"), 401)


@pytest.mark.parametrize("role, method, path, body", [
    ("supervisor", "post", "/regions", {"code": "37", "name": "Shandong", "level": "province"}),
    ("poverty_office", "post", "/sites", {"kind": "workshop", "name": "W", "region_code": "360702101201"}),
    ("post_manager", "post", "/households", {"region_code": "360702101201", "size": 2, "status": "poor"}),
    ("supervisor", "get", "/households/h-li", None),
    ("poverty_office", "post", "/assignments", {"worker_id": "w-wang", "site_id": "ws-glove",
                                                "start_date": "2026-04-01", "scheme": {"kind": "piece",
                                                                                       "rates": {"G": 1}}}),
])
def test_a_valid_token_of_the_wrong_role_is_forbidden(api, world, token, role, method, path, body):
    caller = api.as_token(token(role, world.county, sites=[world.glove] if role == "supervisor" else []))

    response = caller.get(path) if method == "get" else caller.post(path, body)

    assert_problem(response, 403)


@pytest.mark.parametrize("path, body, field", [
    ("/regions", {"code": "99", "name": "Nowhere", "level": "city", "parent_code": "98"}, "parent_code"),
    ("/households", {"region_code": "98", "size": 2, "status": "poor"}, "region_code"),
    ("/sites", {"kind": "workshop", "name": "Ghost", "region_code": "98"}, "region_code"),
    ("/tokens", {"name": "x", "role": "poverty_office", "region_code": "98"}, "region_code"),
])
def test_an_unknown_region_named_in_a_body_is_a_field_error(api, world, path, body, field):
    response = api.post(path, body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {field: ["unknown region 98"]}
