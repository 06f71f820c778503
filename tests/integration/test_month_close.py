"""The bulk month close (app.pay.periods.move_periods) on the real PostgreSQL: the same rows as site by site,
and two approvals of the same month at once (bulk and bulk, bulk and one site) approve each site once."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from support.data_keys import TEST_DATA_KEY
from support.month_close import EXPECTED_APPROVED, SITES, build_country, month_rows

from app.db.models import AuditEntry
from app.migrate import upgrade_database
from app.pay.periods import Actor, PeriodConflict, SiteScope, move_period, move_periods
from app.runtime import build_runtime
from app.settings import Settings

PER_SITE, BULK = "2026-03", "2026-04"
MANAGER = Actor("token-manager", "post_manager")
CHECKER = Actor("token-checker", "post_manager")  # approves what MANAGER closed: the closer may not
BY = {"close": MANAGER, "approve": CHECKER}


@pytest.fixture
def runtime(postgres_server):
    name = f"t_month_close_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    upgrade_database(url)
    runtime = build_runtime(Settings(database_url=url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY))
    with runtime.sessions.begin() as session:
        build_country(session, (PER_SITE, BULK))
    yield runtime
    runtime.close()
    postgres_server.drop_database(name)


def rows(runtime, month: str) -> dict:
    with runtime.sessions() as session:
        return month_rows(session, month)


def bulk(runtime, action: str, month: str = BULK):
    with runtime.sessions.begin() as session:
        return move_periods(session, month, action, BY[action], SiteScope())


def test_bulk_close_and_approve_give_the_rows_of_the_per_site_path(runtime):
    for site in SITES:
        for action in ("close", "approve"):
            with runtime.sessions.begin() as session:
                move_period(session, site, PER_SITE, action, BY[action])

    closed, approved = bulk(runtime, "close"), bulk(runtime, "approve")

    assert (closed.moved, approved.moved) == (list(SITES), list(SITES))
    assert rows(runtime, BULK) == rows(runtime, PER_SITE)
    assert rows(runtime, BULK)["approved_pay"] == EXPECTED_APPROVED
    with runtime.sessions() as session:
        summaries = session.scalars(select(AuditEntry.row_key).where(AuditEntry.row_key.like(f"{BULK}%"))).all()
        per_row = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.table_name.in_(("period_transitions", "approved_pay")), AuditEntry.row_key.like(f"%{BULK}%")))
    assert sorted(summaries) == [f"{BULK} approve", f"{BULK} close"]
    assert per_row == 0
    again = bulk(runtime, "approve")
    assert (again.moved, again.not_moved) == ([], {"approved": len(SITES)})
    assert rows(runtime, BULK) == rows(runtime, PER_SITE)


def held(runtime, move, started: threading.Event, release: threading.Event, out: dict):
    """Run `move` in a transaction, say so, and commit only when released (its rows stay locked until then)."""
    try:
        with runtime.sessions.begin() as session:
            out["result"] = move(session)
            started.set()
            release.wait(10)
    except PeriodConflict as conflict:
        out["conflict"] = conflict
        started.set()


def done() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


def test_two_bulk_approvals_at_once_approve_each_site_once(runtime):
    bulk(runtime, "close")
    started, release, first, second = threading.Event(), threading.Event(), {}, {}
    approve = lambda session: move_periods(session, BULK, "approve", CHECKER, SiteScope())  # noqa: E731
    holder = threading.Thread(target=held, args=(runtime, approve, started, release, first))
    holder.start()
    assert started.wait(10)
    waiter = threading.Thread(target=held, args=(runtime, approve, threading.Event(), done(), second))
    waiter.start()
    waiter.join(1.0)
    assert waiter.is_alive(), "the second approval should wait for the first one's row locks"
    release.set()
    holder.join(10)
    waiter.join(10)

    assert first["result"].moved == list(SITES)
    assert (second["result"].moved, second["result"].not_moved) == ([], {"approved": len(SITES)})
    assert rows(runtime, BULK)["approved_pay"] == EXPECTED_APPROVED
    assert len(rows(runtime, BULK)["period_transitions"]) == 2 * len(SITES)


def test_a_bulk_approval_and_a_sites_own_approval_at_once_approve_it_once(runtime):
    bulk(runtime, "close")
    started, release, single, many = threading.Event(), threading.Event(), {}, {}
    one = lambda session: move_period(session, "a-1", BULK, "approve", Actor("token-other", "admin"))  # noqa: E731
    holder = threading.Thread(target=held, args=(runtime, one, started, release, single))
    holder.start()
    assert started.wait(10)
    every = lambda session: move_periods(session, BULK, "approve", CHECKER, SiteScope())  # noqa: E731
    waiter = threading.Thread(target=held, args=(runtime, every, threading.Event(), done(), many))
    waiter.start()
    waiter.join(1.0)
    release.set()
    holder.join(10)
    waiter.join(10)

    assert single["result"] == "approved"
    assert (many["result"].moved, many["result"].not_moved) == ([s for s in SITES if s != "a-1"], {"approved": 1})
    assert rows(runtime, BULK)["approved_pay"] == EXPECTED_APPROVED
    approvals = [t for t in rows(runtime, BULK)["period_transitions"] if t[2] == "approved"]
    assert sorted((site, actor) for site, _, _, actor, _, _ in approvals) == sorted(
        [("a-1", "token-other")] + [(s, CHECKER.token_id) for s in SITES if s != "a-1"])


def test_two_bulk_approvals_released_together_never_approve_a_site_twice(runtime):
    bulk(runtime, "close")
    barrier, results = threading.Barrier(2), []

    def approve():
        barrier.wait()
        results.append(bulk(runtime, "approve"))

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    moved = [site for result in results for site in result.moved]
    assert sorted(moved) == sorted(SITES)
    assert rows(runtime, BULK)["approved_pay"] == EXPECTED_APPROVED
