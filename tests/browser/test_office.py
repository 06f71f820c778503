"""The poverty office's main job in a real browser, on a phone and a desk, in Chinese and English: open the
alert inbox, open a household from an alert, read its chart of per-capita income against the monitoring
line, and acknowledge the alert with a note. The chart and its numbers read with JavaScript off too."""
from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect
from support.browser import EVERY_SCREEN_AND_LOCALE, SCREENS, assert_cjk_renders, screenshot

import payroll
from app.access.accounts import account_by_login, create_account
from app.alerts.status import acknowledge_alert
from app.db.models import (
    Alert,
    Assignment,
    Household,
    Region,
    Site,
    Vacancy,
    VacancyInterest,
    Worker,
    WorkerMonthIncome,
)

LOGIN, PASSWORD = "yudu-office", "a long enough password"
COUNTY, VILLAGE, OTHER_VILLAGE = "360731", "360731101201", "360731101202"
VILLAGE_PATH = f"/36/3607/{COUNTY}/360731101/{VILLAGE}/"
# Liu's household of four earned 2,400 yuan a month, then 800 in the last three months: 200 a person, under
# the line of 500 a person a month (6,000 yuan a year).
HIGH_FEN, LOW_FEN = 240_000, 80_000
_months = itertools.count(1)


def _registry(session) -> None:
    regions = [("36", "江西省", "province", None), ("3607", "赣州市", "city", "36"),
               (COUNTY, "于都县", "county", "3607"), ("360731101", "潭头镇", "township", COUNTY),
               (VILLAGE, "潭头村", "village", "360731101"), (OTHER_VILLAGE, "禾丰村", "village", "360731101")]
    paths = {None: "/"}
    for code, name, level, parent in regions:
        paths[code] = f"{paths[parent]}{code}/"
        session.add(Region(code=code, name=name, level=level, parent_code=parent, path=paths[code]))
    session.flush()
    session.add_all([Household(id="yd-liu", region_code=VILLAGE, size=4, status="poor"),
                     Household(id="yd-zeng", region_code=OTHER_VILLAGE, size=3, status="monitored"),
                     Site(id="tt-shoes", kind="workshop", name="潭头制鞋车间", region_code=VILLAGE),
                     Site(id="hf-clean", kind="post", name="禾丰保洁岗", region_code=OTHER_VILLAGE)])
    session.flush()
    session.add_all([Worker(id="w-liu", household_id="yd-liu", name="刘秀英"),
                     Worker(id="w-zeng", household_id="yd-zeng", name="曾建国")])
    session.flush()
    session.add_all([
        Assignment(worker_id="w-liu", site_id="tt-shoes", start_date=date(2025, 1, 1),
                   scheme={"kind": "daily", "day_rate_fen": 12000}),
        Assignment(worker_id="w-zeng", site_id="hf-clean", start_date=date(2025, 1, 1),
                   scheme={"kind": "monthly", "stipend_fen": 80000, "required_days": 22})])


def _income(session) -> None:
    this_month = date.today().strftime("%Y-%m")
    months = [*payroll.previous_months(this_month, 11), this_month]
    session.add_all(WorkerMonthIncome(worker_id="w-liu", month=month, income_fen=HIGH_FEN if n < 9 else LOW_FEN)
                    for n, month in enumerate(months))


@pytest.fixture(scope="module")
def seed_served_app():
    def seed(session) -> None:
        _registry(session)
        _income(session)
        create_account(session, login=LOGIN, name="于都县乡村振兴局", password=PASSWORD, role="poverty_office",
                       region_code=COUNTY)
    return seed


