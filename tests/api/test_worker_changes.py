"""A worker's name, phone, bank account and national id change by PATCH: checked as at registration, recorded
in the audit log with their values before and after (personal numbers masked), and refused to the roles and
regions that do not keep the registry."""
from __future__ import annotations

import pytest
from support.world import LI_BANK_ACCOUNT, LI_NATIONAL_ID

PROBLEM_JSON = "application/problem+json"
NEW_ACCOUNT = "6228480402564890018"


def changed(client, worker: str, body: dict) -> dict:
    response = client.client.patch(f"/api/v1/workers/{worker}", json=body,
                                   headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def refused(client, worker: str, body: dict, status: int) -> dict:
    response = client.client.patch(f"/api/v1/workers/{worker}", json=body,
                                   headers={"Authorization": f"Bearer {client.token}"})
    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()


def test_an_office_replaces_a_bank_account_and_the_audit_log_keeps_both(api, world, token):
    office = api.as_token(token("poverty_office", world.county))
    answer = changed(office, world.li, {"bank_account": NEW_ACCOUNT, "phone": "13907970000"})
    assert (answer["bank_account"], answer["warnings"]) == ("6228***********0018", [])
    assert api.get(f"/workers/{world.li}").get_json()["bank_account"] == NEW_ACCOUNT

    [entry] = [item for item in api.get("/audit", limit=500).get_json()["items"]
               if item["table"] == "workers" and item["action"] == "update"]
    assert (entry["row_key"], entry["method"], entry["endpoint"]) == (world.li, "PATCH", "workers.WorkerChanges")
    assert entry["before"]["bank_account"] == "6217***********4567" != LI_BANK_ACCOUNT
    assert entry["after"]["bank_account"] == "6228***********0018"
    assert entry["after"]["phone"] != "13907970000"  # masked too


def test_a_change_is_checked_as_a_registration_is(api, world):
    errors = refused(api, world.wang, {"national_id": "110105194912310021", "bank_account": "0" * 16}, 422)["errors"]
    assert set(errors) == {"national_id", "bank_account"}
    conflict = refused(api, world.wang, {"national_id": LI_NATIONAL_ID}, 409)
    assert conflict["errors"] == {"national_id": [f"it is the national id of worker {world.li} (Li Xiuying)"]}
    assert changed(api, world.li, {"national_id": LI_NATIONAL_ID.lower()})["id"] == world.li  # one's own id
    assert refused(api, world.li, {}, 422)["errors"]
    assert changed(api, world.wang, {"national_id": "360702198506120018"})["national_id"] == "3607**********0018"
    assert [w["id"] for w in api.get("/workers", national_id="360702198506120018").get_json()] == [world.wang]
    assert changed(api, world.wang, {"national_id": None})["national_id"] is None
    assert api.get("/workers", national_id="360702198506120018").get_json() == []


@pytest.mark.parametrize("role, region, status", [
    ("post_manager", "360702", 403), ("supervisor", "360702", 403), ("poverty_office", "360703", 403),
    ("admin", "360703", 403)])
def test_roles_and_regions_that_do_not_keep_the_worker_may_not_change_them(api, world, token, role, region, status):
    caller = api.as_token(token(role, region, sites=[world.sewing] if role == "supervisor" else []))
    refused(caller, world.li, {"name": "Li X"}, status)
    assert api.get(f"/workers/{world.li}").get_json()["name"] == "Li Xiuying"


def test_an_unknown_worker_is_not_found(api, world):
    refused(api, "w-nobody", {"name": "X"}, 404)
