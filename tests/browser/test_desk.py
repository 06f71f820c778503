"""The welfare-post manager's main job in a real browser, on a phone and a desktop, in Chinese and English:
sign in, find last month's village among the county's and the site on the village's page, approve a month
someone else closed, make its payment batch and download the bank file. Screenshots of each step land in
var/screenshots/desk-*.png. And the worker paid, on a phone: signing in with the code the development sender
writes to the log, and reading a month's wage line in words (var/screenshots/me-*.png)."""
from __future__ import annotations

import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from support.browser import EVERY_SCREEN_AND_LOCALE, assert_cjk_renders, screenshot
from support.served import LOGGED_CODE

from app.access.accounts import create_account
from app.db.models import Assignment, Household, Region, Site, Worker

LOGIN, PASSWORD = "desk-manager", "a long enough password"
SITE_ID, SITE_NAME, VILLAGE_NAME = "ws-sewing", "夏坝缝纫扶贫车间", "夏坝村"
WORKER_NAME, BANK_ACCOUNT, WORKER_PHONE = "李秀英", "6217003600701234567", "13907971234"
# Each screen and language approves and pays its own month, so the four runs do not meet.
MONTHS = {("phone", "zh-CN"): "2026-04", ("phone", "en"): "2026-05", ("desktop", "zh-CN"): "2026-06",
          ("desktop", "en"): "2026-07"}
WORDS = {
    "zh-CN": {"closed": "已关账", "approve": "审核", "approved": "本月已审核", "pay": "生成代发批次",
              "batch": "代发批次", "bank file": "下载代发文件"},
    "en": {"closed": "Closed", "approve": "Approve the month", "approved": "The month is approved",
           "pay": "Make the payment batch", "batch": "Payment batch", "bank file": "Download the bank file"},
}
CONSUMED_WITHIN_S = 30


def _registry(session) -> None:
    """A county with one village, its sewing workshop, Li paid by the day there, and a post manager."""
    paths = {None: "/"}
    for code, name, level, parent in (("36", "江西省", "province", None), ("3607", "赣州市", "city", "36"),
                                      ("360702", "章贡区", "county", "3607"),
                                      ("360702101", "沙河镇", "township", "360702"),
                                      ("360702101201", "夏坝村", "village", "360702101")):
        paths[code] = f"{paths[parent]}{code}/"
        session.add(Region(code=code, name=name, level=level, parent_code=parent, path=paths[code]))
    session.flush()
    session.add(Household(id="h-li", region_code="360702101201", size=4, status="poor"))
    session.add(Site(id=SITE_ID, kind="workshop", name=SITE_NAME, region_code="360702101201"))
    session.flush()
    session.add(Worker(id="w-li", household_id="h-li", name=WORKER_NAME, bank_account=BANK_ACCOUNT,
                       phone=WORKER_PHONE))
    session.flush()
    session.add(Assignment(worker_id="w-li", site_id=SITE_ID, start_date=date(2026, 3, 1), end_date=None,
                           scheme={"kind": "daily", "day_rate_fen": 12000}))
    create_account(session, login=LOGIN, name="王经理", password=PASSWORD, role="post_manager",
                   region_code="360702")


@pytest.fixture(scope="module")
def seed_served_app():
    return _registry


@pytest.fixture(scope="module")
def desk_app(served_app):
    """The served app with a day of Li's work in each month of MONTHS, consumed into wage lines."""
    events = [{"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "browser/desk",
               "time": f"{month}-06T18:00:00+08:00", "datacontenttype": "application/json",
               "data": {"worker_id": "w-li", "site_id": SITE_ID, "date": f"{month}-06", "status": "present"}}
              for month in MONTHS.values()]
    assert served_app.api.post(served_app.api_url("/events"), json={"events": events}).status_code == 202
    for month in MONTHS.values():
        _wait_for_wages(served_app, month)
    return served_app


