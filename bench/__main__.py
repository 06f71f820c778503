"""`python -m bench` (or `make bench`, `bin/bench`): every benchmark, each with its baseline
measured in the same run, then a summary table against the targets.

    .venv/bin/python -m bench                     # the default size: fits in about ten minutes here
    .venv/bin/python -m bench --size medium --repeat 3
    .venv/bin/python -m bench --only pipeline,embedded --workers 20000 --days 2
    .venv/bin/python -m bench --only close --close-workers 100000 --close-lines sql
    .venv/bin/python -m bench --only alerts --alert-workers 1000000 --repeat 1
    .venv/bin/python -m bench --only upkeep --processes 1
    .venv/bin/python -m bench --only pages --pages-requests 200
    .venv/bin/python -m bench --only matching --match-labourers 5000000 --repeat 1
    .venv/bin/python -m bench --only returns --returns-labourers 5000000 --repeat 5
    .venv/bin/python -m bench --only import --import-rows 100000
    .venv/bin/python -m bench --only fraud --fraud-workers 20000 --repeat 1
    .venv/bin/python -m bench --only rebuild --workers 1000000 --days 1 --processes 2 --repeat 1
    .venv/bin/python -m bench --only bytes --bytes-workers 20000 --bytes-days 2
    .venv/bin/python -m bench --only history --history-workers 100000

Results go to var/bench/results-<time>.json as well; logs of the child processes to var/bench/logs/.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime

from bench.country import Country
from bench.services import VAR, Services, machine, use_bench_data_key
from bench.summary import summary

# name -> (pipeline workers, pipeline days, API workers, month-close workers, embedded workers, embedded days,
# alert workers, pages county's workers)
SIZES = {
    "tiny": dict(workers=5000, days=2, api_workers=2000, close_workers=1000, emb_workers=5000, emb_days=2,
                 alert_workers=2000, pages_workers=1000),
    "small": dict(workers=20000, days=2, api_workers=5000, close_workers=5000, emb_workers=20000, emb_days=1,
                  alert_workers=100000, pages_workers=20000),
    "medium": dict(workers=20000, days=2, api_workers=20000, close_workers=20000, emb_workers=20000, emb_days=1,
                   alert_workers=100000, pages_workers=20000),
    "large": dict(workers=100000, days=1, api_workers=100000, close_workers=100000, emb_workers=50000, emb_days=1,
                  alert_workers=1000000, pages_workers=20000),
}
ALL = ("floor", "pipeline", "api", "close", "embedded", "alerts", "upkeep", "pages", "matching", "returns", "import",
       "fraud", "rebuild", "bytes", "history")
# alerts (minutes to make its history), upkeep (the pipeline twice more), pages, matching, returns, import and
# fraud run when asked for
DEFAULT = ("floor", "pipeline", "api", "close", "embedded")


def parse_args() -> tuple[argparse.Namespace, dict, set[str]]:
    """The command line: its arguments, the size of each benchmark, and the benchmarks to run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--only", default=",".join(DEFAULT), help=f"comma-separated among {', '.join(ALL)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; medians are reported")
    parser.add_argument("--workers", type=int, help="workers of the pipeline country (overrides --size)")
    parser.add_argument("--days", type=int, help="days of events for the pipeline (overrides --size)")
    parser.add_argument("--processes", default="1,2", help="wage consumer processes to try")
    parser.add_argument("--batch-size", type=int,
                        help="CONSUMER_BATCH_SIZE of the wage consumers (default: the settings' own)")
    parser.add_argument("--rebuild-batch-size", type=int,
                        help="CONSUMER_BATCH_SIZE of the consumers while they rebuild (default: --batch-size's)")
    parser.add_argument("--close-workers", type=int)
    parser.add_argument("--close-lines", choices=("python", "sql"), default="python",
                        help="wage lines of the month: from the generator's facts (exact) or made in SQL (fast)")
    parser.add_argument("--close-index", choices=("both", "as-is", "indexed"), default="indexed",
                        help="the per-site path with the index wage_lines (site_id, period), without it, or both")
    parser.add_argument("--close-path", choices=("both", "bulk", "per-site"), default="both",
                        help="month close by app.pay.periods.move_periods (bulk), move_period site by site, or both")
    parser.add_argument("--close-processes", default="1,2", help="processes of the bulk month close to try")
    parser.add_argument("--api-workers", type=int)
    parser.add_argument("--api-gunicorn", default="2x4", metavar="WORKERSxTHREADS",
                        help="gunicorn processes and threads of the API under test (production default 2x4)")
    parser.add_argument("--api-with-pipeline", action="store_true",
                        help="also run the relay and a wage consumer during the balance-latency test")
    parser.add_argument("--emb-workers", type=int)
    parser.add_argument("--emb-days", type=int)
    parser.add_argument("--alert-workers", type=int, help="workers of the alert benchmark's country")
    parser.add_argument("--pages-workers", type=int, help="workers of the pages benchmark's county")
    parser.add_argument("--pages-requests", type=int, default=200, help="requests measured per page, at most")
    parser.add_argument("--pages-seconds", type=float, default=20,
                        help="a slow page is asked at least 10 times and until its answers took this long")
    parser.add_argument("--pages-rate", type=float, default=1000, help="events a second posted meanwhile")
    parser.add_argument("--returns-labourers", type=int, default=1_000_000,
                        help="labourers of the return-to-work benchmark's province (a province holds ~5 million)")
    parser.add_argument("--pages-match", default="",
                        help="measure only the pages whose name contains this text (the baselines always)")
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the registry sheet imported")
    parser.add_argument("--match-labourers", type=int, default=5_000_000, help="labourers of the matching province")
    parser.add_argument("--match-vacancies", type=int, default=50_000, help="vacancies of the matching province")
    parser.add_argument("--fraud-workers", type=int, default=5000, help="workers of the fraud bench's county")
    parser.add_argument("--match-requests", type=int, default=300, help="vacancies and labourers ranked a run")
    parser.add_argument("--bytes-workers", type=int, default=20_000, help="workers of the bytes-per-event bench")
    parser.add_argument("--bytes-days", type=int, default=2, help="days of their events it takes in")
    parser.add_argument("--history-workers", type=int, default=100_000, help="workers of the history bench's county")
    parser.add_argument("--history-schema", choices=("partitioned", "plain"), default="partitioned",
                        help="the ledger's tables partitioned by month (head) or plain (migrated to 0025)")
    args = parser.parse_args()
    use_bench_data_key()
    size = dict(SIZES[args.size])
    for key in size:
        if getattr(args, key, None):
            size[key] = getattr(args, key)
    only = set(args.only.split(","))
    unknown = only - set(ALL)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}")
    return args, size, only


