"""A registry sheet imported on the real PostgreSQL (households and assignments by COPY, workers encrypted as they
are bound): every row registered once, the same sheet again changes nothing, and a bad sheet writes nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.registry_sheets import counts, employed, national_id, person, registered, sheet, upload

from app.db.models import Assignment, Household, Site, Worker

pytestmark = pytest.mark.postgres

VILLAGE = "360702101201"


def sizes(runtime) -> tuple[int, int, int]:
    with runtime.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Household, Worker,
                                                                                            Assignment))


def test_a_sheet_is_registered_once_on_postgresql_and_a_bad_one_not_at_all(pg_village_api, pg_runtime):
    api = pg_village_api
    with pg_runtime.sessions.begin() as session:
        session.add(Site(id="ws-pg-import", kind="workshop", name="Bamboo workshop", region_code=VILLAGE))
    rows = [employed(person(n, f"{n // 3:04d}", VILLAGE, bank_account="6217003600701234567"), "ws-pg-import")
            for n in range(1, 61)]
    before = sizes(pg_runtime)

    first = registered(upload(api, sheet(rows, chinese=True, encoding="gb18030")))
    again = registered(upload(api, sheet(rows)))
    bad = upload(api, sheet([*rows, {**person(99, "0099", VILLAGE), "national_id": national_id(1)[:-1] + "Y"}]))

    assert counts(first) == {"households": (21, 0), "workers": (60, 0), "assignments": (60, 0)}
    assert counts(again) == {"households": (0, 21), "workers": (0, 60), "assignments": (0, 60)}
    assert again["changed"] is False
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["row 62"]
    assert sizes(pg_runtime) == (before[0] + 21, before[1] + 60, before[2] + 60)
    [found] = api.get("/workers", national_id=national_id(7)).get_json()
    assert found["household_id"] == f"{VILLAGE}-0002" and api.get(f"/workers/{found['id']}").get_json()[
        "bank_account"] == "6217003600701234567"