def _wait_for_wages(served_app, month: str) -> None:
    deadline = time.monotonic() + CONSUMED_WITHIN_S
    while served_app.api.get(served_app.api_url(f"/sites/{SITE_ID}/periods/{month}")).json()["totals"][
            "earned_fen"] == 0:
        assert time.monotonic() < deadline, f"the wage consumer did not pay {month} within {CONSUMED_WITHIN_S}s"
        time.sleep(0.1)


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button.primary").click()
    page.wait_for_url("**/desk/months")  # the manager's main page


@EVERY_SCREEN_AND_LOCALE
def test_a_manager_approves_a_month_someone_else_closed_pays_it_and_downloads_the_bank_file(
        page, screen, locale, desk_app):
    month, words, name = MONTHS[(screen, locale)], WORDS[locale], f"desk-{screen}-{locale}"
    closed = desk_app.api.post(desk_app.api_url(f"/sites/{SITE_ID}/periods/{month}/close"), json={})
    assert closed.status_code == 200  # by the API's admin: someone else than the manager

    _sign_in(page, desk_app.url)
    page.fill("input[name=month]", month)
    page.locator("form.filters button").click()
    village = page.locator("table.villages tbody tr", has_text=VILLAGE_NAME)
    expect(village).to_contain_text(f"{words['closed']} 1")  # the county's villages, their sites by state
    screenshot(page, f"{name}-1-months")
    if locale == "zh-CN":
        assert_cjk_renders(page, "main h1")
        assert_cjk_renders(page, "table.villages tbody tr")

    village.get_by_role("link", name=VILLAGE_NAME).click()
    row = page.locator("table.months tbody tr", has_text=SITE_NAME)  # the village's own page: its sites
    expect(row).to_contain_text(words["closed"])
    screenshot(page, f"{name}-2-village")
    if locale == "zh-CN":
        assert_cjk_renders(page, "table.months tbody tr")

    row.get_by_role("link", name=SITE_NAME).click()
    page.get_by_role("button", name=words["approve"], exact=True).click()
    expect(page.locator("p.notice")).to_contain_text(words["approved"])
    page.get_by_role("button", name=words["pay"]).click()
    expect(page.locator("p.notice")).to_contain_text(words["batch"])
    with page.expect_download() as download:
        page.get_by_role("link", name=words["bank file"]).click()
    bank_file = Path(download.value.path()).read_text("utf-8-sig")
    screenshot(page, f"{name}-3-paid")
    if locale == "zh-CN":
        assert_cjk_renders(page, "#payments")

    assert f"{WORKER_NAME},{BANK_ACCOUNT},12000,120.00" in bank_file


ME_WORDS = {"zh-CN": {"send": "获取验证码", "sign in": "登录", "line": "1 天，每天 ¥120.00"},
            "en": {"send": "Send me a code", "sign in": "Sign in", "line": "1 days at ¥120.00 a day"}}


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_worker_signs_in_with_a_texted_code_and_reads_a_wage_line_in_words(page, locale, desk_app):
    words, month = ME_WORDS[locale], MONTHS[("phone", "zh-CN")]
    page.goto(f"{desk_app.url}/me/login")
    page.fill("input[name=phone]", WORKER_PHONE)
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url("**/me/code")
    page.fill("input[name=code]", LOGGED_CODE.findall(desk_app.log_path.read_text())[-1])
    page.get_by_role("button", name=words["sign in"], exact=True).click()
    page.wait_for_url("**/me/")
    expect(page.locator("main h1")).to_contain_text(WORKER_NAME)
    screenshot(page, f"me-phone-{locale}-1-months")

    page.goto(f"{desk_app.url}/me/months/{month}")
    expect(page.locator("ol.lines")).to_contain_text(words["line"])
    screenshot(page, f"me-phone-{locale}-2-month")
    if locale == "zh-CN":
        assert_cjk_renders(page, "ol.lines")
