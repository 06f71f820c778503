"""An evaluation is one pass of queries: raising many alerts, or finding them all raised already, costs as
many statements as raising a few."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event
from support.alert_world import AS_OF, MONTH, TOPIC, poor_country, store

from app.alerts.evaluation import evaluate


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


def test_a_second_evaluation_finds_what_is_raised_already_in_its_queries(runtime):
    session = runtime.sessions()
    try:
        country = poor_country(3)
        store(session, country)
        assert len(evaluate(session, runtime.bus, TOPIC, MONTH, AS_OF, country.thresholds)) == 12
        session.flush()
        with counting(runtime.engine) as statements:
            assert evaluate(session, runtime.bus, TOPIC, MONTH, AS_OF, country.thresholds) == []
        inserts = [statement for statement in statements if statement.lstrip().upper().startswith("INSERT")]
        assert inserts == [], "a second evaluation offered the alerts raised already to the database again"
    finally:
        session.rollback()
        session.close()