def main() -> None:
    args, size, only = parse_args()
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                     "size": args.size, "params": size, "repeat": args.repeat, "argv": sys.argv[1:]}
    print(f"bench: {args.size} {size}, repeat {args.repeat}; machine {results['machine']}", file=sys.stderr)
    started = time.monotonic()
    needs_kafka = bool(only & {"floor", "pipeline", "api", "upkeep", "pages", "rebuild", "history"})
    needs_pg = bool(only & {"floor", "pipeline", "api", "close", "alerts", "upkeep", "pages", "matching", "returns",
                                "import", "rebuild", "bytes", "history"})
    services = Services(kafka=needs_kafka, postgres=needs_pg).start() if needs_kafka or needs_pg else None
    try:
        if only & {"floor", "pipeline"}:
            results.update(bench_kafka(services, size, args, only))
        if "api" in only:
            results["api"] = bench_api(services, size, args)
        if "close" in only:
            results["close"] = bench_close(services, size, args)
        if "embedded" in only:
            results["embedded"] = bench_embedded(size, args)
        if "alerts" in only:
            results["alerts"] = bench_alerts(services, size, args)
        if "upkeep" in only:
            results["upkeep"] = bench_upkeep(services, size, args)
        if "pages" in only:
            results["pages"] = bench_pages(services, size, args)
        if "matching" in only:
            from bench.matching import run_matching

            results["matching"] = run_matching(services, args.match_labourers, args.match_vacancies,
                                               args.match_requests, args.repeat)
        if "returns" in only:
            from bench.return_to_work import run_return_to_work

            results["returns"] = run_return_to_work(services, args.returns_labourers, args.repeat)
        if "import" in only:
            from bench.registry_import import run_registry_import

            results["import"] = run_registry_import(services, args.import_rows)
        if "fraud" in only:
            from bench.fraud import run_fraud

            results["fraud"] = run_fraud(args.fraud_workers, args.repeat)
        if "rebuild" in only:
            results["rebuild"] = bench_rebuild(services, size, args)
        if "bytes" in only:
            from bench.event_bytes import run_event_bytes

            results["bytes"] = run_event_bytes(services, Country(args.bytes_workers), args.bytes_days)
        if "history" in only:
            from bench.history import run_history

            results["history"] = run_history(services, Country(args.history_workers), args.history_schema)
    finally:
        if services:
            services.stop()
    results["seconds"] = time.monotonic() - started
    results["load_avg_end"] = os.getloadavg()
    VAR.mkdir(parents=True, exist_ok=True)
    out = VAR / f"results-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    print(summary(results))
    print(f"\n(all figures: medians of {args.repeat} run(s); full results in {out.relative_to(VAR.parents[1])}; "
          f"{results['seconds']:.0f} s in all)")


