"""Small random countries for the differential test of the alert evaluation: hypothesis makes the facts,
`store` writes them as the consumers would have, and `expected_alerts` applies the pure rules of
payroll/alerts.py to the same facts, without going through app/alerts/evaluation.py."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import event
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import payroll
from app.alerts.evaluation import evaluate
from app.db.models import (
    Adjustment,
    Alert,
    ApprovedPay,
    Assignment,
    AttendanceRecord,
    Household,
    OutputRecord,
    PaymentBatch,
    PaymentLine,
    PeriodTransition,
    Region,
    Site,
    WageLine,
    Webhook,
    WebhookDelivery,
    Worker,
)
from app.pay.income import refill_income
from events.bus.log import event_log

TOPIC = "alerts"
MONTH = "2026-05"
AS_OF = date(2026, 6, 5)
# a province and two of its counties: enough for `within` to keep some alerts and leave others
REGIONS = {"36": "/36/", "3607": "/36/3607/", "3608": "/36/3608/"}
WITHIN = (None, "/36/", "/36/3607/", "/36/3608/")
MONTHS = payroll.previous_months("2026-07", 15)  # 2025-04 to 2026-06: the rules look at 2025-06 to 2026-05
STATUSES = ("present", "half_day", "absent", "leave")
WORKED = ("present", "half_day")
PAYMENT_STATUSES = ("pending", "confirmed", "failed")


@dataclass(frozen=True)
class Country:
    households: list[tuple[str, int, str]]                     # status, size, region code
    workers: list[int]                                         # household index
    sites: list[str]                                           # region code
    assignments: list[tuple[int, int, int, int | None]]        # worker, site, start and end (days from as_of)
    attendance: dict[tuple[int, int, int], str]                # (worker, site, day from as_of) -> status
    outputs: list[tuple[int, int, int, int, bool]]             # worker, site, day, quantity, voided
    wage_lines: dict[tuple[int, str, int], int]                # (assignment, month, day) -> fen
    adjustments: list[tuple[int, int, str, int]]               # worker, site, adjusts month, fen
    approvals: list[tuple[int, str, int]]                      # site, month, days after the month's end
    approved_pay: dict[tuple[int, str, int], int]              # (site, month, worker) -> fen
    payments: list[tuple[int, str, int, int, str]]             # site, month, worker, fen, status
    webhooks: list[str | None]                                 # region path (None: everywhere)
    thresholds: payroll.AlertThresholds
    within: str | None


def _income_month() -> st.SearchStrategy[str]:
    # most lines in the months income_drop compares, so that it has something to find
    return st.sampled_from(MONTHS) | st.sampled_from(MONTHS[-5:-1]) | st.sampled_from(MONTHS[-5:-1])


def _day() -> st.SearchStrategy[int]:
    return st.integers(-30, 3)


@st.composite
def countries(draw) -> Country:
    households = draw(st.lists(st.tuples(st.sampled_from(payroll.HOUSEHOLD_STATUSES), st.integers(1, 5),
                                         st.sampled_from(list(REGIONS))), min_size=1, max_size=4))
    workers = draw(st.lists(st.integers(0, len(households) - 1), min_size=1, max_size=5))
    sites = draw(st.lists(st.sampled_from(list(REGIONS)), min_size=1, max_size=3))
    worker, site = st.integers(0, len(workers) - 1), st.integers(0, len(sites) - 1)
    assignments = draw(st.lists(st.tuples(worker, site, st.integers(-60, 2), st.none() | st.integers(-3, 30)),
                                max_size=6))
    approval_months = st.sampled_from(MONTHS[-4:-2])  # March and April, approved before or after as_of
    return Country(
        households=households, workers=workers, sites=sites, assignments=assignments,
        attendance=draw(st.dictionaries(st.tuples(worker, site, _day()), st.sampled_from(STATUSES), max_size=40)),
        outputs=draw(st.lists(st.tuples(worker, site, _day(), st.integers(0, 3), st.booleans()), max_size=15)),
        wage_lines=draw(st.dictionaries(st.tuples(st.integers(0, max(len(assignments) - 1, 0)),
                                                  _income_month(), st.integers(1, 28)),
                                        st.integers(0, 60_000), max_size=40 if assignments else 0)),
        adjustments=draw(st.lists(st.tuples(worker, site, st.sampled_from(MONTHS), st.integers(0, 20_000)),
                                  max_size=4)),
        approvals=draw(st.lists(st.tuples(site, approval_months, st.integers(0, 70)), max_size=5)),
        approved_pay=draw(st.dictionaries(st.tuples(site, approval_months, worker), st.integers(0, 50_000),
                                          max_size=6)),
        payments=draw(st.lists(st.tuples(site, approval_months, worker, st.integers(0, 50_000),
                                         st.sampled_from(PAYMENT_STATUSES)), max_size=6)),
        webhooks=draw(st.lists(st.sampled_from(WITHIN), max_size=2)),
        thresholds=payroll.AlertThresholds(
            drop_ratio=draw(st.sampled_from(["0.1", "0.3", "0.5"])),
            default_monitoring_line_fen=draw(st.integers(100, 60_000)),
            no_work_days=draw(st.integers(1, 6)), arrears_days=draw(st.integers(0, 40)),
            projection_months=draw(st.integers(1, 12))),
        within=draw(st.sampled_from(WITHIN)),
    )


def poor_country(households: int) -> Country:
    """Households without income (below_line, projected_below_line), each with a worker idle at its site
    (no_work) whose approved month is unpaid (wage_arrears), and a webhook for all of them."""
    return Country(
        households=[("poor", 3, "3607")] * households, workers=list(range(households)),
        sites=["3607"] * households, assignments=[(n, n, -60, None) for n in range(households)],
        attendance={(n, n, -day): "absent" for n in range(households) for day in range(3)}, outputs=[],
        wage_lines={}, adjustments=[], approvals=[(n, "2026-04", 0) for n in range(households)],
        approved_pay={(n, "2026-04", n): 1000 for n in range(households)}, payments=[], webhooks=[None, "/36/"],
        thresholds=payroll.AlertThresholds(no_work_days=2, arrears_days=15), within=None)


def _series(household: int, fen_by_month: dict[str, int]) -> dict[tuple[int, str, int], int]:
    return {(household, month, 1): fen for month, fen in fen_by_month.items()}


_PREVIOUS = {"2026-02": 1000, "2026-03": 1000, "2026-04": 1000}
# households at a rule's threshold and one fen past it (line 12,000 fen, drop ratio 0.3, 3 months averaged):
# the queries that pick which households the rules look at must keep those one fen past
BOUNDARY = Country(
    households=[("other", 1, "3607"), ("other", 1, "3607"), ("poor", 2, "3607"), ("poor", 2, "3607"),
                ("monitored", 1, "3608"), ("monitored", 1, "3608"), ("poor", 1, "3608")],
    workers=list(range(7)), sites=["3607"], assignments=[(n, 0, -60, None) for n in range(7)],
    attendance={}, outputs=[],
    wage_lines={**_series(0, {**_PREVIOUS, MONTH: 700}), **_series(1, {**_PREVIOUS, MONTH: 699}),
                **_series(2, {"2025-06": 12_000, MONTH: 12_000}), **_series(3, {"2025-06": 12_000, MONTH: 11_999}),
                **_series(4, {MONTH: 3600}), **_series(5, {MONTH: 3599}), **_series(6, {"2025-05": 99_999})},
    adjustments=[], approvals=[], approved_pay={}, payments=[], webhooks=[],
    thresholds=payroll.AlertThresholds(drop_ratio="0.3", default_monitoring_line_fen=12_000, projection_months=3),
    within=None)


def _on(offset: int) -> date:
    return AS_OF + timedelta(days=offset)


def _approved_at(month: str, offset: int) -> datetime:
    year, number = map(int, month.split("-"))
    end = date(year + number // 12, number % 12 + 1, 1)
    return datetime.combine(end + timedelta(days=offset), time(9, 30), tzinfo=UTC)


def store(session: Session, country: Country) -> None:
    """Write the country's facts (in the caller's transaction) as the API and the consumers would have."""
    session.add_all(Region(code=code, name=code, level="province" if code == "36" else "county",
                           parent_code=None if code == "36" else "36", path=path) for code, path in REGIONS.items())
    session.flush()
    session.add_all(Household(id=f"hh{n}", region_code=region, size=size, status=status)
                    for n, (status, size, region) in enumerate(country.households))
    session.add_all(Site(id=f"s{n}", kind="workshop", name=f"s{n}", region_code=region)
                    for n, region in enumerate(country.sites))
    session.flush()
    session.add_all(Worker(id=f"w{n}", household_id=f"hh{h}", name=f"w{n}") for n, h in enumerate(country.workers))
    session.flush()
    session.add_all(Assignment(id=f"a{n}", worker_id=f"w{w}", site_id=f"s{s}", start_date=_on(start),
                               end_date=None if end is None else _on(end), scheme={"kind": "daily", "day_rate_fen": 1})
                    for n, (w, s, start, end) in enumerate(country.assignments))
    session.flush()
    _store_work(session, country)
    _store_pay(session, country)
    session.add_all(Webhook(url=f"https://example.org/{n}", secret="whsec_AAAA", region_path=path, created_by="t")
                    for n, path in enumerate(country.webhooks))
    session.flush()


def _store_work(session: Session, country: Country) -> None:
    session.add_all(AttendanceRecord(worker_id=f"w{w}", site_id=f"s{s}", work_date=_on(day), event_id=f"e{n}",
                                     recorded_at="2026-06-01T00:00:00.000000Z", status=status)
                    for n, ((w, s, day), status) in enumerate(country.attendance.items()))
    session.add_all(OutputRecord(event_id=f"o{n}", worker_id=f"w{w}", site_id=f"s{s}", work_date=_on(day),
                                 product="basket", grade="A", quantity=quantity, voided_by=f"v{n}" if voided else None)
                    for n, (w, s, day, quantity, voided) in enumerate(country.outputs))
    for (a, month, day), amount in country.wage_lines.items():
        w, s, _, _ = country.assignments[a]
        session.add(WageLine(assignment_id=f"a{a}", worker_id=f"w{w}", site_id=f"s{s}", period=month,
                             work_date=date.fromisoformat(f"{month}-{day:02d}"), scheme="daily", amount_fen=amount,
                             facts={}))
    session.add_all(Adjustment(site_id=f"s{s}", worker_id=f"w{w}", adjusts_month=month, in_month="2026-06",
                               amount_fen=amount) for w, s, month, amount in country.adjustments)
    refill_income(session)  # the consumers keep it with the lines they write; these lines are written here


def _store_pay(session: Session, country: Country) -> None:
    session.add_all(PeriodTransition(site_id=f"s{s}", month=month, from_status="closed", to_status="approved",
                                     actor_token_id="t", actor_role="admin", at=_approved_at(month, offset))
                    for s, month, offset in country.approvals)
    session.add_all(ApprovedPay(site_id=f"s{s}", month=month, worker_id=f"w{w}", wages_fen=amount, adjustments_fen=0,
                                amount_fen=amount) for (s, month, w), amount in country.approved_pay.items())
    for s, month, w, amount, status in country.payments:
        batch = PaymentBatch(site_id=f"s{s}", month=month, created_by="t")
        session.add(batch)
        session.flush()
        session.add(PaymentLine(batch_id=batch.id, site_id=f"s{s}", month=month, worker_id=f"w{w}",
                                worker_name=f"w{w}", amount_fen=amount, status=status))


Key = tuple[str, str, str, str]  # subject type, subject id, kind, month


def normal(detail) -> str:
    return json.dumps(detail, sort_keys=True)


def expected_alerts(country: Country) -> dict[Key, set[str]]:
    """What the pure rules find in the country, within its region: each alert's key and the details it may
    carry (a worker idle at two sites gets one no_work alert, of either site)."""
    found: dict[Key, set[str]] = defaultdict(set)
    for key, region, finding in [*_household_findings(country), *_no_work_findings(country),
                                 *_arrears_findings(country)]:
        if country.within is None or REGIONS[region].startswith(country.within):
            found[key].add(normal(finding.detail))
    return dict(found)


def _household_findings(country: Country):
    income: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (a, month, _), amount in country.wage_lines.items():
        income[country.workers[country.assignments[a][0]]][month] += amount
    for w, _, month, amount in country.adjustments:
        income[country.workers[w]][month] += amount
    t = country.thresholds
    for h, (status, size, region) in enumerate(country.households):
        series = dict(income[h])
        for finding in (payroll.income_drop(series, MONTH, t), payroll.below_line(status, size, series, MONTH, t),
                        payroll.projected_below_line(status, size, series, MONTH, t)):
            if finding is not None:
                yield ("household", f"hh{h}", finding.kind, finding.month), region, finding


def _no_work_findings(country: Country):
    site_days, worked = defaultdict(set), defaultdict(set)
    for (w, s, day), status in country.attendance.items():
        site_days[s].add(_on(day))
        if status in WORKED:
            worked[(w, s)].add(_on(day))
    quantities: dict[tuple[int, int, int], int] = defaultdict(int)
    for w, s, day, quantity, voided in country.outputs:
        if not voided:
            site_days[s].add(_on(day))
            quantities[(w, s, day)] = max(quantities[(w, s, day)], quantity)
    for (w, s, day), quantity in quantities.items():
        if quantity > 0:
            worked[(w, s)].add(_on(day))
    for w, s, start, end in country.assignments:
        if not (start <= 0 and (end is None or end >= 0)):
            continue
        finding = payroll.no_work(worked[(w, s)], site_days[s], AS_OF, country.thresholds)
        if finding is not None:
            region = country.households[country.workers[w]][2]
            detail = {**finding.detail, "site_id": f"s{s}"}
            yield ("worker", f"w{w}", "no_work", MONTH), region, payroll.Finding("no_work", MONTH, detail)


def _arrears_findings(country: Country):
    approved_at: dict[tuple[int, str], datetime] = {}
    for s, month, offset in country.approvals:
        at = _approved_at(month, offset)
        approved_at[(s, month)] = max(approved_at.get((s, month), at), at)
    for (s, month), at in approved_at.items():
        unpaid = sum(amount for (site, m, _), amount in country.approved_pay.items() if (site, m) == (s, month))
        unpaid -= sum(amount for site, m, _, amount, status in country.payments
                      if (site, m, status) == (s, month, "confirmed"))
        finding = payroll.wage_arrears(at.date(), unpaid, AS_OF, country.thresholds, month)
        if finding is not None:
            yield ("site", f"s{s}", finding.kind, finding.month), country.sites[s], finding


def raised_alerts(alerts: list[Alert]) -> dict[Key, str]:
    return {(a.subject_type, a.subject_id, a.kind, a.month): normal(a.detail) for a in alerts}


def check_side_effects(session: Session, country: Country, alerts: list[Alert], topic: str) -> None:
    """Each newly raised alert is stored once, published once, and queued for each webhook whose region holds it."""
    assert session.scalar(select(func.count()).select_from(Alert)) == len(alerts)
    published = session.scalars(select(event_log.c.value).where(event_log.c.topic == topic)).all()
    assert sorted(json.loads(value)["data"]["alert_id"] for value in published) == sorted(a.id for a in alerts)
    deliveries = session.execute(select(WebhookDelivery.alert_id, Webhook.url)
                                 .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)).all()
    expected = [(a.id, f"https://example.org/{n}") for a in alerts for n, path in enumerate(country.webhooks)
                if path is None or a.region_path.startswith(path)]
    assert sorted(deliveries) == sorted(expected)


# subjects per chunk: one, a few (several chunks, some households or sites split from their neighbours) or all
CHUNKS = st.sampled_from([1, 2, 3, 1000])


def evaluate_country(sessions, bus, country: Country, chunk: int) -> None:
    """Store the country, evaluate twice and check both, in one transaction rolled back at the end."""
    session = sessions()
    try:
        store(session, country)
        alerts = evaluate(session, bus, TOPIC, MONTH, AS_OF, country.thresholds, within=country.within,
                          chunk=chunk)
        expected, raised = expected_alerts(country), raised_alerts(alerts)
        for kind in sorted({kind for _, _, kind, _ in expected}):
            event(f"raises {kind}")
        assert sorted(raised) == sorted(expected)
        for key, detail in raised.items():
            assert detail in expected[key], key
        check_side_effects(session, country, alerts, TOPIC)
        assert evaluate(session, bus, TOPIC, MONTH, AS_OF, country.thresholds, within=country.within,
                        chunk=chunk) == []
    finally:
        session.rollback()
        session.close()
