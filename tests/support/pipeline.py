"""Drive the real wage consumer in-process, batch by batch, until the bus is drained."""
from __future__ import annotations

from consumers.loop import consume_once


def drain(runtime, max_batches: int = 10_000) -> int:
    consumer = runtime.bus.consumer(runtime.settings.consumer_group, [runtime.settings.topic_work_events])
    total = 0
    try:
        for _ in range(max_batches):
            handled = consume_once(runtime, consumer)
            if not handled:
                return total
            total += handled
        raise AssertionError("the consumer did not drain the bus")
    finally:
        consumer.close()
