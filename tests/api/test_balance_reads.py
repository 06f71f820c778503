"""GET /workers/{id}/balance reads the caller with the worker in one query and every sum in one statement:
each kind of row counts once and only the worker's own, the answer is the same for every caller who may read
the worker (nationwide, region-scoped, site-scoped), and a revoked token is refused on the very next request."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, select

from app.access.tokens import create_token
from app.db.models import Adjustment, ApprovedPay, Assignment, PaymentBatch, PaymentLine, WageLine

# Li at ws-sewing:
#   March: wage lines 10,000 + 5,000; approved 15,000; paid: a confirmed line of 12,000 (a pending and a failed
#          line of 3,000 are not paid)                  -> earned 15,000, approved 15,000, paid 12,000
#   April: a wage line of 7,000 and an adjustment of -1,500 for March paid in April -> earned 5,500
# Wang's rows (the same site and months) must not count.
MARCH = {"period": "2026-03", "earned_fen": 15_000, "approved_fen": 15_000, "paid_fen": 12_000,
         "outstanding_fen": 3_000, "pending_fen": 0}
APRIL = {"period": "2026-04", "earned_fen": 5_500, "approved_fen": 0, "paid_fen": 0, "outstanding_fen": 0,
         "pending_fen": 5_500}
TOTAL = {"period": None, "earned_fen": 20_500, "approved_fen": 15_000, "paid_fen": 12_000, "outstanding_fen": 3_000,
         "pending_fen": 5_500}


@pytest.fixture
def ledger(runtime, world):
    """Rows of every kind a balance sums, for Li and for Wang, written as the consumers and the periods would."""
    with runtime.sessions.begin() as session:
        assignment = {row.worker_id: row.id for row in session.execute(
            select(Assignment.worker_id, Assignment.id).where(Assignment.site_id == world.sewing))}

        def line(worker: str, day: str, amount: int) -> WageLine:
            return WageLine(assignment_id=assignment[worker], worker_id=worker, site_id=world.sewing, period=day[:7],
                            work_date=date.fromisoformat(day), scheme="hourly", amount_fen=amount, facts={})

        session.add_all([line(world.li, "2026-03-02", 10_000), line(world.li, "2026-03-03", 5_000),
                         line(world.li, "2026-04-01", 7_000), line(world.wang, "2026-03-10", 12_000)])
        session.add_all([
            Adjustment(site_id=world.sewing, worker_id=world.li, adjusts_month="2026-03", in_month="2026-04",
                       amount_fen=-1_500),
            Adjustment(site_id=world.sewing, worker_id=world.wang, adjusts_month="2026-03", in_month="2026-04",
                       amount_fen=900),
            ApprovedPay(site_id=world.sewing, month="2026-03", worker_id=world.li, wages_fen=15_000,
                        adjustments_fen=0, amount_fen=15_000),
            ApprovedPay(site_id=world.sewing, month="2026-03", worker_id=world.wang, wages_fen=12_000,
                        adjustments_fen=0, amount_fen=12_000),
        ])
        batch = PaymentBatch(site_id=world.sewing, month="2026-03", created_by="test")
        session.add(batch)
        session.flush()
        session.add_all(PaymentLine(batch_id=batch.id, site_id=world.sewing, month="2026-03", worker_id=worker,
                                    worker_name=worker, amount_fen=amount, status=status)
                        for worker, amount, status in ((world.li, 12_000, "confirmed"), (world.li, 3_000, "pending"),
                                                       (world.li, 3_000, "failed"),
                                                       (world.wang, 12_000, "confirmed")))
    return world


@pytest.fixture
def issue(runtime):
    def issue(role: str, region: str | None = None, sites: tuple[str, ...] = ()) -> tuple[str, str]:
        with runtime.sessions.begin() as session:
            record, token = create_token(session, name=role, role=role, region_code=region, site_ids=list(sites))
            return record.id, token
    return issue


def test_every_kind_of_row_counts_once_and_only_the_workers_own(api, ledger):
    assert api.get(f"/workers/{ledger.li}/balance").get_json() == {"worker_id": ledger.li, **TOTAL,
                                                                    "periods": [MARCH, APRIL]}
    assert api.get(f"/workers/{ledger.li}/balance", period="2026-04").get_json() == {
        "worker_id": ledger.li, **APRIL, "periods": [APRIL]}


@pytest.mark.parametrize("role, scope", [("admin", "nationwide"), ("admin", "county"), ("poverty_office", "county"),
                                         ("post_manager", "county"), ("supervisor", "site")])
def test_every_caller_who_may_read_the_worker_gets_the_same_answer(api, ledger, issue, role, scope):
    region = None if scope == "nationwide" else ledger.county
    _, token = issue(role, region, (ledger.sewing,) if scope == "site" else ())
    caller = api.as_token(token)

    for query in ({}, {"period": "2026-03"}):
        response = caller.get(f"/workers/{ledger.li}/balance", **query)
        assert response.status_code == 200, response.get_json()
        assert response.get_json() == api.get(f"/workers/{ledger.li}/balance", **query).get_json()


def test_a_supervisor_of_several_sites_reads_a_worker_assigned_at_any_of_them(api, ledger, issue):
    _, token = issue("supervisor", ledger.county, (ledger.post, ledger.sewing))  # Wang: at sewing, not the post

    response = api.as_token(token).get(f"/workers/{ledger.wang}/balance")

    assert response.status_code == 200
    assert response.get_json() == api.get(f"/workers/{ledger.wang}/balance").get_json()


def test_callers_outside_the_workers_region_or_sites_are_refused(api, ledger, issue):
    for role, region, sites in (("poverty_office", ledger.other_county, ()),
                                ("supervisor", ledger.other_county, (ledger.far,)),
                                ("supervisor", ledger.county, (ledger.post,))):  # Wang has no post assignment
        _, token = issue(role, region, sites)
        assert api.as_token(token).get(f"/workers/{ledger.wang}/balance").status_code == 403
    assert api.get("/workers/w-nobody/balance").status_code == 404


def test_a_revoked_token_is_refused_on_the_next_balance_read(api, ledger, issue):
    token_id, token = issue("supervisor", ledger.county, (ledger.sewing,))
    supervisor = api.as_token(token)
    assert supervisor.get(f"/workers/{ledger.li}/balance").status_code == 200

    assert api.post(f"/tokens/{token_id}/revoke").status_code == 200

    response = supervisor.get(f"/workers/{ledger.li}/balance")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("role, sites", [("admin", ()), ("supervisor", ("sewing",)),
                                         ("supervisor", ("glove", "sewing"))])
def test_a_balance_is_read_in_two_queries(api, ledger, issue, runtime, role, sites):
    # the caller with its region and sites, with the worker's region path and (for a supervisor) whether
    # the worker is assigned at one of their sites; then the sums
    _, token = issue(role, ledger.county, tuple(getattr(ledger, site) for site in sites))
    caller = api.as_token(token)
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", note)
    try:
        assert caller.get(f"/workers/{ledger.li}/balance").status_code == 200
    finally:
        event.remove(runtime.engine, "before_cursor_execute", note)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2, statements
