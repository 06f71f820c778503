"""The bytes a page transfers, in Debian's Chromium driven by Playwright (as the browser tests start it): the
supervisor's register loaded with an empty cache, then one mark sent from it (a status tapped, then "send").

Every response the browser receives is counted, the service worker's own fetches too: its headers and its
body as transferred (as the server encoded it for Chromium: app/compression.py). Beside it, the same responses
with each text body, decoded, gzipped at level 6: what a plain gzip would send, for comparison.
"""
from __future__ import annotations

import gzip
import os

from playwright.sync_api import Response, sync_playwright

from infra.chromium import ensure_chromium

COMPRESSIBLE = ("text/", "javascript", "json", "xml", "svg")
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


class Transfers:
    """Responses the browser received since `mark()`: their count and bytes, as sent and as if gzipped."""

    def __init__(self):
        self.items: list[dict] = []
        self.pending = 0  # requests sent and not yet finished or failed

    def watch(self, context) -> None:
        context.on("request", self.sent)
        context.on("response", self.received)
        context.on("requestfinished", self.ended)
        context.on("requestfailed", self.ended)

    def sent(self, _request) -> None:
        self.pending += 1

    def ended(self, _request) -> None:
        self.pending -= 1

    def received(self, response: Response) -> None:
        try:
            body = response.body()
        except Exception:  # a redirect or an aborted request has no body to read
            body = b""
        sizes = response.request.sizes()
        headers = sizes["responseHeadersSize"]
        sent = sizes["responseBodySize"] if sizes["responseBodySize"] >= 0 else len(body)
        kind = response.headers.get("content-type", "")
        compressed = len(gzip.compress(body, 6)) if any(k in kind for k in COMPRESSIBLE) and body else sent
        self.items.append({"url": response.url, "status": response.status, "type": kind.split(";")[0],
                           "headers": headers, "body": sent, "gzip_body": min(sent, compressed),
                           "upload": sizes["requestHeadersSize"] + max(0, sizes["requestBodySize"])})

    def mark(self) -> None:
        self.items = []

    def total(self) -> dict:
        return {"responses": len(self.items),
                "bytes": sum(i["headers"] + i["body"] for i in self.items),
                "gzip_bytes": sum(i["headers"] + i["gzip_body"] for i in self.items),
                "upload_bytes": sum(i["upload"] for i in self.items),
                "items": [dict(i) for i in self.items]}


def register_bytes(base: str, login: str, password: str, path: str) -> dict:
    """The register's first load with an empty cache, then one mark sent from it."""
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(ensure_chromium()), headless=True, args=args)
        try:
            cookies = _sign_in(browser, base, login, password)
            context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                          service_workers="allow")
            context.add_cookies(cookies)  # signed in, with nothing in the cache
            transfers = Transfers()
            transfers.watch(context)
            page = context.new_page()
            page.goto(base + path, wait_until="networkidle")
            # the service worker's own fetches, once it is installed, belong to the load
            page.evaluate("() => navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => true) : false")
            _settle(page, transfers)
            first = transfers.total()
            transfers.mark()
            _send_one_mark(page, transfers)
            later = transfers.total()
            context.close()
        finally:
            browser.close()
    return {"first_load": first, "interaction": later}


def _sign_in(browser, base: str, login: str, password: str) -> list:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.press('input[name="password"]', "Enter")
    if "/login" in page.url:
        raise RuntimeError(f"signing in as {login} in Chromium left the browser at {page.url}")
    cookies = context.cookies()
    context.close()
    return cookies


def _send_one_mark(page, transfers: Transfers) -> None:
    """Tap a status on the first worker's row and send the day's marks; wait for the server's answer."""
    page.locator('#register [name^="status."][value="absent"]').first.check(force=True)
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.locator("#register button.send").click()
    _settle(page, transfers)


def _settle(page, transfers: Transfers, quiet_ms: int = 1500, timeout_ms: int = 120_000) -> None:
    """Until no request is in flight and nothing more arrives for `quiet_ms`: a service worker caches its files
    after the page's own load."""
    page.wait_for_load_state("networkidle")
    waited, seen = 0, -1
    while (transfers.pending or seen != len(transfers.items)) and waited < timeout_ms:
        seen = len(transfers.items)
        page.wait_for_timeout(quiet_ms)
        waited += quiet_ms
