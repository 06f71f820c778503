"""A scheduled evaluation's chunks in the hands of several threads at once, committed in key order.

The chunks are handed out one after another, in key order; each thread evaluates its chunk in a transaction of
its own and then waits for its turn: the chunk before it committed. So the database and the pure rules work on
several chunks at once, while the month's record still moves from one chunk to the next as it did with one
evaluator: whatever stops an evaluation (a failure, a kill, a stop) leaves the chunks up to some chunk committed
and nothing of those after it, and the next check resumes after that chunk. A failed chunk abandons the chunks
after it, uncommitted; the chunks before it commit first."""
from __future__ import annotations

import threading
from collections.abc import Callable

from app.alerts.findings import Chunk, Done

# evaluates `chunk` (from `before`) and commits it once the callable it is given has returned
EvaluateInTurn = Callable[[Chunk, Done, Callable[[], None]], None]


class Abandoned(Exception):
    """A chunk before this one failed: this one is rolled back, uncommitted."""


class ChunkTurns:
    """The chunks after `done` handed out in key order (`next_after` finds each), committed in that order."""

    def __init__(self, done: Done, next_after: Callable[[Done], Chunk], stop: threading.Event | None):
        self.done, self.failure, self.finished = done, None, False
        self._next_after, self._stop = next_after, stop
        self._handed, self._committed = done, 0
        self._count = 0
        self._turn = threading.Condition()

    def take(self) -> tuple[int, Chunk, Done] | None:
        """The next chunk, its place in the order and where it starts; None once there is none to take or the
        evaluation is to stop (a failure, or `stop` set once a chunk was taken: a stop stops after a chunk)."""
        with self._turn:
            stopped = self._stop is not None and self._stop.is_set() and self._count > 0
            if self.failure is not None or self.finished or stopped:
                return None
            before = self._handed
            chunk = self._next_after(before)
            place, self._count = self._count, self._count + 1
            self._handed, self.finished = chunk.done, chunk.is_last
            return place, chunk, before

    def wait_turn(self, place: int) -> None:
        """Return once every chunk before `place` is committed; raise Abandoned if one of them failed."""
        with self._turn:
            self._turn.wait_for(lambda: self._committed == place or self.failure is not None)
            if self._committed != place:
                raise Abandoned

    def committed(self, chunk: Chunk) -> None:
        with self._turn:
            self._committed += 1
            self.done = chunk.done
            self._turn.notify_all()

    def failed(self, error: BaseException) -> None:
        with self._turn:
            if self.failure is None:
                self.failure = error
            self._turn.notify_all()

    @property
    def complete(self) -> bool:
        """Whether the last chunk is committed."""
        return self.finished and self._committed == self._count


def evaluate_in_turns(turns: ChunkTurns, evaluate: EvaluateInTurn, workers: int) -> None:
    """Let `workers` threads take the chunks and evaluate them (one: this thread alone); raise the first failure."""
    if workers == 1:
        _take_and_evaluate(turns, evaluate)
    else:
        threads = [threading.Thread(target=_take_and_evaluate, args=(turns, evaluate), name=f"alerts-chunk-{n}",
                                    daemon=True) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if turns.failure is not None:
        raise turns.failure


def _take_and_evaluate(turns: ChunkTurns, evaluate: EvaluateInTurn) -> None:
    while True:
        try:
            taken = turns.take()
            if taken is None:
                return
            place, chunk, before = taken
            evaluate(chunk, before, lambda: turns.wait_turn(place))
        except BaseException as error:  # noqa: BLE001 - handed to the thread that waits for them all
            turns.failed(error)
            return
        turns.committed(chunk)
