"""Every line a process logs is whole, when structlog and a library's stdlib logger write from
different threads at once (kafka-python's IO loop logs beside the consumer's JSON lines)."""
from __future__ import annotations

import json
import subprocess
import sys

_LOG_FROM_TWO_THREADS = """
import logging, threading
import structlog
from app.logs import configure_logging

configure_logging("DEBUG")
library = logging.getLogger("kafka.cluster")

def chatter():
    for n in range(3000):
        library.debug("Sleeping %s for next Metadata refresh", n)

thread = threading.Thread(target=chatter)
thread.start()
log = structlog.get_logger("consumers.wages")
for n in range(3000):
    log.info("batch applied", messages=n)
thread.join()
"""


def test_json_lines_stay_whole_beside_a_library_logging_from_another_thread():
    run = subprocess.run([sys.executable, "-c", _LOG_FROM_TWO_THREADS], capture_output=True, text=True,
                         timeout=120, check=True)
    lines = run.stderr.splitlines()
    structured = [json.loads(line) for line in lines if line.startswith("{")]  # raises on a broken line
    plain = [line for line in lines if not line.startswith("{")]
    assert [entry["messages"] for entry in structured] == list(range(3000))
    assert plain == [f"Sleeping {n} for next Metadata refresh" for n in range(3000)]
