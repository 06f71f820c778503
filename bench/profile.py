"""Profile the wage consumer's batch path in-process with pyinstrument (or report where it is not installed).

    .venv/bin/python -m bench.profile --workers 5000 --days 2 [--embedded | --api]   (pip install pyinstrument)

Builds a fresh database with the registry, puts the events on the bus (a Kafka topic, or the
embedded event log), then runs the project's `consume_once` loop under the profiler until the bus
is drained. Writes var/bench/profile-<bus>.txt (and -all.txt with every frame) and prints the top of the call tree.
With --api: the Flask app in-process on PostgreSQL, batch POST /events and balance reads, one request at a time.
"""
from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from dataclasses import replace

from bench.country import Country
from bench.services import VAR, Services, use_bench_data_key


def drain(runtime, consumer) -> int:
    from consumers.loop import consume_once

    total = 0
    while handled := consume_once(runtime, consumer):
        total += handled
    return total


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--workers", type=int, default=5000)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--embedded", action="store_true", help="SQLite + the embedded log instead of Kafka + PG")
    parser.add_argument("--batch-size", type=int, help="CONSUMER_BATCH_SIZE (default: the settings' own)")
    parser.add_argument("--post-batch", type=int, default=1000, help="with --api: events per POST /events")
    parser.add_argument("--sampler", choices=("pyinstrument", "none"), default="pyinstrument")
    parser.add_argument("--api", action="store_true",
                        help="profile the API in-process instead (Flask test client on PostgreSQL): batch POST "
                             "/events and GET /workers/{id}/balance, one request at a time")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    use_bench_data_key()
    if args.api:
        return profile_api(args)
    os.environ["LOG_LEVEL"] = "WARNING"
    from app.logs import configure_logging
    from app.runtime import build_runtime
    from app.settings import Settings
    from consumers.loop import tune_garbage_collector

    base = Settings.from_env()
    if args.batch_size:
        base = replace(base, consumer_batch_size=args.batch_size)
    country = Country(args.workers)
    services = Services(kafka=not args.embedded, postgres=not args.embedded).start() if not args.embedded else None
    try:
        settings, total = fill_bus(args, base, country, services)
        runtime = build_runtime(settings)
        configure_logging("WARNING")
        consumer = runtime.bus.consumer(settings.consumer_group, [settings.topic_work_events])
        # Join the group and get the first records before profiling (the join is not the batch path).
        warm = consume_first(runtime, consumer)
        tune_garbage_collector()  # as `python -m consumers` does once started
        started, cpu = time.perf_counter(), time.process_time()
        profiler = _sampler(args.sampler)
        applied = drain(runtime, consumer) + warm
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiler is not None:
            profiler.stop()
        consumer.close()
        runtime.close()
        name = "embedded" if args.embedded else "kafka"
        print(f"applied {applied} of {total} events; profiled part {applied - warm} in {seconds:.1f}s "
              f"= {(applied - warm) / seconds:,.0f} events/s, {cpu / (applied - warm) * 1e6:.0f} µs of the "
              f"consumer's CPU an event{' (under the profiler)' if args.sampler != 'none' else ''}")
        if profiler is not None:
            write_profile(profiler, name)
    finally:
        if services:
            services.stop()


def fill_bus(args, base, country: Country, services: Services | None) -> tuple:
    """Settings over a fresh database with the registry, and the count of events put on their bus."""
    if args.embedded:
        from bench.embedded import fill_event_log, fresh_sqlite

        url = fresh_sqlite(country, "profile")
        total = fill_event_log(url, country, args.days)
        return replace(base, database_url=url, bus="embedded", log_level="WARNING"), total
    from bench.kafka_pipeline import create_topic, message_file, produce
    from bench.load import prepare_postgres

    path, total = message_file(country, args.days)
    topic = f"bench.profile.{uuid.uuid4().hex[:6]}"
    create_topic(services.kafka.bootstrap, topic)
    produce(services.kafka.bootstrap, topic, path, total)
    url = prepare_postgres(services.postgres, "bench_profile", country)
    settings = replace(base, database_url=url, bus="kafka",
                       kafka_bootstrap_servers=services.kafka.bootstrap, topic_work_events=topic,
                       topic_dead_letters=topic + ".dlt", consumer_group="bench-profile",
                       log_level="WARNING")
    return settings, total


