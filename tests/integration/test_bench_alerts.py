"""The alert benchmark's country on PostgreSQL raises every kind of finding it plants, once, through the scheduled
evaluation in a child process; and the bench's launcher without the income upkeep keeps no income while the
consumer it wraps keeps it to the fen."""
from __future__ import annotations

import sqlite3
from types import SimpleNamespace

from bench.alerts import KINDS, check_findings, run_alerts
from bench.country import Country
from bench.embedded import run_embedded
from bench.services import VAR


def test_the_alert_bench_raises_every_planted_kind_once(postgres_server):
    result = run_alerts(SimpleNamespace(postgres=postgres_server), Country(2000), repeat=1)

    run = result["runs"][0]
    assert check_findings(run["found"], result["expected"]) == []
    assert all(run["found"][kind] > 0 for kind in KINDS), run["found"]
    assert run["first"]["raised"] == sum(run["found"][kind] for kind in KINDS)
    assert run["second"]["raised"] == 0 and run["found_after_second"] == run["found"]
    assert 0 < run["first"]["peak_rss_mib"] < 1024


def income_and_wages(tag: str) -> tuple[int, int]:
    conn = sqlite3.connect(VAR / f"embedded-{tag}.db")
    try:
        income, = conn.execute("SELECT coalesce(sum(income_fen), 0) FROM worker_month_income").fetchone()
        wages, = conn.execute("SELECT coalesce(sum(amount_fen), 0) FROM wage_lines").fetchone()
    finally:
        conn.close()
    return income, wages


def test_the_launcher_without_upkeep_keeps_no_income_and_the_consumer_keeps_it_all():
    country = Country(400)

    kept = run_embedded(country, 2, tag="test-with-income")
    skipped = run_embedded(country, 2, tag="test-without-income", module="bench.without_income")

    assert kept["complete"] and skipped["complete"]
    assert kept["wage_fen"] == skipped["wage_fen"] > 0
    assert income_and_wages("test-with-income") == (kept["wage_fen"], kept["wage_fen"])
    assert income_and_wages("test-without-income") == (0, skipped["wage_fen"])
