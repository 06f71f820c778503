"""An evaluation is one pass of queries: raising many alerts, or finding them all raised already, costs as
many statements as raising a few."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from support.alert_world import AS_OF, MONTH, TOPIC, Country, store

import payroll
from app.alerts.evaluation import evaluate


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


@contextmanager
def counting(engine):
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_of_two_evaluations(runtime, households: int) -> tuple[int, int]:
    session = runtime.sessions()
    try:
        store(session, poor_country(households))
        session.flush()
        counts = []
        for _ in range(2):
            with counting(runtime.engine) as statements:
                raised = evaluate(session, runtime.bus, TOPIC, MONTH, AS_OF, poor_country(households).thresholds)
                session.flush()
            counts.append(len(statements))
        assert len(raised) == 0
        return counts[0], counts[1]
    finally:
        session.rollback()
        session.close()


def test_the_statements_of_an_evaluation_do_not_grow_with_its_alerts(runtime):
    few, many = statements_of_two_evaluations(runtime, 1), statements_of_two_evaluations(runtime, 12)
    assert many == few, f"(first, second evaluation): {few} statements for 4 alerts, {many} for 48"