def write_profile(profiler, name: str) -> None:
    """The call tree to var/bench (the top, and every frame in -all.txt), and its top on the terminal."""
    VAR.mkdir(parents=True, exist_ok=True)
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    (VAR / f"profile-{name}-all.txt").write_text(
        profiler.output_text(unicode=False, color=False, show_all=True))
    (VAR / f"profile-{name}.txt").write_text(text)
    print(text[:12000])
    print(f"full profile: {VAR / f'profile-{name}.txt'} and -all.txt")


def profile_api(args) -> None:
    """CPU per request, in-process (no gunicorn, no network): what one core can serve at best."""
    import json
    import random

    from app import create_app
    from app.settings import Settings
    from bench.kafka_pipeline import message_file, read_messages
    from bench.load import admin_token, prepare_postgres

    os.environ.update(RATE_LIMIT_READS="10000000/minute", RATE_LIMIT_WRITES="10000000/minute", LOG_LEVEL="WARNING")
    country = Country(args.workers)
    services = Services(kafka=False).start()
    try:
        path, total = message_file(country, args.days)
        url = prepare_postgres(services.postgres, "bench_profile_api", country)
        token = admin_token(url)
        settings = replace(Settings.from_env(), database_url=url, bus="kafka", log_level="WARNING")
        app = create_app(settings)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        values = [value for _, value in read_messages(path)]
        size = args.post_batch
        bodies = [b'{"events":[' + b",".join(values[i:i + size]) + b"]}" for i in range(0, len(values), size)]
        rng = random.Random(7)
        timings = {}
        for name, calls in (
            (f"POST /events ({size} per request)", [("post", body) for body in bodies]),
            ("GET /workers/{id}/balance", [("get", f"/api/v1/workers/w{rng.randrange(country.workers):08d}/balance")
                                           for _ in range(1000)]),
        ):
            profiler = _sampler(args.sampler)
            started, cpu = time.perf_counter(), time.process_time()
            for method, arg in calls:
                if method == "post":
                    response = client.post("/api/v1/events", data=arg, headers=headers)
                    assert response.status_code == 202, response.get_data()[:300]
                else:
                    response = client.get(arg, headers=headers)
                    assert response.status_code == 200, response.get_data()[:300]
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            timings[name] = {"requests": len(calls), "seconds": seconds, "ms_per_request": seconds / len(calls) * 1000,
                             "cpu_ms_per_request": cpu / len(calls) * 1000}
            if profiler is None:
                timing = timings[name]
                print(f"== {name}: {len(calls)} requests in {seconds:.1f}s = {timing['ms_per_request']:.2f} ms each, "
                      f"{timing['cpu_ms_per_request']:.2f} ms of this process's CPU")
                continue
            profiler.stop()
            slug = "api-post" if method == "post" else "api-balance"
            text = profiler.output_text(unicode=False, color=False, show_all=False)
            VAR.mkdir(parents=True, exist_ok=True)
            (VAR / f"profile-{slug}.txt").write_text(text)
            print(f"== {name}: {len(calls)} requests in {seconds:.1f}s = {seconds / len(calls) * 1000:.1f} ms each "
                  f"(under the profiler)\n{text[:6000]}")
        print(json.dumps(timings))
    finally:
        services.stop()


def _sampler(name: str):
    """A started pyinstrument profiler, or None when timing alone."""
    if name == "none":
        return None
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    return profiler


def consume_first(runtime, consumer) -> int:
    from consumers.loop import consume_once

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        handled = consume_once(runtime, consumer)
        if handled:
            return handled
    raise RuntimeError("nothing to consume")


if __name__ == "__main__":
    threading.current_thread().name = "bench-profile"
    main()