def raise_alert(served_app) -> str:
    """A fresh open alert on Liu's household, for one run of the job."""
    def write(session) -> str:
        alert = Alert(kind="below_line", subject_type="household", subject_id="yd-liu", household_id="yd-liu",
                      month=f"2025-{next(_months):02d}", region_code=VILLAGE, region_path=VILLAGE_PATH,
                      status="open", detail={"income_fen": 9 * HIGH_FEN + 3 * LOW_FEN, "size": 4,
                                             "line_per_person_fen": 600_000, "line_fen": 2_400_000})
        session.add(alert)
        session.flush()
        return alert.id
    return served_app.seed(write)


def sign_in(page: Page, served_app) -> None:
    page.goto(f"{served_app.url}/login")
    page.fill("input[name=login]", LOGIN)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=password]) button").click()
    page.wait_for_url(re.compile(r"/office/alerts"))


WORDS = {"zh-CN": {"kind": "人均纯收入低于监测线", "acknowledged": "已确认", "line": "监测线"},
         "en": {"kind": "Below the monitoring line", "acknowledged": "Acknowledged", "line": "Monitoring line"}}


@EVERY_SCREEN_AND_LOCALE
def test_the_office_opens_a_household_from_an_alert_reads_its_chart_and_acknowledges_it(page, served_app, screen,
                                                                                         locale):
    alert = raise_alert(served_app)
    words, name = WORDS[locale], f"office-{screen}-{locale}"
    sign_in(page, served_app)

    row = page.locator(f"#alert-{alert}")
    expect(row).to_contain_text(words["kind"])
    screenshot(page, f"{name}-1-inbox")
    if locale == "zh-CN":
        assert_cjk_renders(page, "main")
    row.locator("a[href='/office/households/yd-liu']").click()

    page.wait_for_url(re.compile(r"/office/households/yd-liu$"))
    chart = page.locator("#income svg.income-chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] <= SCREENS[screen]["viewport"]["width"]
    expect(page.locator("#income svg .point.below")).to_have_count(3)
    expect(page.locator("#income table tbody tr")).to_have_count(12)
    expect(page.locator("#income table tbody tr.below")).to_have_count(3)
    expect(page.locator("#income")).to_contain_text(words["line"])
    screenshot(page, f"{name}-2-household")

    card = page.locator(f"#alert-{alert}")
    note = "已电话联系刘秀英，车间停产" if locale == "zh-CN" else "Called Liu: the workshop stopped"
    card.locator("summary").click()
    card.locator("textarea[name=note]").fill(note)
    card.locator("button.move").click()

    moved = page.locator(f"#alert-{alert}.acknowledged")  # swapped in place by htmx: the page stays
    expect(moved).to_contain_text(words["acknowledged"])
    expect(moved.locator("summary")).to_be_visible()  # the next move: resolve
    assert page.url.endswith("/office/households/yd-liu")
    screenshot(page, f"{name}-3-acknowledged")
    if locale == "zh-CN":
        assert_cjk_renders(page, f"#alert-{alert}")


def test_without_javascript_the_chart_and_its_numbers_read_and_the_forms_still_work(chromium, served_app):
    alert = raise_alert(served_app)
    context = chromium.new_context(**SCREENS["phone"], locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, served_app)
        page.goto(f"{served_app.url}/office/households/yd-liu")

        chart = page.locator("#income svg.income-chart")
        expect(chart).to_be_visible()
        assert chart.locator("title").first.text_content() == "每月人均纯收入"
        rows = page.locator("#income table tbody tr")
        expect(rows).to_have_count(12)
        expect(rows.last).to_contain_text("¥200.00")
        expect(rows.first).to_contain_text("¥600.00")
        screenshot(page, "office-no-javascript-household")

        card = page.locator(f"#alert-{alert}")
        card.locator("summary").click()
        card.locator("textarea[name=note]").fill("已上门走访")
        card.locator("button.move").click()  # a plain form post, then back to this page
        page.wait_for_url(re.compile(r"/office/households/yd-liu$"))
        expect(page.locator(f"#alert-{alert}.acknowledged")).to_contain_text("已上门走访")
    finally:
        context.close()


def test_an_alert_a_colleague_acknowledged_first_shows_who_did_in_its_place(desktop, served_app):
    alert = raise_alert(served_app)
    page = desktop.new_page()
    sign_in(page, served_app)
    page.goto(f"{served_app.url}/office/households/yd-liu")
    card = page.locator(f"#alert-{alert}")
    card.locator("summary").click()
    card.locator("textarea[name=note]").fill("我也去看看")

    def colleague(session) -> None:  # meanwhile, in another browser of the office
        acknowledge_alert(session.get(Alert, alert), account_by_login(session, LOGIN).id, "已安排走访")
    served_app.seed(colleague)
    card.locator("button.move").click()

    refused = page.locator(f"#alert-{alert}.acknowledged .error")  # the 409's answer, swapped in by alerts.js
    expect(refused).to_contain_text("于都县乡村振兴局 已于")
    expect(refused).to_contain_text("确认此预警，现在只能处置")
    expect(page.locator(f"#alert-{alert}")).to_contain_text("已安排走访")
    assert page.url.endswith("/office/households/yd-liu")
    screenshot(page, "office-desktop-zh-CN-conflict")


_vacancies = itertools.count(1)
INTEREST_WORDS = {"zh-CN": {"pay": "每天150元", "send": "提交", "thanks": "村里的帮扶干部会打电话和您联系"},
                  "en": {"pay": "每天150元", "send": "Send", "thanks": "The cadre of your village will call you"}}


def post_vacancy(served_app) -> str:
    """An open vacancy at Tantou's shoe workshop, kept by Yudu's office, for one run of the job."""
    vacancy_id = f"v-shoes-{next(_vacancies)}"

    def write(session) -> None:
        session.add(Vacancy(id=vacancy_id, site_id="tt-shoes", region_code=VILLAGE, office_region_code=COUNTY,
                            title="制鞋车间缝帮工", count=3, physical_demand="light", housing=True,
                            scheme={"kind": "daily", "day_rate_fen": 15000}, start_date=date(2026, 11, 9),
                            posted_event_id=f"posted-{vacancy_id}", posted_at=datetime.now(UTC),
                            posted_by="于都县乡村振兴局 李明"))
    served_app.seed(write)
    return vacancy_id


# Each screen and each language once: the page is one form, and the suite's time is counted.
@pytest.mark.parametrize(("screen", "locale"), [("phone", "zh-CN"), ("desktop", "en")])
def test_a_labourer_opens_a_shared_vacancy_and_leaves_a_name_and_phone_for_the_village(page, served_app, screen,
                                                                                      locale):
    vacancy, words = post_vacancy(served_app), INTEREST_WORDS[locale]
    phone = f"1380013{next(_vacancies):04d}"

    page.goto(f"{served_app.url}/v/{vacancy}")  # from a group message: nobody signs in

    expect(page.locator("h1")).to_have_text("制鞋车间缝帮工")
    expect(page.locator(".vacancy-facts")).to_contain_text(words["pay"])
    expect(page.locator("main")).not_to_contain_text("李明")
    assert page.locator("main").bounding_box()["width"] <= SCREENS[screen]["viewport"]["width"]
    if locale == "zh-CN":
        assert_cjk_renders(page, "main")
    screenshot(page, f"vacancy-{screen}-{locale}-1-page")
    page.fill("input[name=name]", "刘秀英")
    page.fill("input[name=phone]", phone)
    page.select_option("select[name=village]", VILLAGE)
    page.locator("form.interest button").click()

    expect(page.locator("p.notice")).to_contain_text(words["thanks"])
    expect(page.locator("form.interest")).to_have_count(0)
    screenshot(page, f"vacancy-{screen}-{locale}-2-thanked")
    kept = served_app.seed(lambda session: [(i.name, i.region_code) for i in session.query(VacancyInterest)
                                            .filter_by(vacancy_id=vacancy)])
    assert kept == [("刘秀英", VILLAGE)]
