"""An alert's life once raised: open -> acknowledged -> resolved, one step at a time; a move out of order
is a conflict that changes nothing."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.alerts.status import AlertConflict, acknowledge_alert, resolve_alert
from app.db.models import Alert

ORDER = ("open", "acknowledged", "resolved")
ALERT_ID = "a1" * 16  # ids the system makes are 32 hex digits
FIELDS = ("status", "acknowledged_at", "acknowledged_by", "note", "resolved_at", "resolved_by", "help_given")


def an_alert(status: str = "open") -> Alert:
    return Alert(id=ALERT_ID, kind="income_drop", subject_type="household", subject_id="hh-li", household_id="hh-li",
                 month="2026-05", region_code="360731", region_path="/360731/", status=status, detail={})


def move(alert: Alert, action: str, actor: str) -> Alert:
    if action == "acknowledge":
        return acknowledge_alert(alert, actor, note=f"seen by {actor}")
    return resolve_alert(alert, actor, help_given=f"helped by {actor}")


@given(st.lists(st.tuples(st.sampled_from(("acknowledge", "resolve")), st.sampled_from(("t-1", "t-2"))),
                max_size=6))
def test_an_alert_moves_only_forward_one_step_at_a_time_and_a_refused_move_changes_nothing(moves):
    alert = an_alert()
    for action, actor in moves:
        before = {name: getattr(alert, name) for name in FIELDS}
        expected_from = "open" if action == "acknowledge" else "acknowledged"
        if alert.status != expected_from:
            with pytest.raises(AlertConflict):
                move(alert, action, actor)
            assert {name: getattr(alert, name) for name in FIELDS} == before
            continue
        assert move(alert, action, actor) is alert
        assert ORDER.index(alert.status) == ORDER.index(before["status"]) + 1
        if action == "acknowledge":
            assert (alert.acknowledged_by, alert.note, alert.acknowledged_at is not None) == (actor, f"seen by {actor}",
                                                                                            True)
        else:
            assert (alert.resolved_by, alert.help_given, alert.resolved_at is not None) == (actor, f"helped by {actor}",
                                                                                          True)
            assert alert.acknowledged_by == before["acknowledged_by"]


def test_the_conflicts_say_what_the_alert_is_and_what_it_must_be():
    with pytest.raises(AlertConflict, match="^the alert is open; acknowledge it before resolving it$"):
        resolve_alert(an_alert(), "t-1", help_given="x")
    with pytest.raises(AlertConflict, match="^the alert is resolved, not open$"):
        acknowledge_alert(an_alert(status="resolved"), "t-1", note=None)
