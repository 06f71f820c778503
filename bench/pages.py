"""(g) the pages under load: each role's main pages, asked for one after another by signed-in sessions, against
gunicorn as production runs it, while a load generator posts 1,000 events a second through the API and the
relay and a wage consumer apply them. The figure is each page's server time: gunicorn's own measure of the
request in its worker (the access log's %(D)s, from the request read to the response written; the queue
before it is not counted), matched to each request by its X-Request-ID. The baseline, asked for in the same
rounds under the same load, is the same server's /healthz and a balance read of the API.

Then, in Debian's Chromium (bench/page_bytes.py), the bytes the supervisor's register transfers: its first load
with an empty cache, and one mark sent from it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import requests
from urllib3.util.retry import Retry

from bench.kafka_pipeline import write_message
from bench.load import libpq
from bench.pages_county import PASSWORD, TODAY, PagesCounty, prepare_county
from bench.services import ROOT, VAR, Process, Services, gunicorn, settings_env, wait_http
from infra import free_port

# Each page measured: (role signed in, or None; what it is; its path, filled from the county's ids). A page
# not on main yet answers 404: its line stays, and the summary says so.
PAGES = (
    (None, "sign-in page", "/login"),
    ("supervisor", "landing page (to the main page)", "/"),
    ("supervisor", "register: today, the 300-worker site", "/register/?site={site}"),
    ("supervisor", "register: a worker's month", "/register/workers/{worker}?month={month}"),
    ("post_manager", "desk: the county's months", "/desk/months?month={closing}"),
    ("post_manager", "desk: the 300-worker site's village", "/desk/villages/{village}/months/{closing}"),
    ("post_manager", "desk: the 300-worker site's payroll sheet", "/desk/sites/{site}/months/{closing}"),
    ("poverty_office", "office: the alert inbox", "/office/alerts"),
    ("poverty_office", "office: a household", "/office/households/{household}"),
    ("poverty_office", "office: the county at a glance", "/office/county"),
    ("admin", "admin: the accounts list", "/accounts"),
)
BASELINES = (("/healthz", "/healthz"), ("balance read (API)", "/api/v1/workers/{worker}/balance"))
REGISTER_NAME = PAGES[2][1]
ACCESS_FORMAT = "%({x-request-id}i)s %(s)s %(D)s %(B)s"  # request id, status, microseconds, body bytes
START_DELAY_S = 5.0  # the load generator reads its messages and starts before the measurement


def run_pages(services: Services, county: PagesCounty, requests_per_page: int = 200, ingest_rate: float = 1000,
              warmup: int = 2, web_workers: int = 2, web_threads: int = 4, with_bytes: bool = True,
              budget_s: float = 20.0, match: str = "") -> dict:
    """Prepare the county, serve it with the pipeline running, and measure every page whose name contains
    `match` under load: each `requests_per_page` times, or at least 10 times and for `budget_s` of its answers'
    time (a slow page)."""
    dbname = f"bench_pages_{uuid.uuid4().hex[:6]}"
    made = prepare_county(services.postgres, county, dbname)
    pages = [(role, name, path) for role, name, path in PAGES if match in name]
    # enough events for every target's budget and more: the load is stopped once the pages are measured
    ingest_count = int(ingest_rate * min(900.0, (len(pages) + len(BASELINES)) * budget_s * 2 + 120))
    ingest_path, last_day = ingest_file(county, ingest_count)
    port, tag = free_port(), f"pages-{datetime.now():%H%M%S}"
    access_log = VAR / "logs" / f"{tag}-access.log"
    env = settings_env(DATABASE_URL=made["url"], STABLEWORK_BUS="kafka",
                       KAFKA_BOOTSTRAP_SERVERS=services.kafka.bootstrap, PORT=str(port), HOST="127.0.0.1",
                       WEB_CONCURRENCY=str(web_workers), WEB_THREADS=str(web_threads),
                       TOPIC_WORK_EVENTS=f"bench.{dbname}.work-events", TOPIC_DEAD_LETTERS=f"bench.{dbname}.dlt",
                       TOPIC_ALERTS=f"bench.{dbname}.alerts", CONSUMER_GROUP=f"bench-{dbname}",
                       STABLEWORK_TODAY=last_day.isoformat(),  # the days posted are done: none is refused
                       COOKIE_SECURE="false")  # requests keeps a Secure cookie off http://127.0.0.1
    server = gunicorn(env, tag, "--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT)
    pipeline = [Process(f"{tag}-relay", [sys.executable, "-m", "consumers", "relay"], env),
                Process(f"{tag}-consumer", [sys.executable, "-m", "consumers"], env)]
    base = f"http://127.0.0.1:{port}"
    ids, load = made["ids"], None
    result: dict = {"workers": county.workers, "households": county.households, "made": made["made"], "ids": ids,
                    "gunicorn": f"{web_workers}x{web_threads}", "ingest_rate": ingest_rate,
                    "load_avg_start": list(os.getloadavg())}
    try:
        wait_http(f"{base}/healthz")
        sessions = {role: signed_in(base, login) for role, login in made["logins"].items()}
        sessions[None] = new_session()
        targets = [(role, name, path.format(**ids)) for role, name, path in pages]
        targets += [("token", name, path.format(**ids)) for name, path in BASELINES]
        sessions["token"] = new_session()
        sessions["token"].headers["Authorization"] = f"Bearer {made['token']}"
        load = start_ingest(base, made["token"], ingest_rate, ingest_path, ingest_count)
        wait_for_pipeline(made["url"])
        ask_rounds(sessions, base, targets, warmup, "w", budget_s=budget_s / 5, least=1)
        window = time.time(), applied(made["url"])
        asked = ask_rounds(sessions, base, targets, requests_per_page, "m", budget_s=budget_s)
        window += (time.time(), applied(made["url"]))
        result["ingest"] = {**ingest_in_window(made["url"], *window), "throughout": load.poll() is None}
        result["pages"] = figures(targets, asked, read_access_log(access_log, {rid for rid, *_ in asked}))
        register = next((x for x in result["pages"] if x["name"] == REGISTER_NAME), None)
        with_bytes = with_bytes and register is not None
        if with_bytes and 200 in register["statuses"]:
            from bench.page_bytes import register_bytes

            result["bytes"] = register_bytes(base, made["logins"]["supervisor"], PASSWORD, register["path"])
        elif with_bytes:
            result["bytes"] = {"missing": f"the register answered {register['statuses']}"}
    finally:
        if load is not None:
            load.terminate()
            load.wait(30)
        for process in pipeline:
            process.stop()
        server.stop()
    result["load_avg_end"] = list(os.getloadavg())
    services.postgres.drop_database(dbname)
    return result


def new_session() -> requests.Session:
    """A client session that asks again when gunicorn has closed its idle connection (keep-alive: 2 s) just as
    the session reuses it: no answer was given, so nothing is measured twice."""
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(max_retries=Retry(total=2, backoff_factor=0)))
    return session


def signed_in(base: str, login: str) -> requests.Session:
    """A session signed in through the sign-in form, with its CSRF token, as a person signs in."""
    session = new_session()
    form = session.get(f"{base}/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    answer = session.post(f"{base}/login", data={"login": login, "password": PASSWORD,
                                                "csrf_token": token and token.group(1)},
                          allow_redirects=False, timeout=30)
    if answer.status_code not in (302, 303):
        raise RuntimeError(f"signing in as {login} answered {answer.status_code}: {answer.text[:300]}")
    return session


def ask_rounds(sessions: dict, base: str, targets: list, rounds: int, prefix: str, budget_s: float | None = None,
               least: int = 10) -> list[tuple]:
    """Every target once a round, in turn, so that the pages and the baselines share the same moments of load,
    until a target has had `rounds` requests, or `least` and `budget_s` of its answers' time (a slow page):
    (request id, target index, status, client seconds, body bytes) of each request."""
    asked, spent, counts = [], [0.0] * len(targets), [0] * len(targets)
    for n in range(rounds):
        for index, (role, _name, path) in enumerate(targets):
            if budget_s is not None and counts[index] >= least and spent[index] >= budget_s:
                continue
            rid = f"{prefix}{n}-{index}-{uuid.uuid4().hex[:6]}"
            sent = time.perf_counter()
            answer = sessions[role].get(base + path, headers={"X-Request-ID": rid}, allow_redirects=False,
                                        timeout=120)
            took = time.perf_counter() - sent
            asked.append((rid, index, answer.status_code, took, len(answer.content)))
            spent[index] += took
            counts[index] += 1
    return asked


def read_access_log(path: Path, wanted: set[str], timeout: float = 10) -> dict[str, float]:
    """Server time (s) of each wanted request id, from gunicorn's access log (each line written after its answer)."""
    deadline = time.monotonic() + timeout
    while True:
        times = {}
        for line in path.read_text().splitlines():
            rid, _status, micros, _bytes = line.split()
            if rid in wanted:
                times[rid] = int(micros) / 1e6
        if len(times) == len(wanted) or time.monotonic() > deadline:
            return times
        time.sleep(0.2)


