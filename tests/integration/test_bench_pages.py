"""The pages benchmark at a tiny size against the real PostgreSQL and Kafka: it serves a county with a
300-worker site and its history under gunicorn, posts events through the pipeline meanwhile, and gives each
page's server time beside the same server's baselines, and the register's bytes in Debian's Chromium. The
targets are the bench's to judge; these check that the figures are there and that they are real."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench.pages import BASELINES, PAGES, run_pages
from bench.pages_county import BIG_SITE, PagesCounty
from bench.summary import page_rows

ROUNDS = 4


@pytest.fixture(scope="module")
def tiny_run(postgres_server, kafka_broker) -> dict:
    return run_pages(SimpleNamespace(postgres=postgres_server, kafka=kafka_broker), PagesCounty(1000),
                     requests_per_page=ROUNDS, ingest_rate=200, warmup=1)


def test_the_county_has_its_300_worker_site_history_and_alerts(tiny_run):
    assert tiny_run["ids"]["site"] == BIG_SITE
    assert tiny_run["made"]["alerts"] > 0 and tiny_run["made"]["wage_lines"] > 0
    assert tiny_run["made"]["history"]["rows"]["approved_pay"] > 0


def test_every_page_and_baseline_has_a_server_time_of_each_request(tiny_run):
    measured = {x["name"]: x for x in tiny_run["pages"]}

    assert set(measured) == {name for _role, name, _path in PAGES} | {name for name, _path in BASELINES}
    for name, _path in BASELINES:
        assert measured[name]["statuses"] == {200: ROUNDS}, measured[name]
    assert measured["sign-in page"]["statuses"] == {200: ROUNDS}
    # the role's main page (302), or the landing page itself while the role has none
    assert measured["landing page (to the main page)"]["statuses"] in ({302: ROUNDS}, {200: ROUNDS})
    for x in tiny_run["pages"]:
        assert x["server_count"] == x["requests"] == ROUNDS, x  # every request found in the server's log
        assert 0 < x["server_p50_ms"] <= x["server_p95_ms"] <= x["server_max_ms"] and x["client_p95_ms"] > 0
    assert len(page_rows({"pages": tiny_run})) == 1 + len(PAGES) + len(BASELINES) + 2


def test_events_were_accepted_and_applied_while_the_pages_were_measured(tiny_run):
    assert tiny_run["ingest"]["accepted_rate"] > 0 and tiny_run["ingest"]["applied_rate"] > 0
    assert tiny_run["ingest"]["dead_letters"] == 0


def test_the_register_bytes_count_its_first_load_and_one_mark(tiny_run):
    first, later = tiny_run["bytes"]["first_load"], tiny_run["bytes"]["interaction"]

    assert first["bytes"] >= first["gzip_bytes"] > 0 and first["responses"] >= 3
    assert any(item["url"].endswith("htmx.min.js") for item in first["items"])
    assert any(item["url"].endswith("/register/events") and item["status"] == 202 for item in later["items"])
    assert 0 < later["bytes"] < first["bytes"]