def bench_kafka(services: Services, size: dict, args, only: set) -> dict:
    from bench.kafka_pipeline import consume_floor, copy_floor, create_topic, message_file, produce, run_pipeline
    from bench.load import prepare_postgres

    country = Country(size["workers"])
    path, total = message_file(country, size["days"])
    topic = f"bench.work-events.{uuid.uuid4().hex[:6]}"
    create_topic(services.kafka.bootstrap, topic)
    out: dict = {"events": total, "workers": country.workers, "days": size["days"], "sites": country.site_count()}
    produced = produce(services.kafka.bootstrap, topic, path, total)
    floor = {"produce": [produced], "consume": [], "copy": []}
    for n in range(args.repeat):
        floor["consume"].append(consume_floor(services.kafka.bootstrap, topic, total))
        url = prepare_postgres(services.postgres, "bench_copy", country, quiet=True)
        floor["copy"].append(copy_floor(url, path, total))
        services.postgres.drop_database("bench_copy")
    out["floor"] = floor
    if "pipeline" in only:
        out["pipeline"] = {}
        for processes in [int(p) for p in args.processes.split(",")]:
            runs = [run_pipeline(services, country, topic, total, processes, f"p{processes}r{n}",
                                 batch_size=args.batch_size) for n in range(args.repeat)]
            out["pipeline"][processes] = runs
        from bench.kafka_pipeline import expected_wages

        if size["days"] <= country.month_days():  # the rules take long: one month at most
            out["expected_wages"] = expected_wages(country, size["days"])
    return out


def bench_rebuild(services: Services, size: dict, args) -> dict:
    """The pipeline's country on a topic, its raw consume (the floor), then the live ledger and its rebuild."""
    from bench.kafka_pipeline import consume_floor, create_topic, message_file, produce
    from bench.rebuild import run_rebuild

    country = Country(size["workers"])
    path, total = message_file(country, size["days"])
    topic = f"bench.work-events.{uuid.uuid4().hex[:6]}"
    create_topic(services.kafka.bootstrap, topic)
    produce(services.kafka.bootstrap, topic, path, total)
    processes = int(args.processes.split(",")[-1])
    runs = []
    for _ in range(args.repeat):
        floor = consume_floor(services.kafka.bootstrap, topic, total)
        runs.append({"floor": floor, **run_rebuild(services, country, topic, total, processes, args.batch_size,
                                                   args.rebuild_batch_size)})
    return {"events": total, "workers": country.workers, "days": size["days"], "runs": runs}


