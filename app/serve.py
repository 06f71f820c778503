"""`python -m app.serve`: the API (gunicorn), the wage consumer and the alerts process as one command.

For a first run on one machine. Production runs them as separate services (docker-compose.yml).
The port is bound here, before anything starts, and handed to gunicorn: a taken port is one line and a
quick exit. Any child ending stops the others; SIGTERM stops them gracefully, SIGINT (Ctrl-C) at once.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from app.settings import PROJECT_ROOT

# How long gunicorn waits for its workers to stop before killing them: a person at a terminal stops this
# often and waits for it; a worker that misses its signal (seen while one is still booting) is killed then.
GRACE_S = 2
QUICK_STOP_S = GRACE_S  # Ctrl-C: whatever is left then is killed (each unit of work survives a kill)
STOP_WAIT_S = GRACE_S + 10  # SIGTERM: gunicorn's own stop is never cut short


class PortUnavailable(Exception):
    """HOST:PORT cannot be listened on."""


def main() -> int:
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    try:
        listener = listen(host, port)
    except PortUnavailable as error:
        print(f"Stablework: {error}", file=sys.stderr, flush=True)
        return 1
    # One metrics folder for all children: the API's /metrics then shows the consumer's too.
    metrics_dir = tempfile.mkdtemp(prefix="stablework-metrics-")
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
    stopping = StopRequest()
    try:
        with listener:
            # Each child leads its own process group, so that stopping it reaches its workers too, and only this
            # process decides when and how the children stop (Ctrl-C at a terminal reaches this process alone).
            children = [
                subprocess.Popen([sys.executable, "-m", "consumers"], cwd=PROJECT_ROOT, env=env, process_group=0),
                subprocess.Popen([sys.executable, "-m", "consumers", "alerts"], cwd=PROJECT_ROOT, env=env,
                                 process_group=0),
                subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(PROJECT_ROOT / "gunicorn.conf.py"),
                                  "--bind", f"fd://{listener.fileno()}", "--graceful-timeout", str(GRACE_S),
                                  "app:create_app()"],
                                 cwd=PROJECT_ROOT, env=env, pass_fds=(listener.fileno(),), process_group=0),
            ]
        return _supervise(children, f"http://{host}:{port}", stopping)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def listen(host: str, port: str) -> socket.socket:
    """A socket listening on host:port, to hand to gunicorn; PortUnavailable says why there is none."""
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise PortUnavailable(f"PORT={port!r} is not a port number (1 to 65535)")
    try:
        return socket.create_server((host, int(port)), backlog=2048)
    except OSError as error:
        raise PortUnavailable(f"cannot listen on {host}:{port} ({error.strerror}); set PORT to a free port "
                              f"(as in PORT={int(port) % 65535 + 1}), or HOST to an address of this machine") from None


class StopRequest:
    """The signal that asked this process to stop, if any (SIGTERM or SIGINT)."""

    def __init__(self):
        self.signum: int | None = None
        signal.signal(signal.SIGTERM, self._set)
        signal.signal(signal.SIGINT, self._set)

    def _set(self, signum, _frame):
        self.signum = signum


def _supervise(children: list[subprocess.Popen], url: str, stopping: StopRequest) -> int:
    announced = False
    while stopping.signum is None and all(child.poll() is None for child in children):
        if not announced and _answers(f"{url}/healthz"):
            print(f"Stablework: API on {url}/api/v1/docs, the wage consumer and the alerts process are running; "
                  "Ctrl-C stops them.", flush=True)
            announced = True
        time.sleep(0.1)
    for child in children:
        _signal_group(child, stopping.signum or signal.SIGTERM)
    deadline = time.monotonic() + (QUICK_STOP_S if stopping.signum == signal.SIGINT else STOP_WAIT_S)
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child, signal.SIGKILL)  # the child and what is left of its group: gunicorn's workers
            child.wait()
    return 0 if stopping.signum is not None else 1


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass  # the whole group is gone already


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
