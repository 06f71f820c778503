"""POST /imports/attendance: who may import a register, and for which sites."""
from __future__ import annotations

import pytest
from support.registers import PROBLEM_JSON, logged, register, row, taken, upload


def test_a_supervisor_imports_rows_for_their_own_site(api, world, token):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.sewing]))

    assert taken(upload(supervisor, register([row(world.wang, world.sewing, "2026-03-10")])))["accepted"] == 1


def test_a_supervisor_cannot_import_rows_for_a_site_they_do_not_supervise(api, world, token, runtime):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.sewing]))
    rows = [row(world.wang, world.sewing, "2026-03-10"), row(world.chen, world.far, "2026-03-10")]
    before = logged(runtime)

    response = upload(supervisor, register(rows))

    assert response.status_code == 403
    assert response.content_type == PROBLEM_JSON
    assert world.far in response.get_json()["detail"]
    assert logged(runtime) == before


@pytest.mark.parametrize("role", ["poverty_office", "post_manager"])
def test_offices_that_do_not_log_work_may_not_import_it(api, world, token, role):
    office = api.as_token(token(role, world.county))

    assert upload(office, register([row(world.wang, world.sewing, "2026-03-10")])).status_code == 403


def test_importing_without_a_token_is_unauthorized(api, world):
    response = upload(api.as_token(None), register([row(world.wang, world.sewing, "2026-03-10")]))

    assert response.status_code == 401
    assert response.content_type == PROBLEM_JSON