def figures(targets: list, asked: list[tuple], server: dict[str, float]) -> list[dict]:
    out = []
    for index, (role, name, path) in enumerate(targets):
        mine = [a for a in asked if a[1] == index]
        statuses: dict[int, int] = {}
        for _rid, _index, status, _took, _size in mine:
            statuses[status] = statuses.get(status, 0) + 1
        out.append({"role": role, "name": name, "path": path, "baseline": role == "token", "requests": len(mine),
                    "statuses": statuses, "bytes": max(a[4] for a in mine),
                    **percentiles([server[a[0]] for a in mine if a[0] in server], "server"),
                    **percentiles([a[3] for a in mine], "client")})
    return out


def percentiles(values: list[float], name: str) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {f"{name}_p50_ms": at(0.5), f"{name}_p95_ms": at(0.95), f"{name}_max_ms": ordered[-1] * 1000,
            f"{name}_count": len(ordered)}


def start_ingest(base: str, token: str, rate: float, path: Path, count: int) -> subprocess.Popen:
    """`python -m bench.loadgen post` at `rate` events a second (batches of 100): the `count` events of `path`."""
    start_at = str(time.time() + START_DELAY_S)
    return subprocess.Popen([sys.executable, "-m", "bench.loadgen", "post", f"{base}/api/v1", token, str(path),
                             "--count", str(count), "--batch", "100", "--concurrency", "4", "--rate", str(rate),
                             "--start-at", start_at], cwd=ROOT, stdout=subprocess.DEVNULL)


