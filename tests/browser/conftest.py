"""Fixtures for tests in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright.

* ``chromium``         (session) the headless ``Browser``, one per run; Debian's ``chromium`` and ``fonts-noto-cjk``
                       are installed first when missing (as root; otherwise the tests fail saying how).
* ``screen``/``locale`` what ``context`` is made of: "phone" (360x740, touch) or "desktop" (1280x800), and "zh-CN"
                       (the default) or "en". Parametrize either, or mark a test ``@EVERY_SCREEN_AND_LOCALE``
                       (``support.browser``) to run it in all four.
* ``context``/``page`` a fresh context of ``screen`` and ``locale`` (service workers allowed) and a page in it.
* ``phone``/``desktop`` a fresh context of that screen in ``locale``, for a test that needs both.
* ``seed_served_app``  (module) override in a test module: a function(session) that writes the module's data
                       before the app starts (``served_app.seed`` and ``served_app.api`` work while it runs).
* ``served_app``       (module) ``support.live_app.ServedApp``: bin/serve on http://127.0.0.1:<port> and a
                       throwaway SQLite database.

When a test fails, every page still open is saved to var/screenshots/failed-<test>-<n>.png (listed in the report).
"""
from __future__ import annotations

import os

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from support.browser import launch_chromium, new_context, screenshot
from support.live_app import ServedApp

BROWSER = pytest.StashKey[object]()


@pytest.fixture(scope="session")
def chromium(request):
    playwright = sync_playwright().start()
    try:
        browser, error = launch_chromium(playwright.chromium), None
    except Exception as exc:  # noqa: BLE001 - every cause is reported
        browser, error = None, exc
    if error is not None:
        playwright.stop()
        # As the Kafka and PostgreSQL fixtures do: a browser that cannot start is a failure, never a skip.
        where = "on CI" if os.environ.get("CI") == "true" else "locally"
        pytest.fail(f"Chromium could not be started ({where}): {type(error).__name__}: {error}", pytrace=False)
    request.config.stash[BROWSER] = browser
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def screen() -> str:
    return "phone"


@pytest.fixture
def locale() -> str:
    return "zh-CN"


@pytest.fixture
def context(chromium, screen, locale):
    context = new_context(chromium, screen, locale)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def phone(chromium, locale):
    context = new_context(chromium, "phone", locale)
    yield context
    context.close()


@pytest.fixture
def desktop(chromium, locale):
    context = new_context(chromium, "desktop", locale)
    yield context
    context.close()


@pytest.fixture(scope="module")
def seed_served_app():
    return None


@pytest.fixture(scope="module")
def served_app(tmp_path_factory, seed_served_app):
    app = ServedApp(tmp_path_factory.mktemp("served_app"))
    try:
        if seed_served_app is not None:
            app.seed(seed_served_app)
        yield app.start()
    finally:
        app.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    browser = item.config.stash.get(BROWSER, None)
    if report.when == "call" and report.failed and browser is not None:
        saved = []
        pages = [page for context in browser.contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            try:
                saved.append(str(screenshot(page, f"failed-{item.nodeid}-{number}")))
            except PlaywrightError as error:  # a crashed or closed page: the failure itself says more
                saved.append(f"(page {number}: no screenshot: {error.message.splitlines()[0]})")
        report.sections.append(("screenshots", "\n".join(saved) or "(no page open)"))
    return report
