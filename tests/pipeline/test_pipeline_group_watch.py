"""A wage consumer that never settles in its group is replaced by a new one, which then consumes."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from consumers.loop import GroupWatch, run_wage_consumer


@dataclass
class FakeConsumer:
    settles: bool
    stop: threading.Event
    polls: int = 0
    closed: bool = False

    def poll(self, max_records, timeout_ms):
        self.polls += 1
        if self.settles and self.polls == 3:
            self.stop.set()  # the replacement consumed: the test is over
        return []

    def settled(self) -> bool:
        return self.settles

    def lag(self):
        return {}

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeBus:
    stop: threading.Event
    settles: list[bool]
    made: list[FakeConsumer] = field(default_factory=list)

    def consumer(self, group_id, topics) -> FakeConsumer:
        self.made.append(FakeConsumer(self.settles[len(self.made)], self.stop))
        return self.made[-1]


def test_an_unsettled_consumer_is_closed_and_replaced_and_the_new_one_consumes(runtime):
    stop = threading.Event()
    bus = FakeBus(stop, settles=[False, True])
    settings = replace(runtime.settings, consumer_rejoin_after_s=0.2, consumer_poll_ms=10)

    thread = threading.Thread(target=run_wage_consumer, args=(replace(runtime, settings=settings, bus=bus), stop))
    thread.start()
    thread.join(timeout=10)

    assert not thread.is_alive(), "the loop never got a consumer that settled"
    first, second = bus.made
    assert first.closed and first.polls >= 2
    assert second.closed and second.polls == 3


def test_the_watch_counts_only_an_unbroken_unsettled_stretch():
    now = [0.0]
    watch = GroupWatch(60, clock=lambda: now[0])
    unsettled, settled = FakeConsumer(False, threading.Event()), FakeConsumer(True, threading.Event())

    assert not watch.stuck(unsettled)  # t=0: starts counting
    now[0] = 59.9
    assert not watch.stuck(unsettled)
    now[0] = 60.0
    assert watch.stuck(unsettled)
    assert not watch.stuck(settled)  # settling resets the count
    now[0] = 100.0
    assert not watch.stuck(unsettled)
    now[0] = 159.9
    assert not watch.stuck(unsettled)
    now[0] = 160.0
    assert watch.stuck(unsettled)
    assert watch.start_over() == 60.0  # the replaced client had been unsettled since t=100
    assert not watch.stuck(unsettled)  # the new client gets its own full stretch
