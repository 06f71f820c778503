"""The supervisor's register in a real browser, as the served app runs it (gunicorn and the wage consumer): a day
recorded end to end on a phone and a desktop, in Chinese and English; and the weak signal: marks made offline
survive a reload and arrive exactly once when the connection is back."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from support.browser import EVERY_SCREEN_AND_LOCALE, assert_cjk_renders, screenshot
from support.live_app import ServedApp

import payroll
from app.db.models import (
    Account,
    AccountSite,
    Assignment,
    AttendanceRecord,
    Household,
    ReceivedEvent,
    Region,
    Site,
    Worker,
)

TODAY = "2026-04-01"
PASSWORD = "a long enough password"
SITE = "ws-bamboo"
DAILY = {"kind": "daily", "day_rate_fen": 12000}
HOURLY = {"kind": "hourly", "rate_fen": 1800, "standard_minutes": 480, "overtime_multiplier": "1.5"}
PIECE = {"kind": "piece", "rates": {"BASKET": 250}}
# Five workers paid by the day (the offline test marks all five), one by the hour, one by the piece.
DAILY_WORKERS = {f"w-{n}": name for n, name in enumerate(("张桂英", "李秀兰", "王建国", "刘芳", "陈明"), start=1)}
WORKERS = {**DAILY_WORKERS, "w-hours": "赵丽", "w-pieces": "孙强"}
WAIT_S = 30
FETCH_HEALTH = "() => fetch('/healthz').then((response) => response.status, (error) => error.name)"
# Whether the service worker keeps a copy of a register page (for when there is no connection).
KEPT_PAGE = """async () => {
  for (const name of await caches.keys())
    if ((await (await caches.open(name)).keys()).some((request) => request.url.includes("/register/?"))) return true;
  return false;
}"""
LABELS = {"zh-CN": {"present": "出勤", "half_day": "半天", "send": "提交今日考勤", "recorded": "已记录"},
          "en": {"present": "Present", "half_day": "Half day", "send": "Send the day's marks", "recorded": "Recorded"}}


def seed(session) -> None:
    for code, parent, level, path in (("36", None, "province", "/36/"), ("3607", "36", "city", "/36/3607/"),
                                      ("360702", "3607", "county", "/36/3607/360702/")):
        session.add(Region(code=code, name=code, level=level, parent_code=parent, path=path))
        session.flush()
    session.add(Site(id=SITE, kind="workshop", name="竹编车间", region_code="360702"))
    session.add(Household(id="h-1", region_code="360702", size=4, status="poor"))
    session.flush()
    for worker_id, name in WORKERS.items():
        session.add(Worker(id=worker_id, household_id="h-1", name=name))
    session.flush()
    schemes = {**dict.fromkeys(DAILY_WORKERS, DAILY), "w-hours": HOURLY, "w-pieces": PIECE}
    for worker_id, scheme in schemes.items():
        session.add(Assignment(worker_id=worker_id, site_id=SITE, start_date=date.fromisoformat("2026-03-01"),
                               scheme=payroll.scheme_to_dict(payroll.scheme_from_dict(scheme))))
    hashed = PasswordHasher().hash(PASSWORD)
    for login in ("supervisor-phone", "supervisor-desk"):
        account = Account(login=login, name=login, password_hash=hashed, role="supervisor", region_code="360702",
                          failed_logins=0, session_version=1)
        session.add(account)
        session.flush()
        session.add(AccountSite(account_id=account.id, site_id=SITE))


@pytest.fixture(scope="module")
def served_app(tmp_path_factory):
    app = ServedApp(tmp_path_factory.mktemp("register"), env={"STABLEWORK_TODAY": TODAY})
    try:
        app.seed(seed)
        yield app.start()
    finally:
        app.stop()


def sign_in(page, served_app, login: str = "supervisor-phone") -> None:
    page.goto(f"{served_app.url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/register/**")


def worker_card(page, worker_id: str):
    return page.locator(f'fieldset[data-worker="{worker_id}"]')


def wait_until(condition: Callable[[], object], what: str):
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {WAIT_S}s: {what}")


def wage_of(served_app, worker_id: str, day: str) -> int | None:
    lines = served_app.api.get(served_app.api_url(f"/workers/{worker_id}/wages"),
                               params={"from": day, "to": day}).json()["items"]
    return lines[0]["amount_fen"] if lines else None


def received(served_app, worker_ids) -> int:
    return served_app.seed(lambda session: session.scalar(
        select(func.count()).select_from(ReceivedEvent).where(ReceivedEvent.worker_id.in_(list(worker_ids)))))


@EVERY_SCREEN_AND_LOCALE
def test_the_supervisor_records_the_day_and_the_wages_follow(page, served_app, screen, locale):
    day = {("phone", "zh-CN"): "2026-03-23", ("phone", "en"): "2026-03-24",
           ("desktop", "zh-CN"): "2026-03-25", ("desktop", "en"): "2026-03-26"}[(screen, locale)]
    words = LABELS[locale]
    sign_in(page, served_app)
    page.goto(f"{served_app.url}/register/?site={SITE}&date={day}")

    worker_card(page, "w-1").get_by_text(words["present"], exact=True).click()
    worker_card(page, "w-2").get_by_text(words["half_day"], exact=True).click()
    worker_card(page, "w-hours").get_by_text(words["present"], exact=True).click()
    worker_card(page, "w-hours").locator("input[name='check_in.w-hours']").fill("08:00")
    worker_card(page, "w-hours").locator("input[name='check_out.w-hours']").fill("17:00")
    worker_card(page, "w-pieces").locator("input[name='quantity.0.w-pieces']").fill("40")
    screenshot(page, f"register-{screen}-{locale}-marked")
    page.get_by_role("button", name=words["send"]).click()
    page.locator("#outbox.sent").wait_for(state="visible")

    expected = {"w-1": 12000, "w-2": 6000, "w-hours": 14400 + 2700, "w-pieces": 40 * 250}  # 60 minutes at x1.5
    for worker_id, fen in expected.items():
        assert wait_until(lambda: wage_of(served_app, worker_id, day), f"{worker_id}'s wage line") == fen
    page.goto(f"{served_app.url}/register/?site={SITE}&date={day}")
    assert worker_card(page, "w-1").get_by_text(words["recorded"]).is_visible()
    screenshot(page, f"register-{screen}-{locale}-recorded")
    if locale == "zh-CN":
        assert_cjk_renders(page, "main")
    page.goto(f"{served_app.url}/register/workers/w-hours?month=2026-03&site={SITE}")
    assert "¥171.00" in page.locator("table").inner_text()
    screenshot(page, f"register-worker-month-{screen}-{locale}")
    if locale == "zh-CN":
        assert_cjk_renders(page, "main")


def test_marks_made_offline_survive_a_reload_and_arrive_exactly_once(context, page, served_app):
    sign_in(page, served_app, "supervisor-desk")
    page.goto(f"{served_app.url}/register/?site={SITE}")
    wait_until(lambda: page.evaluate(KEPT_PAGE), "the service worker keeps the register page")
    before = received(served_app, DAILY_WORKERS)

    context.set_offline(True)
    [worker] = context.service_workers
    assert worker.evaluate(FETCH_HEALTH) == "TypeError"  # the worker is cut off too: what it serves, it kept
    for worker_id in DAILY_WORKERS:
        worker_card(page, worker_id).get_by_text("出勤", exact=True).click()
    page.get_by_role("button", name="提交今日考勤").click()
    page.locator("#outbox", has_text="待发送 5 条").wait_for()
    page.reload()
    page.locator("#outbox", has_text="待发送 5 条").wait_for()
    screenshot(page, "register-offline-five-waiting")
    assert received(served_app, DAILY_WORKERS) == before

    context.set_offline(False)
    page.locator("#outbox.sent").wait_for(state="visible")
    page.reload()  # online again: nothing left to send twice
    page.wait_for_load_state("networkidle")

    assert received(served_app, DAILY_WORKERS) == before + 5
    marks = wait_until(lambda: served_app.seed(lambda session: session.scalar(
        select(func.count()).select_from(AttendanceRecord).where(
            AttendanceRecord.site_id == SITE, AttendanceRecord.work_date == date.fromisoformat(TODAY)))) == 5 or None,
        "five attendance records")
    assert marks
    assert page.locator("#outbox").is_hidden() or "待发送" not in page.locator("#outbox").inner_text()


# The register page itself (never cached) and the paths of the files it loads.
PAGE_AND_FILES = """() => [performance.getEntriesByType("navigation")[0].decodedBodySize,
  Array.from(document.querySelectorAll("link[rel=stylesheet], script[src]"), (e) => e.href || e.src)]"""


def test_the_first_load_is_under_150_kb_and_sending_a_mark_under_20_kb(page, served_app):
    sign_in(page, served_app)
    page.goto(f"{served_app.url}/register/?site={SITE}&date=2026-03-27")
    page_bytes, files = page.evaluate(PAGE_AND_FILES)
    # Every byte of the first view as if nothing were cached yet: the page, its files and its service worker.
    first_load = page_bytes + sum(len(served_app_get(served_app, url)) for url in [*files, "/register/sw.js"])
    with page.expect_response("**/register/events") as sent:
        worker_card(page, "w-3").get_by_text("出勤", exact=True).click()
        page.get_by_role("button", name="提交今日考勤").click()
    reply = sent.value
    interaction = len(reply.request.post_data_buffer or b"") + len(reply.body())

    print(f"register: first load {first_load} bytes, one mark sent and acknowledged {interaction} bytes")
    assert first_load < 150_000 and interaction < 20_000
    assert reply.status == 202 and reply.json()["accepted"] == 1


def test_the_first_load_fetches_the_register_page_once_and_keeps_it_for_offline(desktop, context, page, served_app):
    sign_in(desktop.new_page(), served_app)
    context.add_cookies(desktop.cookies())  # signed in, with nothing kept yet: no service worker, no cache
    fetched: list[str] = []  # the register pages that crossed the network, the service worker's fetches too
    context.on("response", lambda response: fetched.append(response.url) if urlsplit(response.url).path
               == "/register/" and not response.from_service_worker else None)
    path = f"/register/?site={SITE}&date=2026-03-28"

    page.goto(served_app.url + path)
    wait_until(lambda: page.evaluate(KEPT_PAGE), "the service worker keeps the register page")
    page.wait_for_load_state("networkidle")
    first = list(fetched)
    page.reload()  # through the service worker now: fetched once more, and kept
    page.wait_for_load_state("networkidle")

    assert first == [served_app.url + path] and fetched == [served_app.url + path] * 2


def served_app_get(served_app, path: str) -> bytes:
    return served_app.api.get(path if path.startswith("http") else f"{served_app.url}{path}").content


def test_marks_kept_while_signed_out_are_sent_after_signing_in_again(context, page, served_app):
    sign_in(page, served_app, "supervisor-desk")
    page.goto(f"{served_app.url}/register/?site={SITE}&date=2026-03-30")
    before = received(served_app, ["w-4"])
    context.set_offline(True)
    worker_card(page, "w-4").get_by_text("请假", exact=True).click()
    page.get_by_role("button", name="提交今日考勤").click()
    page.locator("#outbox", has_text="待发送 1 条").wait_for()

    context.clear_cookies()  # the session ended while the phone was offline
    context.set_offline(False)
    page.locator("#outbox", has_text="请重新登录").wait_for()
    assert received(served_app, ["w-4"]) == before
    sign_in(page, served_app, "supervisor-desk")  # back on the register, which sends what it kept
    page.locator("#outbox.sent").wait_for(state="visible")

    assert received(served_app, ["w-4"]) == before + 1