def ingest_file(county: PagesCounty, count: int) -> tuple[Path, date]:
    """var/bench/messages-pages-<workers>w-<count>.bin: `count` events of the county's days after TODAY, as
    phones upload them; and the last of those days."""
    days = -(-count // max(1, int(county.workers * 0.95))) + 1
    last_day = TODAY + timedelta(days=days)
    path = VAR / f"messages-pages-{county.workers}w-{county.big_site}b-{count}.bin"
    if path.exists():
        return path, last_day
    later = PagesCounty(county.workers, seed=county.seed, first_day=TODAY + timedelta(days=1),
                        big_site=county.big_site)
    VAR.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".tmp"), "wb") as out:
        for n, (key, value) in enumerate(later.messages(days)):
            if n == count:
                break
            write_message(out, key.encode(), value)
    path.with_suffix(".tmp").rename(path)
    return path, last_day


def wait_for_pipeline(url: str, timeout: float = 180) -> None:
    """Until the wage consumer applies the posted events: the load runs from end to end."""
    deadline, before = time.monotonic() + timeout, applied(url)
    while applied(url) == before:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no posted event applied in {timeout:.0f} s: see var/bench/logs/pages-*")
        time.sleep(0.5)


def applied(url: str) -> int:
    with psycopg.connect(libpq(url)) as conn:
        return conn.execute("SELECT count(*) FROM processed_events").fetchone()[0]


def ingest_in_window(url: str, started: float, applied_before: int, ended: float, applied_after: int) -> dict:
    """Events the API accepted and the wage consumer applied while the pages were measured, a second."""
    with psycopg.connect(libpq(url)) as conn:
        accepted = conn.execute("SELECT count(*) FROM received_events WHERE received_at BETWEEN %s AND %s",
                                (datetime.fromtimestamp(started, UTC), datetime.fromtimestamp(ended, UTC))
                                ).fetchone()[0]
        dead = conn.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
    seconds = ended - started
    return {"seconds": seconds, "accepted_rate": accepted / seconds,
            "applied_rate": (applied_after - applied_before) / seconds, "dead_letters": dead}
