"""The register's form as events: whatever a person enters, every mark becomes one well-formed event with the id
the page gave it, and nothing unmarked is sent."""
from __future__ import annotations

import uuid
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.web.register.marks import OUTPUT_ROWS, events_from_form
from events import parse_event

DAY = date(2026, 4, 1)
STATUSES = st.sampled_from(["", "present", "half_day", "absent", "leave"])
TIMES = st.sampled_from([("", ""), ("07:30", "17:00"), ("08:00", "12:00")])  # both or neither (or refused)
QUANTITIES = st.one_of(st.just(""), st.integers(0, 2**31 - 1).map(str))
WORKER = st.fixed_dictionaries({"status": STATUSES, "times": TIMES,
                                "quantities": st.lists(QUANTITIES, min_size=OUTPUT_ROWS, max_size=OUTPUT_ROWS)})


def form_for(workers: dict[str, dict]) -> tuple[MultiDict, set[str]]:
    form, ids = MultiDict({"site": "ws-1", "date": DAY.isoformat()}), set()
    for worker_id, marks in workers.items():
        ids.add(attendance_id := str(uuid.uuid4()))
        form.add(f"attendance_id.{worker_id}", attendance_id)
        form.add(f"status.{worker_id}", marks["status"])
        form.add(f"check_in.{worker_id}", marks["times"][0])
        form.add(f"check_out.{worker_id}", marks["times"][1])
        for row, quantity in enumerate(marks["quantities"]):
            ids.add(output_id := str(uuid.uuid4()))
            form.add(f"output_id.{row}.{worker_id}", output_id)
            form.add(f"product.{row}.{worker_id}", "GLOVE")
            form.add(f"quantity.{row}.{worker_id}", quantity)
    return form, ids


@given(st.dictionaries(st.from_regex(r"w-[a-z0-9]{1,8}", fullmatch=True), WORKER, max_size=6))
def test_every_mark_becomes_one_event_with_its_page_id_and_nothing_else_is_sent(workers):
    form, ids = form_for(workers)

    events = [parse_event(raw) for raw in events_from_form(form, "ws-1", DAY)]

    marked = sum(bool(marks["status"]) + sum(bool(q) for q in marks["quantities"]) for marks in workers.values())
    assert len(events) == marked
    assert len({event.id for event in events}) == marked and {event.id for event in events} <= ids
    assert all(event.site_id == "ws-1" and event.data["date"] == DAY for event in events)
