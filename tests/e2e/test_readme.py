"""The README's run command and walk-through, exactly as a newcomer would type them."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest
from support.served import README, ROOT, free_port, sign_in_over_http, wait_ready


def fenced_block_after(marker: str) -> str:
    match = re.search(re.escape(marker) + r"\s*```\w*\n(.*?)```", README, re.S)
    assert match, f"README has no code block after {marker}"
    return match.group(1)


@pytest.fixture
def served(tmp_path):
    port = free_port()
    # The schedule fires at once: the month just ended is due one day after it ends, checked every second.
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'walk.db'}",
           "ALERT_EVALUATION_DAY": "1", "ALERT_CHECK_INTERVAL_S": "1"}
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([str(ROOT / "bin" / "serve")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz", process)
        yield port, env, process, tmp_path / "serve.log"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()


def test_readme_walkthrough_gives_the_documented_balance(served):
    port, env, process, _ = served
    script = fenced_block_after("<!-- walkthrough:start -->").replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert json.loads(lines[-2]) == {"accepted": 1, "duplicates": 0,
                                     "results": [{"id": "0b7e2f4c-3d1a-4e5f-9a8b-7c6d5e4f3a21",
                                                  "status": "accepted"}]}
    assert json.loads(lines[-1]) == json.loads(fenced_block_after("<!-- walkthrough:answer -->"))


def test_serve_stops_cleanly_on_sigterm(served):
    _, _, process, _ = served
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def test_metrics_of_api_and_consumer_are_exposed_together(served):
    port, _, _, _ = served

    def scrape() -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return response.read().decode()

    deadline = time.monotonic() + 30
    while "stablework_consumer_lag" not in scrape():  # written by the consumer process, once it polls
        assert time.monotonic() < deadline, "the consumer's metrics never appeared"
        time.sleep(0.3)
    assert 'stablework_http_requests_total{method="GET",route="/readyz",status="200"}' in scrape()


def test_serve_evaluates_the_alerts_by_schedule(served):
    _, _, _, log = served
    deadline = time.monotonic() + 30
    while '"event": "alerts evaluated"' not in log.read_text():
        assert time.monotonic() < deadline, "no scheduled alert evaluation:\n" + log.read_text()[-3000:]
        time.sleep(0.3)


def test_the_first_admin_made_as_the_readme_says_signs_in_to_the_pages(served):
    port, env, _, _ = served
    script = fenced_block_after("<!-- signin:start -->")
    made = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**env, "STABLEWORK_NEW_PASSWORD": "my first password"}, timeout=60)
    login = re.search(r"--login (\S+)", script).group(1)

    assert made.returncode == 0, made.stderr
    assert sign_in_over_http(f"http://127.0.0.1:{port}", login, "my first password") == (302, "/")
    assert sign_in_over_http(f"http://127.0.0.1:{port}", login, "not my password")[0] == 401
