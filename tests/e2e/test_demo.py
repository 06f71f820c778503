"""The newcomer's demo: bin/demo loads the county, serves it, and the office has the alerts the README states,
whatever the calendar says (the demo's clock is fixed), without touching the user's var/demo.db; its jobs part
answers the Chen family's income alert with a hire that is paid like any work."""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import urllib.request
from collections import defaultdict

from support.served import README, ROOT, free_port, sign_in_over_http, wait_ready, worker_sign_in_over_http


def readme_demo_alerts() -> dict[str, set[str]]:
    """The README's table of the demo's alerts: kind -> the subjects it names."""
    table = re.search(r"<!-- demo:alerts -->\n(.*?)\n\n", README, re.S)
    assert table, "README has no table of the demo's alerts"
    rows = re.findall(r"^\| `(\w+)` \| (\d+) \| (.*?) \|$", table.group(1), re.M)
    stated = {kind: set(re.findall(r"`([\w-]+)`", subjects)) for kind, _, subjects in rows}
    assert rows and all(int(count) == len(stated[kind]) for kind, count, _ in rows), table.group(1)
    total = re.search(r"The office then has these (\d+) alerts", README)
    assert total and int(total.group(1)) == sum(len(subjects) for subjects in stated.values())
    return stated


def readme_demo_accounts() -> dict[str, str]:
    """The README's table of the demo's accounts: login -> password."""
    table = re.search(r"<!-- demo:accounts -->\n(.*?)\n\n", README, re.S)
    assert table, "README has no table of the demo's accounts"
    return dict(re.findall(r"^\| `([\w.-]+)` \| `(\S+)` \|", table.group(1), re.M))


def printed_accounts(printed: str) -> dict[str, str]:
    """The accounts bin/demo prints under its sign-in line: login -> password."""
    block = re.search(r"Sign in to the pages at (\S+) .*?\n\n(.*?)\n\n", printed, re.S)
    assert block, printed
    return dict(re.findall(r"^  (\S+) +(\S+) +\S", block.group(2), re.M))


def first_run_environment(port: int) -> dict[str, str]:
    """A newcomer's environment: no data key set (whatever the shell running the tests has), so the demo makes its
    own beside its database."""
    return {**{k: v for k, v in os.environ.items() if k != "STABLEWORK_DATA_KEYS"}, "PORT": str(port)}


def api_reader(base: str, token: str):
    def read(path: str) -> dict:
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())
    return read


def wait_for(read, check, process) -> dict:
    """What `read()` answers once `check` holds of it (the served consumer applies the last staged events)."""
    deadline = time.monotonic() + 30
    while not check(found := read()):
        assert time.monotonic() < deadline and process.poll() is None, found
        time.sleep(0.2)
    return found


def test_bin_demo_serves_a_county_whose_office_has_the_alerts_the_readme_states(tmp_path):
    port = free_port()
    # What the script prints for the user (the token, shown once) apart from its log (searched for secrets).
    out_path, log_path = tmp_path / "demo.out", tmp_path / "demo.log"
    with out_path.open("w") as out, log_path.open("w") as log:
        process = subprocess.Popen([str(ROOT / "bin" / "demo"), str(tmp_path / "demo.db")], cwd=ROOT,
                                   env=first_run_environment(port), stdout=out, stderr=log,
                                   start_new_session=True)
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz", process, timeout=180)
        deadline = time.monotonic() + 30
        while not (match := re.search(r"export TOKEN=(\S+)", out_path.read_text())):
            assert time.monotonic() < deadline, out_path.read_text() + log_path.read_text()
            time.sleep(0.2)
        # The consumer's alert schedule checks once as it starts: read the alerts after that check.
        while '"alerts evaluated"' not in log_path.read_text():
            assert time.monotonic() < deadline and process.poll() is None, log_path.read_text()[-3000:]
            time.sleep(0.2)
        read = api_reader(f"http://127.0.0.1:{port}", match.group(1))
        alerts = read("/api/v1/alerts?limit=100")["items"]
        printed = out_path.read_text()
        jobs = re.search(r"^Jobs, .* answered by a hire at (\S+)/office/alerts/(\w+), a vacancy's public page at "
                         r"(\S+)/v/([\w-]+), the interest left on it at (\S+)/jobs/requests$", printed, re.M)
        assert jobs and {jobs.group(1), jobs.group(3), jobs.group(5)} == {f"http://127.0.0.1:{port}"}, printed
        answered = read(f"/api/v1/alerts/{jobs.group(2)}")
        referrals = read("/api/v1/referrals?worker_id=chen-wei")["items"]
        november = wait_for(lambda: read("/api/v1/workers/chen-wei/balance?period=2026-11"),
                            lambda balance: balance["earned_fen"] > 0, process)
        figures = read("/api/v1/stats/return-to-work?region=360731&date=2026-11-05")["figures"]
        disputes = wait_for(lambda: read("/api/v1/stats/disputes?region=360731"),
                            lambda counts: counts["raised"] > 0, process)
        accounts = printed_accounts(out_path.read_text())
        signed_in = {login: sign_in_over_http(f"http://127.0.0.1:{port}", login, password)
                     for login, password in accounts.items()}
        wrong = sign_in_over_http(f"http://127.0.0.1:{port}", "yudu-admin", "not the demo password")
        phone = re.search(r"/me/login: Wang Li, phone (\d+)", out_path.read_text()).group(1)
        worker = worker_sign_in_over_http(f"http://127.0.0.1:{port}", phone, log_path)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    subjects = defaultdict(set)
    for alert in alerts:
        subjects[alert["kind"]].add(alert["subject_id"])
    assert dict(subjects) == readme_demo_alerts()
    assert (tmp_path / "demo.db").exists() and (tmp_path / "data.key").exists()
    assert "as of 5 November 2026" in out_path.read_text()
    assert accounts == readme_demo_accounts()
    assert {"yudu-admin", "pantian-shoes", "yudu-posts", "yudu-office"} <= set(accounts)
    assert signed_in == dict.fromkeys(accounts, (302, "/"))
    assert wrong[0] == 401
    assert worker == (303, "/me/")
    assert f"http://127.0.0.1:{port}/login" in out_path.read_text()
    # The income alert answered by a hire: Chen Wei referred, hired (the hire made his assignment) and earning
    # for his first November days; the alert's vacancies are for the family's other idle member.
    assert (answered["kind"], answered["subject_id"], answered["status"]) == ("income_drop", "hh-chen", "open")
    assert answered["vacancies"] and {vacancy["worker_id"] for vacancy in answered["vacancies"]} == {"chen-xiu"}
    assert [(r["vacancy_id"], r["status"], r["assignment_id"] is not None) for r in referrals] == [
        ("v-seedlings", "hired", True)]
    assert (november["earned_fen"], [p["period"] for p in november["periods"]]) == (3 * 11000, ["2026-11"])
    assert figures["baseline"] and figures["hires"] == 1 and figures["returned_to_work"] > 0
    # Wang Li's dispute of his hours, open for the shoe workshop's supervisor to answer
    assert [(site["site_id"], site["open"]) for site in disputes["sites"]] == [("ws-shoes", 1)]
    assert "/register/disputes" in printed
    with sqlite3.connect(tmp_path / "demo.db") as db:
        assert db.execute("SELECT vacancy_id, status FROM vacancy_interests").fetchall() == [(jobs.group(4), "new")]
