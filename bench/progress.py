"""A small progress bar on stderr (no dependency): a bar on a terminal, a line every 10% in a log."""
from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Progress:
    def __init__(self, label: str, total: int | None = None, unit: str = "", stream=None, enabled: bool = True):
        self.label, self.total, self.unit = label, total, unit
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.done = 0
        self.started = time.monotonic()
        self._shown = 0.0
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._next_tenth = 1

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if self._tty:
            if now - self._shown >= 0.2:
                self._shown = now
                self.stream.write("\r" + self._line(now))
                self.stream.flush()
        elif self.total and self.done * 10 >= self._next_tenth * self.total:
            self._next_tenth = self.done * 10 // self.total + 1
            self.stream.write(self._line(now) + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            line = self._line(time.monotonic())
            self.stream.write(("\r" + line + "\n") if self._tty else (line + "\n"))
            self.stream.flush()

    def _line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            return (f"  {self.label:<28} [{bar:<30}] {self.done:>11,}/{self.total:,} {self.unit} "
                    f"{rate:>10,.0f}/s {elapsed:6.1f}s")
        return f"  {self.label:<28} {self.done:>11,} {self.unit} {rate:>10,.0f}/s {elapsed:6.1f}s"

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def track(items: Iterable[T], label: str, total: int | None = None, unit: str = "",
          enabled: bool = True) -> Iterator[T]:
    """Yield from `items`, counting them on a progress bar."""
    with Progress(label, total, unit, enabled=enabled) as bar:
        for item in items:
            yield item
            bar.update()
