"""The alert benchmark's evaluator process: `python bench/evaluator.py AS_OF` runs the scheduled evaluation of
the month due on AS_OF, its database from the environment, and prints its time, what it raised and its peak
resident memory as JSON. It imports only the project (app, consumers), so that BENCH_PROJECT_ROOT can point
it at another checkout's code."""
from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def evaluate(as_of: date) -> dict:
    from app.alerts.schedule import run_due_evaluation
    from app.logs import configure_logging
    from app.runtime import build_runtime
    from app.settings import Settings

    settings = Settings.from_env()
    configure_logging(settings.log_level)
    runtime = build_runtime(settings)
    try:
        started = time.perf_counter()
        raised = run_due_evaluation(runtime, as_of)
        seconds = time.perf_counter() - started
    finally:
        runtime.close()
    return {"seconds": seconds, "raised": raised, "peak_rss_mib": peak_rss_mib()}


if __name__ == "__main__":
    print(json.dumps(evaluate(date.fromisoformat(sys.argv[1]))))
