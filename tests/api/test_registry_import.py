"""POST /imports/registry: households, workers and their assignments from one sheet as a county office keeps it
(CSV in UTF-8 or GB18030, or XLSX; English or Chinese headers), all rows or none, and the same sheet again
changes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.registers import PROBLEM_JSON
from support.registry_sheets import XLSX, counts, employed, national_id, person, registered, sheet, upload, workbook
from support.world import LI_NATIONAL_ID

from app.db.models import Assignment, AuditEntry, Household, Worker


def sizes(runtime) -> dict:
    with runtime.sessions() as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Household, Worker, Assignment, AuditEntry)}


def office_sheet(world) -> list[dict]:
    """Two households of the village: the first with two workers, one at the sewing workshop, one at the post."""
    return [
        employed(person(1, "0001", world.village, size=4), world.sewing, scheme="hourly", rate="18.50"),
        employed(person(2, "0001", world.village, size=4), world.post, scheme="monthly", rate="800",
                 required_days="22", end_date="2026-12-31"),
        person(3, "0002", world.village, size=2, status="monitored", bank_account="6217003600701234567"),
    ]


def test_a_sheet_registers_its_households_workers_and_assignments(api, world, runtime):
    before = sizes(runtime)

    answer = registered(upload(api, sheet(office_sheet(world))))

    assert counts(answer) == {"households": (2, 0), "workers": (3, 0), "assignments": (2, 0)}
    assert answer["rows"] == 3 and answer["changed"] is True
    [found] = api.get("/workers", national_id=national_id(1)).get_json()
    assert found["household_id"] == f"{world.village}-0001" and found["name"] == "Worker 1"
    assert api.get(f"/households/{world.village}-0002").get_json()["status"] == "monitored"
    [post] = [a for a in api.get(f"/workers/{found['id']}/assignments").get_json()]
    assert post["site_id"] == world.sewing and post["scheme"]["rate_fen"] == 1850
    after = sizes(runtime)
    assert [after[t] - before[t] for t in ("households", "workers", "assignments")] == [2, 3, 2]
    assert after["audit_log"] > before["audit_log"]  # who imported what is recorded


def test_imported_workers_carry_the_lookup_hashes_the_review_looks_for_shared_contacts_by(api, world, runtime):
    shared = "6217003600701234567"
    rows = [person(4, "0003", world.village, bank_account=shared), person(5, "0004", world.village,
                                                                          bank_account=shared)]

    registered(upload(api, sheet(rows)))

    with runtime.sessions() as session:
        imported = session.execute(select(Worker.phone_hash, Worker.bank_account_hash).where(
            Worker.household_id.in_([f"{world.village}-0003", f"{world.village}-0004"]))).all()
    assert len(imported) == 2 and all(phone and account for phone, account in imported)
    assert len({phone for phone, _ in imported}) == 2 and len({account for _, account in imported}) == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_sheet_with_chinese_headers_and_words_is_read_in_any_office_encoding(api, world, runtime, encoding):
    answer = registered(upload(api, sheet(office_sheet(world), chinese=True, encoding=encoding)))

    assert counts(answer) == {"households": (2, 0), "workers": (3, 0), "assignments": (2, 0)}
    assert api.get(f"/households/{world.village}-0001").get_json()["status"] == "poor"


def test_an_xlsx_workbook_is_read_from_its_first_sheet(api, world, runtime):
    answer = registered(upload(api, workbook(office_sheet(world)), XLSX))

    assert counts(answer) == {"households": (2, 0), "workers": (3, 0), "assignments": (2, 0)}


def test_the_same_sheet_imported_again_changes_nothing_and_says_so(api, world, runtime):
    content = sheet(office_sheet(world))
    registered(upload(api, content))
    before = sizes(runtime)

    again = registered(upload(api, sheet(office_sheet(world), chinese=True, encoding="gb18030")))

    assert again["changed"] is False
    assert counts(again) == {"households": (0, 2), "workers": (0, 3), "assignments": (0, 2)}
    assert sizes(runtime) == before


def test_a_sheet_adding_to_what_is_registered_adds_only_the_new_rows(api, world, runtime):
    registered(upload(api, sheet(office_sheet(world))))

    answer = registered(upload(api, sheet([*office_sheet(world), person(4, "0002", world.village, size=2,
                                                                         status="monitored")])))

    assert counts(answer) == {"households": (0, 2), "workers": (1, 3), "assignments": (0, 2)}


def test_every_bad_row_and_column_is_told_and_nothing_is_registered(api, world, runtime):
    bad_id = national_id(5)[:-1] + ("0" if national_id(5)[-1] != "0" else "1")
    rows = [
        person(1, "0001", world.village),
        person(2, "0001", world.village, size=5),  # the household's size differs from row 2's
        person(3, "0003", world.village, size="many"),
        {**person(4, "0004", world.village), "national_id": bad_id},
        employed(person(6, "0006", world.village), "ws-nowhere"),
        employed(person(7, "0007", world.village), world.post, scheme="daily"),  # a post pays monthly
        person(8, "0008", "999999"),
    ]
    before = sizes(runtime)

    response = upload(api, sheet(rows, chinese=True))

    assert response.status_code == 422 and response.content_type == PROBLEM_JSON
    errors = response.get_json()["errors"]
    assert {row: sorted(columns) for row, columns in errors.items()} == {
        "row 3": ["家庭人口"], "row 4": ["家庭人口"], "row 5": ["身份证号"], "row 6": ["站点"], "row 7": ["工资方式"],
        "row 8": ["村代码"]}
    assert "check digit" in errors["row 5"]["身份证号"][0]
    assert errors["row 6"]["站点"] == ["unknown site ws-nowhere"]
    assert sizes(runtime) == before


def test_a_row_that_differs_from_the_registered_worker_is_refused_not_applied(api, world, runtime):
    registered(upload(api, sheet(office_sheet(world))))
    changed = office_sheet(world)
    changed[2] = {**changed[2], "phone": "13900000000"}
    before = sizes(runtime)

    errors = upload(api, sheet(changed)).get_json()["errors"]

    assert list(errors) == ["row 4"] and list(errors["row 4"]) == ["phone"]
    assert "an import does not change it" in errors["row 4"]["phone"][0]
    assert sizes(runtime) == before


def test_a_national_id_another_household_holds_is_refused_naming_its_worker(api, world, runtime):
    row = {**person(1, "0009", world.village), "national_id": LI_NATIONAL_ID, "name": "Li Xiuying", "phone": ""}

    errors = upload(api, sheet([row])).get_json()["errors"]

    assert errors == {"row 2": {"household_number": [
        "worker w-li (Li Xiuying) holds this national id with another household_id: an import does not change it"]}}


def test_villages_and_sites_outside_the_callers_region_are_refused_whole(api, world, runtime, token):
    office = api.as_token(token("poverty_office", world.other_county))
    before = sizes(runtime)

    response = upload(office, sheet([person(1, "0001", world.village), person(2, "0001", world.other_village)]))

    assert response.status_code == 403 and response.content_type == PROBLEM_JSON
    assert f"village {world.village}" in response.get_json()["detail"]
    assert sizes(runtime) == before


def test_an_office_registers_households_and_workers_but_employs_no_one(api, world, runtime, token):
    office = api.as_token(token("poverty_office", world.county))
    before = sizes(runtime)

    assert upload(office, sheet(office_sheet(world))).status_code == 403
    assert sizes(runtime) == before
    assert counts(registered(upload(office, sheet([person(1, "0001", world.village)])))) == {
        "households": (1, 0), "workers": (1, 0), "assignments": (0, 0)}


def test_who_may_not_register_is_refused_before_the_file_is_read(api, world, token):
    for role in ("supervisor", "post_manager"):
        caller = api.as_token(token(role, world.county, sites=[world.sewing] if role == "supervisor" else []))
        assert upload(caller, b"not a sheet").status_code == 403


def test_a_bank_card_failing_its_luhn_check_is_registered_with_a_warning_by_row(api, world):
    answer = registered(upload(api, sheet([person(1, "0001", world.village, bank_account="6217003600701234568")])))

    assert list(answer["warnings"]) == ["row 2"]
    assert "Luhn" in answer["warnings"]["row 2"][0]


@pytest.mark.parametrize("content, status", [
    (b"\xff\xfe\x00\x00", 400),
    (b"PK\x03\x04 not a workbook", 400),
    (b"", 422),
    (b"household_number,village_code\r\n0001,360702101201\r\n", 422),
], ids=["not text", "broken workbook", "empty", "missing columns"])
def test_a_file_that_is_no_registry_sheet_is_refused_without_a_server_error(api, world, runtime, content, status):
    before = sizes(runtime)

    response = upload(api, content)

    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    assert sizes(runtime) == before


def test_a_sheet_over_the_uploads_row_limit_is_too_large(api, world, runtime, monkeypatch):
    monkeypatch.setattr("app.api.registry_imports.MAX_ROWS", 2)
    before = sizes(runtime)

    response = upload(api, sheet([person(n, f"{n:04d}", world.village) for n in range(1, 4)]))

    assert response.status_code == 413 and response.content_type == PROBLEM_JSON
    assert sizes(runtime) == before


def test_an_assignment_imported_for_a_labourer_makes_their_days_at_work(api, world):
    registered(upload(api, sheet([person(6, "0006", world.village)])))
    [labourer] = api.get("/workers", national_id=national_id(6)).get_json()
    assert api.client.put(f"/api/v1/labourers/{labourer['id']}/profile", json={},
                          headers=api._headers()).status_code == 200
    assert api.get(f"/labourers/{labourer['id']}/status").get_json()["current"] is None

    answer = registered(upload(api, sheet([employed(person(6, "0006", world.village), world.sewing, scheme="daily",
                                                    rate="120", end_date="2026-12-31")])))

    assert counts(answer)["assignments"] == (1, 0)
    current = api.get(f"/labourers/{labourer['id']}/status").get_json()["current"]
    assert (current["status"], current["until"]) == ("working_local", "2026-12-31")
