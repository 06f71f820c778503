"""Health, readiness and the API documents (OpenAPI and the interactive docs, served locally)."""
from __future__ import annotations

import re
import sqlite3
from html.parser import HTMLParser


def test_the_process_is_alive_and_ready(app):
    client = app.test_client()

    health, ready = client.get("/healthz"), client.get("/readyz")

    assert (health.status_code, health.get_json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "bus": "embedded"}


DOC_ENDPOINTS = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "docs_assets.swagger_asset"}


def test_the_openapi_document_describes_every_api_path_and_the_bearer_scheme(app):
    response = app.test_client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert {"bearerAuth": []} in spec["security"]
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint not in DOC_ENDPOINTS
    }
    assert served and served <= set(spec["paths"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert operation["responses"], f"{method} {path} documents no response"
    for path in ("/healthz", "/readyz"):
        assert path in spec["paths"]


class _AssetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_the_interactive_docs_load_every_asset_locally(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.content_type.startswith("text/html")
    links = _AssetLinks()
    links.feed(page.get_data(as_text=True))
    page.close()

    assert len(links.urls) >= 2
    for url in links.urls:
        assert not re.match(r"^(https?:)?//", url), f"{url} is not served by us"
        asset = client.get(url)
        try:
            assert asset.status_code == 200, url
            assert asset.get_data()
        finally:
            asset.close()
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    spec.close()


def test_an_unreachable_database_answers_503_with_retry_after(api, world, runtime, monkeypatch):
    def refuse():
        raise sqlite3.OperationalError("unable to open database file")

    runtime.engine.dispose()
    monkeypatch.setattr(runtime.engine.pool, "_creator", refuse)  # every new connection now fails
    response = api.get("/workers/w-li")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.headers["Content-Type"] == "application/problem+json"
