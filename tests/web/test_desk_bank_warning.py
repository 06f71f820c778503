"""The desk's payroll sheet of a site's month says beside a worker that their bank card number fails its Luhn
check, so the manager checks it with the worker before paying; a right number says nothing."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from support.pages import PageClient, account_id, make_account

from app.db.models import Worker

WARNING = "银行卡号校验位不符，请与务工人员核对"


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=date(2026, 5, 6))


def test_a_bank_card_failing_luhn_is_flagged_beside_its_worker_on_the_sheet(app, api, build, consume, runtime, world):
    with runtime.sessions.begin() as session:
        session.get(Worker, world.wang).bank_account = "6222021001122334456"  # the last digit is wrong
    events = [build.attendance(world.li, world.sewing, "2026-04-06", check_in="08:00", check_out="17:00"),
              build.attendance(world.wang, world.sewing, "2026-04-06")]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    desk = PageClient(app)
    desk.enter_as(account_id(runtime, make_account(runtime, "post_manager", world.county)))

    page = desk.get("/desk/sites/ws-sewing/months/2026-04").get_data(as_text=True)

    rows = {name: page[page.index(name):page.index("</td>", page.index(name))]
            for name in ("Li Xiuying", "Wang Jianguo")}
    assert WARNING in rows["Wang Jianguo"] and WARNING not in rows["Li Xiuying"]
