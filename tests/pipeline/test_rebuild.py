"""Derived tables rebuilt from the event log give the same balances; dead letters replay by CLI."""
from __future__ import annotations

import json

from support.ledger import differences, ledger, messy_ledger
from support.pipeline import earned, nonzero, post_in_batches
from support.scenario import build_scenario, register

from events.bus import OutgoingMessage


def test_rebuild_from_the_event_log_gives_identical_balances(app, api, consume, runtime):
    scenario = build_scenario(seed=11)
    register(api, scenario)
    post_in_batches(api, scenario.events)
    consume()
    before = earned(api, scenario)
    result = app.test_cli_runner().invoke(args=["rebuild"])
    assert result.exit_code == 0, result.output
    assert earned(api, scenario) == {}  # emptied, and nothing derived until the consumer runs
    consume()
    assert earned(api, scenario) == before == nonzero(scenario.expected)


def test_a_rebuild_after_a_messy_history_gives_the_live_ledger_again_row_for_row(app, api, checker, consume,
                                                                                 runtime):
    messy_ledger(api, checker, runtime, consume)
    live = ledger(runtime)
    assert live["adjustments"] and live["dead_letters"] and live["pending_voids"]  # the mess is there
    assert len(live["assignments"]) == 37  # the scheme changed from a day split one
    result = app.test_cli_runner().invoke(args=["rebuild"])
    assert result.exit_code == 0, result.output
    consume()
    assert differences(live, ledger(runtime)) == {}


def test_a_fact_of_a_day_an_assignment_change_took_away_is_kept_unpaid_live_and_parked_by_a_rebuild(
        app, api, checker, consume, runtime):
    # Live, the facts of ws-shoes-w0's days after 10 April came before the change that ended its assignment then:
    # their records stay, paid nothing. A rebuild judges them by the assignment as it now stands and parks them.
    messy_ledger(api, checker, runtime, consume, ended=("as-ws-shoes-w0", "2026-04-10"))
    live = ledger(runtime)
    assert app.test_cli_runner().invoke(args=["rebuild"]).exit_code == 0
    consume()
    rebuilt = ledger(runtime)
    cut = {row for row in live["attendance_records"] - rebuilt["attendance_records"]}
    assert cut and all(row[:2] == ("ws-shoes-w0", "ws-shoes") and str(row[2]) > "2026-04-10" for row in cut)
    parked = {row[2]: row[4] for row in rebuilt["dead_letters"] - live["dead_letters"]}  # event id: reason
    assert {row[3] for row in cut} <= set(parked)  # and the facts they had corrected
    assert all(reason.startswith("worker ws-shoes-w0 has no assignment at site ws-shoes on 2026-04-")
               and reason[-10:] > "2026-04-10" for reason in parked.values())
    assert {row[0] for row in live["processed_events"] - rebuilt["processed_events"]} == set(parked)
    assert set(differences(live, rebuilt)) == {"processed_events", "attendance_records", "dead_letters",
                                               "site_week_workers", "site_weeks", "area_week_workers", "area_weeks"}


def test_cli_replays_parked_letters(app, api, consume, runtime):
    register(api, build_scenario(seed=11))
    bad = {"specversion": "1.0", "id": "00000000-0000-4000-8000-000000000001", "type": "attendance.recorded",
           "source": "test", "time": "2026-03-02T10:00:00Z",
           "data": {"worker_id": "ghost", "site_id": "ws-tea", "date": "2026-03-02", "status": "present"}}
    runtime.bus.producer().send(OutgoingMessage(runtime.settings.topic_work_events, "ghost", json.dumps(bad).encode()))
    consume()
    result = app.test_cli_runner().invoke(args=["replay-dead-letters"])
    assert result.exit_code == 0 and "1 dead letter(s) replayed" in result.output
    consume()
    [letter] = api.get("/dead-letters").get_json()["items"]
    assert letter["status"] == "parked" and letter["attempts"] == 2  # still unknown: parked again
