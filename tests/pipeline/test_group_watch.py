"""A wage consumer that never settles in its group, or that settles but polls nothing while messages wait for
it, is replaced by a new one, which then consumes."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from consumers.loop import GroupWatch, keeping_up, run_wage_consumer


@dataclass
class FakeConsumer:
    settles: bool
    stop: threading.Event
    waiting: int = 0  # messages behind the end of its partition that its polls never return
    polls: int = 0
    closed: bool = False

    def poll(self, max_records, timeout_ms):
        self.polls += 1
        if self.settles and not self.waiting and self.polls == 3:
            self.stop.set()  # the replacement consumed: the test is over
        return []

    def settled(self) -> bool:
        return self.settles

    def lag(self):
        return {("work-events", 0): self.waiting} if self.waiting else {}

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeBus:
    stop: threading.Event
    settles: list[bool]
    waiting: list[int] | None = None
    made: list[FakeConsumer] = field(default_factory=list)

    def consumer(self, group_id, topics) -> FakeConsumer:
        n = len(self.made)
        self.made.append(FakeConsumer(self.settles[n], self.stop, self.waiting[n] if self.waiting else 0))
        return self.made[-1]

    def ping(self) -> None:
        pass  # always reachable: these tests are about the group, not outages


def run_until_replaced(runtime, bus: FakeBus) -> list[FakeConsumer]:
    """The wage consumer's loop over `bus` until a consumer it made has read (stopping the test); all it made."""
    settings = replace(runtime.settings, consumer_rejoin_after_s=0.2, consumer_poll_ms=10)
    thread = threading.Thread(target=run_wage_consumer, args=(replace(runtime, settings=settings, bus=bus), bus.stop))
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive(), "the stuck consumer was never replaced by one that reads"
    return bus.made


def test_an_unsettled_consumer_is_closed_and_replaced_and_the_new_one_consumes(runtime):
    first, second = run_until_replaced(runtime, FakeBus(threading.Event(), settles=[False, True]))
    assert first.closed and first.polls >= 2
    assert second.closed and second.polls == 3


def test_a_settled_consumer_that_polls_nothing_while_messages_wait_is_replaced(runtime):
    """Settled kafka-python 3.x consumers have been reported polling nothing with lag standing (#3106)."""
    first, second = run_until_replaced(runtime, FakeBus(threading.Event(), settles=[True, True], waiting=[5, 0]))
    assert first.closed and first.polls >= 2
    assert second.closed and second.polls == 3


def test_a_poll_keeps_up_when_it_reads_or_nothing_waits():
    starved = FakeConsumer(True, threading.Event(), waiting=5)
    idle = FakeConsumer(True, threading.Event())
    assert not keeping_up(starved, polled=0)
    assert keeping_up(starved, polled=1000)
    assert keeping_up(idle, polled=0)


def test_a_settled_consumer_counts_only_while_its_polls_do_not_keep_up():
    now = [0.0]
    watch = GroupWatch(60, clock=lambda: now[0])
    settled = FakeConsumer(True, threading.Event())

    assert not watch.stuck(settled, keeping_up=False)  # t=0: starts counting
    now[0] = 59.9
    assert not watch.stuck(settled, keeping_up=False)
    assert not watch.stuck(settled, keeping_up=True)  # it read, or nothing waited: the count starts again
    now[0] = 119.8
    assert not watch.stuck(settled, keeping_up=False)
    now[0] = 179.8
    assert watch.stuck(settled, keeping_up=False)


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
