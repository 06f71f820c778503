"""The real service for the browser tests: what `bin/serve` runs (gunicorn, the wage consumer and the alerts process)
on a free loopback port and a throwaway SQLite database, seeded in this process before and while it runs."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import requests
from sqlalchemy.orm import Session

from app.access.tokens import issue_token
from app.migrate import upgrade_database
from app.runtime import Runtime, build_runtime
from app.settings import Settings
from infra import exec_prefix, tail
from support.data_keys import TEST_DATA_KEY
from support.served import ROOT, free_port

START_WITHIN_S = 60
STOP_WITHIN_S = 15


class ServedApp:
    """`python -m app.serve` on http://127.0.0.1:<port> (bin/serve without its install and migration steps, done
    here), its database, and an admin's API token for seeding through the API."""

    def __init__(self, workdir: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{workdir / 'stablework.db'}"
        self.log_path = workdir / "serve.log"
        self.env = {**os.environ, "PORT": str(self.port), "DATABASE_URL": self.database_url,
                    "STABLEWORK_DATA_KEYS": TEST_DATA_KEY, "LOG_LEVEL": "WARNING", **(env or {})}
        self.process: subprocess.Popen | None = None
        upgrade_database(self.database_url)
        self.runtime: Runtime = build_runtime(Settings.from_env(self.env))
        self.admin_token = self.seed(lambda session: issue_token(session, name="browser tests", role="admin"))
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {self.admin_token}"

    def seed(self, write: Callable[[Session], object]) -> object:
        """`write(session)` in one unit of work on the served database, from this process; what it returns."""
        with self.runtime.sessions.begin() as session:
            return write(session)

    def api_url(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def start(self) -> ServedApp:
        with self.log_path.open("w") as log:
            # A test run that is killed takes the server with it: its parent's death is a Ctrl-C to it.
            self.process = subprocess.Popen([*exec_prefix(pdeathsig="INT"), sys.executable, "-m", "app.serve"],
                                            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + START_WITHIN_S
        while not _answers(f"{self.url}/healthz"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"app.serve did not answer on {self.url} within {START_WITHIN_S}s "
                                     f"(exit {self.process.returncode}):\n{tail(self.log_path)}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        """Ctrl-C, as a person stops it; whatever is left after STOP_WITHIN_S is killed."""
        if self.process is not None and self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_WITHIN_S)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.api.close()
        self.runtime.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _signal_group(group: int, signum: int) -> None:
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        pass  # the whole group is gone already
