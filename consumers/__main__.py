"""`python -m consumers`: the wage consumer as its own process, stopped cleanly by SIGTERM."""
from __future__ import annotations

import signal
import threading

from app.logs import configure_logging
from app.runtime import build_runtime
from consumers.loop import run_wage_consumer


def main() -> None:
    runtime = build_runtime()
    configure_logging(runtime.settings.log_level)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        run_wage_consumer(runtime, stop)
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