def bench_api(services: Services, size: dict, args) -> dict:
    from bench.api import events_needed, run_api

    country = Country(size["api_workers"])
    ingest = 20_000  # 20 requests of 1,000 a run: 5 (as before) made a one-second, noisy figure
    days = -(-events_needed(ingest, args.repeat) // max(1, int(country.workers * 0.98)))  # 98% work a day
    workers, threads = (int(n) for n in args.api_gunicorn.split("x"))
    return run_api(services, country, days, ingest, repeats=args.repeat, with_pipeline=args.api_with_pipeline,
                   web_workers=workers, web_threads=threads)


def bench_close(services: Services, size: dict, args) -> dict:
    from bench.monthclose import run_month_close

    country = Country(size["close_workers"])
    with_index = {"both": None, "as-is": False, "indexed": True}[args.close_index]
    paths = {"both": ("bulk", "per_site"), "bulk": ("bulk",), "per-site": ("per_site",)}[args.close_path]
    return run_month_close(services, country, processes=2, lines=args.close_lines, with_index=with_index,
                           paths=paths, bulk_processes=tuple(int(n) for n in args.close_processes.split(",")))


def bench_embedded(size: dict, args) -> dict:
    from bench.embedded import run_embedded

    country = Country(size["emb_workers"])
    return {"runs": [run_embedded(country, size["emb_days"], tag=f"embedded-r{n}") for n in range(args.repeat)]}


def bench_alerts(services: Services, size: dict, args) -> dict:
    from bench.alerts import run_alerts

    return run_alerts(services, Country(size["alert_workers"]), args.repeat)


def bench_upkeep(services: Services, size: dict, args) -> dict:
    """The pipeline (Kafka, and the embedded default) keeping the income aggregate, and with its upkeep a no-op
    (bench/without_income.py), run by turns so that the host's drift falls on both alike."""
    from bench.embedded import run_embedded
    from bench.kafka_pipeline import create_topic, message_file, produce, run_pipeline

    country = Country(size["workers"])
    path, total = message_file(country, size["days"])
    topic = f"bench.work-events.{uuid.uuid4().hex[:6]}"
    create_topic(services.kafka.bootstrap, topic)
    produce(services.kafka.bootstrap, topic, path, total)
    arms = {"with": "consumers", "without": "bench.without_income"}
    out: dict = {"events": total, "kafka": {}, "embedded": {arm: [] for arm in arms}}
    for processes in [int(p) for p in args.processes.split(",")]:
        runs = out["kafka"][processes] = {arm: [] for arm in arms}
        for n in range(args.repeat):
            for arm, module in arms.items():
                runs[arm].append(run_pipeline(services, country, topic, total, processes, f"up-{arm}-p{processes}r{n}",
                                              batch_size=args.batch_size, module=module))
    embedded = Country(size["emb_workers"])
    for n in range(args.repeat):
        for arm, module in arms.items():
            out["embedded"][arm].append(run_embedded(embedded, size["emb_days"], tag=f"up-{arm}-r{n}", module=module))
    return out


def bench_pages(services: Services, size: dict, args) -> dict:
    from bench.pages import run_pages
    from bench.pages_county import PagesCounty

    workers, threads = (int(n) for n in args.api_gunicorn.split("x"))
    return run_pages(services, PagesCounty(size["pages_workers"]), requests_per_page=args.pages_requests,
                     ingest_rate=args.pages_rate, web_workers=workers, web_threads=threads,
                     budget_s=args.pages_seconds, match=args.pages_match)


if __name__ == "__main__":
    main()
