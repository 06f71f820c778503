"""A worker's own pay on their phone: their months, each wage line with the rule that made it in words, the
corrections and payments; and nothing of any other worker's, by page or by API."""
from __future__ import annotations

import pytest
from support.own_pay import LI_PHONE, WANG_PHONE, catch_texts, give_phone, sign_in_worker
from support.pages import signed_in


@pytest.fixture
def li_paid(app, api, checker, world, build, consume, runtime, monkeypatch):
    """Li's March: a long day sewing, gloves of grade B, then days at the post (another day: a full day at each
    site on one day is a review flag); approved and paid into her account."""
    li = world.li
    events = [build.attendance(li, world.sewing, "2026-03-02", minutes=570),
              build.output(li, world.glove, "2026-03-02", "GLOVE", 140, "B"),
              *(build.attendance(li, world.post, day) for day in ("2026-03-03", "2026-03-04")),
              build.attendance(li, world.post, "2026-03-05", "half_day")]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    site = world.sewing
    assert api.post(f"/sites/{site}/periods/2026-03/close", {}).status_code == 200
    assert checker.post(f"/sites/{site}/periods/2026-03/approve", {}).status_code == 200
    batch = api.post(f"/sites/{site}/periods/2026-03/pay").get_json()
    [line] = batch["lines"]
    assert api.post(f"/payment-batches/{batch['id']}/results", {"lines": [
        {"line_id": line["id"], "status": "confirmed", "bank_reference": "B-1"}]}).status_code == 200
    give_phone(runtime, li, LI_PHONE)
    give_phone(runtime, world.wang, WANG_PHONE)
    return catch_texts(monkeypatch)


def test_each_wage_line_says_the_rule_that_made_it_in_chinese(app, li_paid):
    page = sign_in_worker(app, li_paid, LI_PHONE).get("/me/months/2026-03").get_data(as_text=True)

    assert "8 小时，每小时 ¥17.50，加班 1.5 小时，每小时 ¥17.50 × 加班倍率 1.5" in page
    assert "GLOVE B 等级 140 件，每件 ¥0.33，按 80% 计" in page
    assert "月补贴 ¥800.00，应出勤 22 天，计 2.5 天" in page
    assert "尾号 4567 的账户" in page and "已发放" in page


def test_each_wage_line_says_the_rule_that_made_it_in_english(app, li_paid):
    pages = sign_in_worker(app, li_paid, LI_PHONE, language="en")

    page = pages.get("/me/months/2026-03").get_data(as_text=True)

    assert "8 hours at ¥17.50 an hour, 1.5 hours overtime at ¥17.50 × 1.5" in page
    assert "140 pieces of GLOVE, grade B, at ¥0.33 a piece, 80% paid" in page
    assert "account ending 4567" in page


def test_the_months_page_shows_this_month_and_the_months_before(app, li_paid, runtime):
    page = sign_in_worker(app, li_paid, LI_PHONE).get("/me/").get_data(as_text=True)

    assert "本月至今" in page and "2026年3月" in page and "Li Xiuying" in page


def test_a_worker_never_sees_another_workers_pay(app, li_paid):
    wang = sign_in_worker(app, li_paid, WANG_PHONE)

    own, march = wang.get("/me/").get_data(as_text=True), wang.get("/me/months/2026-03").get_data(as_text=True)
    api_reads = [wang.client.get(f"/api/v1/workers/w-li{path}").status_code for path in ("/balance", "/wages", "")]
    staff_page = wang.get("/desk/months?month=2026-03")

    assert "Wang Jianguo" in own and "Li Xiuying" not in own + march and "¥17.50" not in march
    assert api_reads == [401, 401, 401]
    assert staff_page.status_code == 403


def test_a_month_that_is_no_month_is_not_found(app, li_paid):
    assert sign_in_worker(app, li_paid, LI_PHONE).get("/me/months/2026-13").status_code == 404


def test_a_staff_account_cannot_open_a_workers_page(app, runtime):
    pages = signed_in(app, runtime, "admin")

    assert pages.get("/me/").status_code == 403
