"""HTTP load from a second process, printing one JSON line of results.

    python -m bench.loadgen post URL TOKEN FILE --skip N --count N [--batch 1000] [--concurrency 4] [--rate EV/S]
    python -m bench.loadgen read URL TOKEN --workers N --rps 300 --duration 30 [--threads 32]

`post` sends the events of FILE (bench.kafka_pipeline's message file) as batch POST /events,
as fast as it can or paced at --rate events/s. `read` is open-loop: requests are scheduled at a
fixed rate and latency is measured from the scheduled time (so a slow server is not hidden by a
waiting client: no coordinated omission), GET /workers/{id}/balance for random workers.
"""
from __future__ import annotations

import argparse
import collections
import http.client
import json
import queue
import random
import resource
import statistics
import sys
import threading
import time
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)


def _request(conn_holder: list, url: str, method: str, path: str, body: bytes | None,
             headers: dict) -> tuple[int, bytes]:
    for attempt in (1, 2):
        try:
            conn = conn_holder[0]
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            conn_holder[0].close()
            conn_holder[0] = _connection(url)
            if attempt == 2:
                raise
    raise AssertionError


def post(args) -> dict:
    from bench.kafka_pipeline import read_messages

    values = [value for _key, value in islice(read_messages(Path(args.file)), args.skip, args.skip + args.count)]
    bodies = [b'{"events":[' + b",".join(values[i:i + args.batch]) + b"]}" for i in range(0, len(values), args.batch)]
    path = urlsplit(args.url).path.rstrip("/") + "/events"
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}
    work: queue.Queue = queue.Queue()
    started, cpu = _start(args), _cpu_seconds()
    for n, body in enumerate(bodies):
        work.put((started + n * args.batch / args.rate if args.rate else 0.0, body))
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    accepted = [0]
    lock = threading.Lock()

    def worker() -> None:
        holder = [_connection(args.url)]
        while True:
            try:
                due, body = work.get_nowait()
            except queue.Empty:
                return
            if due:
                time.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            status, payload = _request(holder, args.url, "POST", path, body, headers)
            took = time.perf_counter() - sent
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(took)
                if status == 202:
                    accepted[0] += json.loads(payload)["accepted"]
                elif len(statuses) < 5:
                    print(f"POST /events answered {status}: {payload[:300]!r}", file=sys.stderr)

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"events": len(values), "accepted": accepted[0], "requests": len(bodies), "seconds": seconds,
            "rate": accepted[0] / seconds, "statuses": statuses, **_percentiles(latencies, "request"),
            **_client_cpu(cpu, seconds)}


def read(args) -> dict:
    if not args.rps:
        return read_closed(args)
    prefix = urlsplit(args.url).path.rstrip("/")
    headers = {"Authorization": f"Bearer {args.token}"}
    rng = random.Random(7)
    total = int(args.rps * args.duration)
    schedule: queue.Queue = queue.Queue()
    latencies: list[float] = []
    service: list[float] = []
    slow_by_second: collections.Counter = collections.Counter()  # requests over 50 ms, by second of the run
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    started, cpu = _start(args, lead=0.5), _cpu_seconds()

    def worker() -> None:
        holder = [_connection(args.url)]
        while True:
            item = schedule.get()
            if item is None:
                return
            due, worker_id = item
            time.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            status, _ = _request(holder, args.url, "GET", f"{prefix}/workers/{worker_id}/balance", None, headers)
            done = time.perf_counter()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(done - due)
                service.append(done - sent)
                slow_by_second[int(due - started)] += (done - due) > 0.05

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for n in range(total):  # feed the schedule a little ahead of time
        due = started + n / args.rps
        while due - time.perf_counter() > 0.2:
            time.sleep(0.05)
        schedule.put((due, f"w{rng.randrange(args.workers):08d}"))
    for _ in threads:
        schedule.put(None)
    for thread in threads:
        thread.join(timeout=120)
    seconds = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": seconds, "achieved_rps": len(latencies) / seconds,
            "statuses": statuses, **_percentiles(latencies, "latency"), **_percentiles(service, "service"),
            "over_50ms_by_second": [slow_by_second[n] for n in range(int(args.duration))],
            **_client_cpu(cpu, seconds)}


def read_closed(args) -> dict:
    """Closed loop (like wrk): each thread sends its next request when the last one is answered; the
    capacity of the server for this request, not its latency at a given rate."""
    prefix = urlsplit(args.url).path.rstrip("/")
    headers = {"Authorization": f"Bearer {args.token}"}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    started, cpu = time.perf_counter(), _cpu_seconds()
    deadline = started + args.duration

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        holder = [_connection(args.url)]
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            status, _ = _request(holder, args.url, "GET",
                                 f"{prefix}/workers/w{rng.randrange(args.workers):08d}/balance", None, headers)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(time.perf_counter() - sent)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": seconds, "achieved_rps": len(latencies) / seconds,
            "statuses": statuses, **_percentiles(latencies, "latency"), **_client_cpu(cpu, seconds)}


def _start(args, lead: float = 0.0) -> float:
    """The perf_counter time the measured schedule starts: --start-at (a Unix time shared by the load
    generators, so that neither measures while the other is still starting up), or `lead` from now."""
    return time.perf_counter() + max(lead, args.start_at - time.time())


def _percentiles(values: list[float], name: str) -> dict:
    if not values:
        return {}
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return {f"{name}_p50_ms": at(0.50), f"{name}_p90_ms": at(0.90), f"{name}_p99_ms": at(0.99),
            f"{name}_max_ms": ordered[-1] * 1000, f"{name}_mean_ms": statistics.fmean(ordered) * 1000}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _client_cpu(cpu_before: float, seconds: float) -> dict:
    """The generator's own CPU over the measurement: on 2 cores shared with the server, a busy client would
    take from the server and lower its figures (a share of 1.0 is a whole core)."""
    used = _cpu_seconds() - cpu_before
    return {"client_cpu_s": used, "client_cpu_share": used / max(seconds, 1e-9)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("post")
    p.add_argument("url")
    p.add_argument("token")
    p.add_argument("file")
    p.add_argument("--skip", type=int, default=0)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--batch", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--rate", type=float, default=0.0, help="events/s; 0: as fast as possible")
    r = sub.add_parser("read")
    r.add_argument("url")
    r.add_argument("token")
    r.add_argument("--workers", type=int, required=True)
    r.add_argument("--rps", type=float, default=300, help="0: closed loop, as fast as --threads allow")
    r.add_argument("--duration", type=float, default=30)
    r.add_argument("--threads", type=int, default=32)
    for sub_parser in (p, r):
        sub_parser.add_argument("--start-at", type=float, default=0.0,
                                help="Unix time to start the schedule at (default: at once)")
    args = parser.parse_args()
    result = post(args) if args.mode == "post" else read(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
