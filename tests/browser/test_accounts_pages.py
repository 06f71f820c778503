"""In a real browser, on a phone and a desktop, in Chinese and English: an admin makes a workshop supervisor's
account on the accounts pages, that person signs in with it, and the admin finds it by its login."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from support.browser import EVERY_SCREEN_AND_LOCALE, assert_cjk_renders, new_context, screenshot

from app.access.accounts import create_account
from app.db.models import Region, Site

ADMIN, ADMIN_PASSWORD = "yudu-admin", "the admin's password"
REGIONS = [("36", "Jiangxi", "province", None), ("3607", "Ganzhou", "city", "36"),
           ("360731", "Yudu", "county", "3607"), ("360731101", "Gongjiang", "township", "360731"),
           ("360731101201", "Pantian", "village", "360731101")]
WORDS = {"zh-CN": {"accounts": "账号管理", "new": "新建账号", "made": "已创建", "role": "车间负责人", "find": "查找"},
         "en": {"accounts": "Accounts", "new": "New account", "made": "is made", "role": "Workshop supervisor",
                "find": "Find"}}


@pytest.fixture(scope="module")
def seed_served_app():
    def seed(session):
        path = "/"
        for code, name, level, parent in REGIONS:
            path += f"{code}/"
            session.add(Region(code=code, name=name, level=level, parent_code=parent, path=path))
            session.flush()
        session.add(Site(id="ws-shoes", kind="workshop", name="Pantian shoe workshop", region_code="360731101201"))
        session.flush()
        create_account(session, login=ADMIN, name="Yudu administrator", password=ADMIN_PASSWORD, role="admin",
                       region_code="360731")
    return seed


def sign_in(page: Page, url: str, login: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("main button.primary")


@EVERY_SCREEN_AND_LOCALE
def test_an_admin_makes_a_supervisors_account_and_the_supervisor_signs_in(chromium, page, screen, locale,
                                                                           served_app):
    words, login, shot = WORDS[locale], f"wang-{screen}-{locale}".lower(), f"accounts-{screen}-{locale}"
    sign_in(page, served_app.url, ADMIN, ADMIN_PASSWORD)
    page.wait_for_url(f"{served_app.url}/accounts")  # the admin's main page
    expect(page.locator("h1")).to_have_text(words["accounts"])
    if locale == "zh-CN":
        assert_cjk_renders(page, "h1")
    screenshot(page, f"{shot}-1-list")

    page.get_by_role("link", name=words["new"]).click()
    page.fill("input[name=login]", login)
    page.fill("input[name=name]", "Wang Fang")
    page.select_option("select[name=role]", "supervisor")
    page.fill("input[name=region]", "360731")
    page.fill("input[name=sites]", "ws-shoes")
    page.fill("input[name=password]", "a first password")
    screenshot(page, f"{shot}-2-new")
    page.click("main button.primary")

    expect(page.locator(".notice")).to_contain_text(words["made"])
    expect(page.locator(".facts")).to_contain_text(words["role"])
    expect(page.locator(".facts")).to_contain_text("ws-shoes")
    screenshot(page, f"{shot}-3-made")
    person = new_context(chromium, screen, locale)
    try:
        their_page = person.new_page()
        sign_in(their_page, served_app.url, login, "a first password")
        expect(their_page.locator("form[action='/logout'] button")).to_be_visible()
        assert "/login" not in their_page.url
        screenshot(their_page, f"{shot}-4-supervisor-signed-in")
    finally:
        person.close()

    page.goto(f"{served_app.url}/accounts")
    page.fill("input[name=q]", login.upper())
    page.get_by_role("button", name=words["find"]).click()
    expect(page.locator("table.accounts tbody tr")).to_have_count(1)
    expect(page.locator("table.accounts tbody")).to_contain_text(login)
    screenshot(page, f"{shot}-5-found")
