"""`python -m app.serve`: the API (gunicorn) and the wage consumer as one command.

For a first run on one machine. Production runs them as separate services (docker-compose.yml).
Either child ending stops the other; SIGTERM/SIGINT stop both gracefully.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from app.settings import PROJECT_ROOT


def main() -> int:
    # One metrics folder for all children: the API's /metrics then shows the consumer's too.
    metrics_dir = tempfile.mkdtemp(prefix="stablework-metrics-")
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
    children = [
        subprocess.Popen([sys.executable, "-m", "consumers"], cwd=PROJECT_ROOT, env=env),
        subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
                          "app:create_app()"], cwd=PROJECT_ROOT, env=env),
    ]
    try:
        return _supervise(children)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _supervise(children: list[subprocess.Popen]) -> int:
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Stablework: API on http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
          "/api/v1/docs and the wage consumer are running; Ctrl-C stops both.", flush=True)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
