"""(c) the API under gunicorn (production settings: 2 workers x 4 threads, Kafka bus so events are
staged in the outbox): batch POST /events accepted per second, and GET /workers/{id}/balance
latency at a fixed request rate while events are being posted at a fixed rate. Load comes from
separate processes (`python -m bench.loadgen`)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

from bench.country import Country
from bench.kafka_pipeline import message_file
from bench.load import admin_token, prepare_postgres
from bench.services import ROOT, Process, Services, gunicorn, peak_rss_tree_mib, settings_env, wait_http
from infra import free_port

START_DELAY_S = 5.0  # time for both load generators to start and load their work before the measurement


def _loadgen(*argv: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.loadgen", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)


def _result(process: subprocess.Popen) -> dict:
    out, _ = process.communicate(timeout=900)
    if process.returncode:
        raise RuntimeError(f"load generator failed ({process.returncode}): {out[-2000:]}")
    return json.loads(out.strip().splitlines()[-1])


READ_SECONDS, INGEST_RATE = 30, 1000  # the mixed test: reads for 30 s while posting 1,000 events a second


def events_needed(ingest_events: int, repeats: int, ingest_rate: float = INGEST_RATE,
                  read_seconds: float = READ_SECONDS) -> int:
    """Events `run_api` posts: the throughput run's, and the mixed run's with a fifth to spare, each repeat."""
    return (ingest_events + int(ingest_rate * read_seconds * 1.2)) * repeats


def run_api(services: Services, country: Country, days: int, ingest_events: int, read_seconds: float = READ_SECONDS,
            read_rps: float = 300, ingest_rate: float = INGEST_RATE, concurrency: int = 4,
            with_pipeline: bool = False, repeats: int = 1, web_workers: int = 2, web_threads: int = 4) -> dict:
    """Throughput first (the first `ingest_events` events, as fast as possible, batches of 1000), then
    balance reads at `read_rps` while posting at `ingest_rate` (batches of 100) for `read_seconds`; each
    `repeats` times. `reads` is the mixed run of median p99, `mixed_runs` all of them."""
    path, total = message_file(country, days)
    needed = events_needed(ingest_events, repeats, ingest_rate, read_seconds)
    if total < needed:
        raise ValueError(f"{total} events in the file, {needed} needed: more days")
    url = prepare_postgres(services.postgres, "bench_api", country, quiet=True)
    token = admin_token(url)
    port = free_port()
    env = settings_env(DATABASE_URL=url, STABLEWORK_BUS="kafka", KAFKA_BOOTSTRAP_SERVERS=services.kafka.bootstrap,
                       PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY=str(web_workers),
                       WEB_THREADS=str(web_threads),
                       TOPIC_WORK_EVENTS="bench.api.work-events", TOPIC_DEAD_LETTERS="bench.api.dlt",
                       TOPIC_ALERTS="bench.api.alerts", CONSUMER_GROUP="bench-api")
    server = gunicorn(env, "api")
    helpers: list[Process] = []
    base = f"http://127.0.0.1:{port}/api/v1"
    result: dict = {}
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        throughput = []
        for n in range(repeats):
            throughput.append(_result(_loadgen("post", base, token, str(path), "--skip", str(n * ingest_events),
                                               "--count", str(ingest_events), "--batch", "1000",
                                               "--concurrency", str(concurrency))))
        result["ingest"] = throughput
        # capacity for balance reads alone (closed loop, 8 connections), before the mixed test
        result["reads_alone"] = _result(_loadgen("read", base, token, "--workers", str(country.workers),
                                                 "--rps", "0", "--duration", "10", "--threads", "8"))
        if with_pipeline:
            helpers = [Process("api-relay", [sys.executable, "-m", "consumers", "relay"], env),
                       Process("api-consumer", [sys.executable, "-m", "consumers"], env),
                       Process("api-alerts", [sys.executable, "-m", "consumers", "alerts"], env)]
        posted = int(ingest_rate * read_seconds)
        runs = []
        for n in range(repeats):  # a run's p99 is its worst 90 reads: one slow second of the host can make it
            skip = repeats * ingest_events + n * posted
            runs.append(_mixed(base, token, port, path, country, skip, posted, ingest_rate, read_rps, read_seconds))
        runs.sort(key=lambda run: run["reads"].get("latency_p99_ms", float("inf")))
        median_run = runs[len(runs) // 2]
        result.update(reads=median_run["reads"], ingest_during_reads=median_run["ingest"], mixed_runs=runs)
        result["with_pipeline"] = with_pipeline
        result["gunicorn"] = f"{web_workers}x{web_threads}"
        result["gunicorn_peak_rss_mib"] = peak_rss_tree_mib(server.pid)
        result["helpers_peak_rss_mib"] = {helper.name: helper.peak_rss_mib() for helper in helpers}
    finally:
        for helper in helpers:
            helper.stop()
        server.stop()
    services.postgres.drop_database("bench_api")
    return result


def _mixed(base: str, token: str, port: int, path, country: Country, skip: int, posted: int, ingest_rate: float,
           read_rps: float, read_seconds: float) -> dict:
    """One run of balance reads at `read_rps` while `posted` events are posted at `ingest_rate` (batches of 100).
    Both generators start their schedules together, once both are loaded: reading the message file and
    starting Python take a core for a few seconds, which would otherwise count against the server."""
    before = _balance_histogram(port)
    start_at = str(time.time() + START_DELAY_S)
    ingest = _loadgen("post", base, token, str(path), "--skip", str(skip), "--count", str(posted), "--batch", "100",
                      "--concurrency", "4", "--rate", str(ingest_rate), "--start-at", start_at)
    reads = _loadgen("read", base, token, "--workers", str(country.workers), "--rps", str(read_rps),
                     "--duration", str(read_seconds), "--start-at", start_at)
    run = {"reads": _result(reads)}
    run["reads"]["server_side"] = _over_50ms(before, _balance_histogram(port))
    run["ingest"] = _result(ingest)
    return run


def _balance_histogram(port: int) -> dict[float, float]:
    """The API's own latency histogram for balance reads (cumulative counts by upper bound, in s), as
    /metrics has it now: the time inside Flask, without gunicorn's queue, the network or the client."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_bucket") and sample.labels.get("route", "").endswith("/balance"):
                bound = float(sample.labels["le"])
                buckets[bound] = buckets.get(bound, 0.0) + sample.value  # one series per method: GET
    return buckets


def _over_50ms(before: dict[float, float], after: dict[float, float]) -> dict:
    """Requests between two scrapes, and how many of them took the server over 50 ms."""
    total = after.get(float("inf"), 0.0) - before.get(float("inf"), 0.0)
    fast = after.get(0.05, 0.0) - before.get(0.05, 0.0)
    return {"requests": int(total), "over_50ms": int(total - fast)}
