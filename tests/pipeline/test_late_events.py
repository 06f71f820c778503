"""The scenario with March approved before all its facts are in: every late fact becomes an
adjustment in April, approved totals never move, and wages plus adjustments give the reference."""
from __future__ import annotations

import random
from collections import defaultdict

from support.pipeline import post_in_batches
from support.scenario import SITES, build_scenario, expected_earnings, register


def split_late(scenario, share=0.2, seed=5):
    """Hold back every event of a random fifth of March's (worker, date) keys: they arrive late."""
    rng = random.Random(seed)
    dated = {e["id"]: e["data"]["date"] for e in scenario.events if "date" in e["data"]}

    def key(e):
        return e["data"]["worker_id"], dated.get(e["data"].get("output_id"), e["data"].get("date"))
    march_keys = sorted({key(e) for e in scenario.events if key(e)[1].startswith("2026-03")})
    late_keys = set(rng.sample(march_keys, int(len(march_keys) * share)))
    on_time = [e for e in scenario.events if key(e)[1].startswith("2026-03") and key(e) not in late_keys]
    late = [e for e in scenario.events if e not in on_time]
    return on_time, late


def test_late_march_facts_become_april_adjustments_and_totals_stay_approved(api, checker, consume, runtime):
    scenario = build_scenario(seed=7)
    register(api, scenario)
    on_time, late = split_late(scenario)
    post_in_batches(api, on_time)
    consume()
    approved = {}
    for site in SITES:
        assert api.post(f"/sites/{site['id']}/periods/2026-03/close", {}).status_code == 200
        body = checker.post(f"/sites/{site['id']}/periods/2026-03/approve", {}).get_json()
        approved[site["id"]] = body["totals"]["approved_fen"]
    unique_on_time = list({e["id"]: e for e in on_time}.values())  # redeliveries count once
    march_as_approved = expected_earnings(scenario.assignments, unique_on_time)

    post_in_batches(api, late)
    consume()

    site_of = {a["worker_id"]: a["site_id"] for a in scenario.assignments}
    adjustments = defaultdict(int)
    for site in SITES:
        march = api.get(f"/sites/{site['id']}/periods/2026-03").get_json()
        assert march["totals"]["approved_fen"] == approved[site["id"]]  # never moves
        assert march["totals"]["wages_fen"] == approved[site["id"]]
        for adjustment in api.get(f"/sites/{site['id']}/periods/2026-04").get_json()["adjustments"]:
            assert adjustment["adjusts_month"] == "2026-03"
            adjustments[adjustment["worker_id"]] += adjustment["amount_fen"]
    # each adjustment is exactly March as the facts now stand minus March as approved
    for worker in scenario.workers:
        w = worker["id"]
        want = scenario.expected.get((w, "2026-03"), 0) - march_as_approved.get((w, "2026-03"), 0)
        assert adjustments[w] == want, (w, site_of[w])
    assert any(adjustments.values())
    # wage lines plus adjustments give every worker exactly the reference earnings
    for worker in scenario.workers:
        w = worker["id"]
        earned = api.get(f"/workers/{w}/balance").get_json()["earned_fen"]
        assert earned == sum(fen for (who, _), fen in scenario.expected.items() if who == w), w


def test_a_rebuild_keeps_what_was_approved_and_restores_the_same_adjustments(app, api, checker, consume, runtime):
    scenario = build_scenario(seed=7)
    register(api, scenario)
    on_time, late = split_late(scenario)
    post_in_batches(api, on_time)
    consume()
    for site in SITES:
        assert api.post(f"/sites/{site['id']}/periods/2026-03/close", {}).status_code == 200
        assert checker.post(f"/sites/{site['id']}/periods/2026-03/approve", {}).status_code == 200
    post_in_batches(api, late)
    consume()

    def state():
        return [(api.get(f"/sites/{s['id']}/periods/{m}").get_json()) for s in SITES for m in ("2026-03", "2026-04")]

    before = state()
    assert app.test_cli_runner().invoke(args=["rebuild"]).exit_code == 0
    consume()
    assert state() == before
