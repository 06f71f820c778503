"""The browser harness itself: Debian's Chromium starts, Chinese is drawn with a real font (and the check sees
when it is not), the network can be cut and restored, a service worker registers, screenshots land in var/."""
from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
from flask import Flask, session
from support.browser import EVERY_SCREEN_AND_LOCALE, SCREENSHOTS, assert_cjk_renders, launch_chromium, screenshot
from werkzeug.serving import make_server

from infra.chromium import CHROMIUM

WAGE_LINE = "本月工资 1,800 元，已发放"
SERVICE_WORKER = Path(__file__).parent / "static" / "sw.js"


def test_chromium_is_debians_own(chromium):
    debian_says = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, check=True).stdout
    assert chromium.version in debian_says, (chromium.version, debian_says)
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", chromium.version)


@EVERY_SCREEN_AND_LOCALE
def test_chinese_text_is_drawn_with_a_cjk_font(page, screen, locale):
    page.set_content(f'<html lang="{locale}"><body><p id="wage">{WAGE_LINE}</p></body></html>')
    assert_cjk_renders(page, "#wage")


def test_the_check_rejects_chinese_characters_no_installed_font_has(page):
    page.set_content("<p id='rare'>\U00030000\U00030001\U00030002</p>")  # CJK Extension G
    with pytest.raises(AssertionError, match="no font draws"):
        assert_cjk_renders(page, "#rare")


def test_the_check_rejects_chinese_text_when_no_cjk_font_is_installed(chromium, tmp_path):
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    without_cjk = launch_chromium(chromium.browser_type, env={"FONTCONFIG_FILE": str(tmp_path / "fonts.conf")})
    try:
        page = without_cjk.new_page()
        page.set_content(f"<p id='wage'>{WAGE_LINE}</p>")
        with pytest.raises(AssertionError, match="no font draws"):
            assert_cjk_renders(page, "#wage")
    finally:
        without_cjk.close()


def test_fetch_fails_offline_and_works_again_online(context, page, served_app):
    page.goto(f"{served_app.url}/healthz")
    fetch_health = "() => fetch('/healthz').then((response) => response.status, (error) => error.name)"
    assert page.evaluate(fetch_health) == 200
    context.set_offline(True)
    assert page.evaluate(fetch_health) == "TypeError"
    context.set_offline(False)
    assert page.evaluate(fetch_health) == 200


def test_a_service_worker_takes_control_of_the_served_app(context, page, served_app):
    # The app serves no worker of its own yet: the test's is served as if from the app, with the header that
    # lets a worker under /browser-harness/ control the whole site.
    context.route(f"{served_app.url}/browser-harness/sw.js", lambda route: route.fulfill(
        path=SERVICE_WORKER, content_type="text/javascript", headers={"Service-Worker-Allowed": "/"}))
    page.goto(f"{served_app.url}/healthz")
    page.evaluate("() => { navigator.serviceWorker.register('/browser-harness/sw.js', {scope: '/'}); }")
    controller = page.wait_for_function("() => navigator.serviceWorker.controller?.scriptURL").json_value()
    assert controller == f"{served_app.url}/browser-harness/sw.js"
    assert [worker.url for worker in context.service_workers] == [controller]


def test_a_screenshot_is_written_under_var_screenshots(page):
    page.set_content(f"<h1>{WAGE_LINE}</h1>")
    started = time.time()
    path = screenshot(page, "harness: a wage line")
    assert path == SCREENSHOTS / "harness_a_wage_line.png"
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert path.stat().st_mtime >= started - 1


@pytest.fixture
def cookie_site():
    """A site on loopback http whose session cookie is Secure, HttpOnly and SameSite=Lax, as the pages' is."""
    site = Flask(__name__)
    site.config.update(SECRET_KEY="browser harness", SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True,
                       SESSION_COOKIE_SAMESITE="Lax")
    site.add_url_rule("/sign-in", "sign_in", lambda: session.update(who="admin") or "signed in")
    site.add_url_rule("/who", "who", lambda: session.get("who", "nobody"))
    server = make_server("127.0.0.1", 0, site, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_secure_cookie_is_kept_over_plain_http_on_loopback(page, cookie_site, host):
    page.goto(f"http://{host}:{cookie_site}/sign-in")
    page.goto(f"http://{host}:{cookie_site}/who")
    assert page.inner_text("body") == "admin"
