"""In a real browser on a phone, in Chinese and English: a worker signs in with their phone and a code, finds a wage
line that is wrong, says so in a short form, and reads the supervisor's answer and the corrected pay once the
served app's consumer has applied it."""
from __future__ import annotations

import json
import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from support.browser import assert_cjk_renders, screenshot

import payroll
from app.db.models import Assignment, Household, Region, Site, Worker

SITE = "ws-bamboo"
HOURLY = {"kind": "hourly", "rate_fen": 1750, "standard_minutes": 480, "overtime_multiplier": "1.5"}
WORKERS = {"zh-CN": ("w-zh", "13907971111"), "en": ("w-en", "13907972222")}
WORDS = {"zh-CN": {"wrong": "有问题？", "hours": "工时不对", "send": "提交给负责人", "waiting": "等待负责人处理",
                   "accepted": "已采纳，工资已更正", "sent": "已提交给"},
         "en": {"wrong": "Something wrong?", "hours": "My hours were different", "send": "Send to the supervisor",
                "waiting": "Waiting for the supervisor", "accepted": "Accepted: your pay is corrected",
                "sent": "Sent to the supervisor"}}
_CODE = re.compile(r"验证码：([0-9]{6})")


@pytest.fixture(scope="module")
def seed_served_app():
    def seed(session):
        for code, parent, level, path in (("36", None, "province", "/36/"), ("3607", "36", "city", "/36/3607/"),
                                          ("360702", "3607", "county", "/36/3607/360702/")):
            session.add(Region(code=code, name=code, level=level, parent_code=parent, path=path))
            session.flush()
        session.add(Site(id=SITE, kind="workshop", name="竹编车间", region_code="360702"))
        session.add(Household(id="h-1", region_code="360702", size=4, status="poor"))
        session.flush()
        for worker_id, phone in WORKERS.values():
            session.add(Worker(id=worker_id, household_id="h-1", name=f"Zhou {worker_id[-2:]}", phone=phone))
            session.flush()
            session.add(Assignment(worker_id=worker_id, site_id=SITE, start_date=date(2026, 3, 1),
                                   scheme=payroll.scheme_to_dict(payroll.scheme_from_dict(HOURLY))))
    return seed


def _day_worked(served_app, worker_id: str) -> None:
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "test",
             "time": "2026-03-02T18:00:00+08:00",
             "data": {"worker_id": worker_id, "site_id": SITE, "date": "2026-03-02", "status": "present",
                      "minutes": 570}}
    answer = served_app.api.post(served_app.api_url("/events"), json={"events": [event]})
    assert answer.status_code == 202, answer.text


def _code_sent(served_app, phone: str) -> str:
    """The code the development sender wrote to the service's log for this phone (the last one)."""
    masked = f"{phone[:3]}****{phone[-4:]}"
    for line in reversed(served_app.log_path.read_text().splitlines()):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("to") == masked and (found := _CODE.search(entry.get("text", ""))):
            return found.group(1)
    raise AssertionError(f"no code was sent to {masked}")


def _sign_in(page: Page, served_app, phone: str) -> None:
    page.goto(f"{served_app.url}/me/login")
    page.fill("input[name=phone]", phone)
    page.click("main button.primary")
    page.wait_for_url(f"{served_app.url}/me/code")
    code = None
    for _ in range(50):
        try:
            code = _code_sent(served_app, phone)
            break
        except AssertionError:
            page.wait_for_timeout(100)  # the code is sent once the answer is out
    assert code is not None, "no code in the log"
    page.fill("input[name=code]", code)
    page.click("main button.primary")
    page.wait_for_url(f"{served_app.url}/me/")


def _reload_until(page: Page, selector: str, text: str, tries: int = 100) -> None:
    """Reload the page until `selector` shows `text` (what the served app's consumer applies shows on a reload)."""
    for _ in range(tries):
        shown = page.locator(selector)
        if shown.count() and text in shown.first.inner_text():
            return
        page.wait_for_timeout(200)
        page.reload()
    expect(page.locator(selector).first).to_contain_text(text)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_worker_disputes_their_hours_on_a_phone_and_reads_the_accepted_answer(page, locale, served_app):
    words, (worker_id, phone) = WORDS[locale], WORKERS[locale]
    _day_worked(served_app, worker_id)
    _sign_in(page, served_app, phone)
    month = f"{served_app.url}/me/months/2026-03"
    page.goto(month)
    _reload_until(page, ".lines li", "¥179.38")  # the day's wage line, once the served app's consumer made it

    page.get_by_role("link", name=words["wrong"]).first.click()
    page.get_by_label(words["hours"]).check()
    page.fill("input[name=claimed]", "10")
    screenshot(page, f"dispute-{locale}-1-form")
    page.get_by_role("button", name=words["send"]).click()
    page.wait_for_url(month)
    expect(page.locator("p.notice")).to_contain_text(words["sent"])
    _reload_until(page, "#disputes", words["waiting"])
    if locale == "zh-CN":
        assert_cjk_renders(page, "#disputes h2")

    [dispute] = [d for d in served_app.api.get(served_app.api_url("/disputes")).json()["items"]
                 if d["worker_id"] == worker_id]
    accepted = served_app.api.post(served_app.api_url(f"/disputes/{dispute['id']}/accept"), json={})
    assert accepted.status_code == 202, accepted.text
    _reload_until(page, "#disputes", words["accepted"])
    expect(page.locator(".lines li .line-head strong")).to_have_text("¥192.50")  # 10 hours, 2 of them overtime
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the month's page scrolls sideways on a phone"
    screenshot(page, f"dispute-{locale}-2-accepted")
