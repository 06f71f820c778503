"""Answers travel compressed when the client accepts it, the pages and their static files alike (a phone on a weak
signal), and never to a request that another site made: a page carries a CSRF token and echoes its own address,
so a compressed answer to a forged request would leak them by its length (BREACH)."""
from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from support.pages import PageClient, account_id, make_account

DECODE = {"gzip": gzip.decompress, "deflate": zlib.decompress, "br": brotli.decompress}
BROWSER = "gzip, deflate, br"  # what Chromium accepts over plain HTTP and more


def register_page(app, runtime, world, **headers):
    pages = PageClient(app, "en")
    pages.enter_as(account_id(runtime, make_account(runtime, "supervisor", "360702", (world.sewing,))))
    return pages.client.get(f"/register/?site={world.sewing}", headers=headers)


def static_file(app, path: str, **headers) -> tuple[dict, bytes]:
    response = app.test_client().get(path, headers=headers)
    try:
        return dict(response.headers), response.get_data()
    finally:
        response.close()


def test_the_register_comes_gzipped_when_the_browser_accepts_it(app, runtime, world):
    plain = register_page(app, runtime, world)
    packed = register_page(app, runtime, world, **{"Accept-Encoding": "gzip", "Sec-Fetch-Site": "same-origin"})

    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers and "Li Xiuying" in plain.get_data(as_text=True)
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    page = gzip.decompress(packed.get_data()).decode()
    assert "Li Xiuying" in page and 'name="csrf_token"' in page
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(plain.get_data()) / 2


@pytest.mark.parametrize("path", ["/assets/vendor/htmx.min.js", "/assets/register/register.js", "/register/sw.js"])
def test_a_static_file_comes_compressed_when_asked_and_as_is_otherwise(app, path):
    headers, plain = static_file(app, path)
    packed_headers, packed = static_file(app, path, **{"Accept-Encoding": BROWSER})

    assert "Content-Encoding" not in headers and plain
    encoding = packed_headers["Content-Encoding"]
    assert encoding in DECODE and DECODE[encoding](packed) == plain and len(packed) < len(plain)


def test_a_static_file_not_changed_is_not_sent_again_compressed(app):
    headers, _body = static_file(app, "/assets/vendor/htmx.min.js", **{"Accept-Encoding": BROWSER})
    again = app.test_client().get("/assets/vendor/htmx.min.js",
                                  headers={"Accept-Encoding": BROWSER, "If-None-Match": headers["ETag"]})
    again.close()

    assert again.status_code == 304


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_an_answer_to_a_request_another_site_made_is_never_compressed(app, runtime, world, site):
    forged = register_page(app, runtime, world, **{"Accept-Encoding": BROWSER, "Sec-Fetch-Site": site})

    assert forged.status_code == 200 and "Content-Encoding" not in forged.headers
    assert "Li Xiuying" in forged.get_data(as_text=True)
