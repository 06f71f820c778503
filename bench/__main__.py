"""`python -m bench` (or `make bench`, `bin/bench`): every benchmark, each with its baseline
measured in the same run, then a summary table against the targets.

    .venv/bin/python -m bench                     # the default size: fits in about ten minutes here
    .venv/bin/python -m bench --size medium --repeat 3
    .venv/bin/python -m bench --only pipeline,embedded --workers 20000 --days 2
    .venv/bin/python -m bench --only close --close-workers 100000 --close-lines sql

Results go to var/bench/results-<time>.json as well; logs of the child processes to var/bench/logs/.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

from bench.country import Country
from bench.services import VAR, Services, machine, use_bench_data_key

# name -> (pipeline workers, pipeline days, API workers, month-close workers, embedded workers, embedded days)
SIZES = {
    "tiny": dict(workers=5000, days=2, api_workers=2000, close_workers=1000, emb_workers=5000, emb_days=2),
    "small": dict(workers=20000, days=2, api_workers=5000, close_workers=5000, emb_workers=20000, emb_days=1),
    "medium": dict(workers=20000, days=2, api_workers=20000, close_workers=20000, emb_workers=20000, emb_days=1),
    "large": dict(workers=100000, days=1, api_workers=100000, close_workers=100000, emb_workers=50000, emb_days=1),
}
ALL = ("floor", "pipeline", "api", "close", "embedded")
TARGETS = {"pipeline_rate": 10_000, "pipeline_share": 0.30, "api_rate": 5_000, "balance_p99_ms": 50,
           "balance_rps": 300, "ingest_rate": 1_000, "close_1m_s": 30, "embedded_rate": 2_000}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def parse_args() -> tuple[argparse.Namespace, dict, set[str]]:
    """The command line: its arguments, the size of each benchmark, and the benchmarks to run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--only", default=",".join(ALL), help=f"comma-separated among {', '.join(ALL)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; medians are reported")
    parser.add_argument("--workers", type=int, help="workers of the pipeline country (overrides --size)")
    parser.add_argument("--days", type=int, help="days of events for the pipeline (overrides --size)")
    parser.add_argument("--processes", default="1,2", help="wage consumer processes to try")
    parser.add_argument("--batch-size", type=int,
                        help="CONSUMER_BATCH_SIZE of the wage consumers (default: the settings' own)")
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
    args = parser.parse_args()
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
    use_bench_data_key()
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
                     "size": args.size, "params": size, "repeat": args.repeat, "argv": sys.argv[1:]}
    print(f"bench: {args.size} {size}, repeat {args.repeat}; machine {results['machine']}", file=sys.stderr)
    started = time.monotonic()
    needs_kafka = bool(only & {"floor", "pipeline", "api"})
    needs_pg = bool(only & {"floor", "pipeline", "api", "close"})
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
    finally:
        if services:
            services.stop()
    results["seconds"] = time.monotonic() - started
    results["load_avg_end"] = __import__("os").getloadavg()
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


# -- the summary ------------------------------------------------------------------------------------

def _fmt(value, unit="", digits=0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{unit}"


def pipeline_verdict(rate: float | None, share: float | None) -> str:
    """Which of the pipeline's two targets a rate misses, and by how much."""
    if rate is None:
        return "-"
    if rate < TARGETS["pipeline_rate"]:
        return f"MISSED x{TARGETS['pipeline_rate'] / rate:.1f}"
    if share is None:
        return "rate ok; share -"
    if share < TARGETS["pipeline_share"]:
        return f"rate ok; 30% MISSED x{TARGETS['pipeline_share'] / share:.1f}"
    return "ok"


def cpu_row(cpus: list[dict]) -> tuple:
    """Where a pipeline's CPU went (medians of its runs), and the rate all cores could give at that cost."""
    groups = list(cpus[0]["us_per_event"])
    spent = " / ".join(_fmt(median([c["us_per_event"][g] for c in cpus])) for g in groups)
    return (f"  CPU an event, {' / '.join(groups)}", f"{spent} µs",
            f"all {os.cpu_count()} cores: {_fmt(median([c['ceiling_rate'] for c in cpus]), ' ev/s')}",
            f"{_fmt(median([c['cores_busy'] for c in cpus]), '', 2)} cores busy", "-", "-")


def kafka_rows(r: dict) -> list[tuple]:
    """The Kafka floor, the pipeline against it and its wages against the rules."""
    rows = []
    floor = r.get("floor")
    consume = median([x["rate"] for x in floor["consume"]]) if floor else None
    if floor:
        rows.append(("kafka-python produce (relay settings)", _fmt(median([x["rate"] for x in floor["produce"]]),
                                                                   " msg/s"), "-", "-", "-", ""))
        rows.append(("kafka-python consume, no processing", _fmt(consume, " msg/s"), "-", "-", "-", ""))
        rows.append(("PostgreSQL COPY of the pipeline's rows", _fmt(median([x["rows_rate"] for x in floor["copy"]]),
                                                                    " rows/s"),
                     _fmt(median([x["events_rate"] for x in floor["copy"]]), " events/s"), "-", "-", ""))
    for processes, runs in (r.get("pipeline") or {}).items():
        rate = median([x["rate"] for x in runs])
        share = rate / consume if rate and consume else None
        complete = all(x["complete"] for x in runs)
        rows.append((f"pipeline topic->wage lines, {processes} consumer(s)", _fmt(rate, " ev/s"),
                     _fmt(consume, " msg/s raw"), _fmt(share * 100 if share else None, "%", 1),
                     ">=10,000 ev/s and >=30%", pipeline_verdict(rate, share) + ("" if complete else " (INCOMPLETE)")))
        cpus = [x["cpu"] for x in runs if x.get("cpu")]
        if cpus:
            rows.append(cpu_row(cpus))
    expected = r.get("expected_wages")
    if expected and r.get("pipeline"):
        runs = [x for runs in r["pipeline"].values() for x in runs]
        same = all((x["wage_lines"], x["wage_fen"]) == tuple(expected) for x in runs)
        rows.append(("  wage lines = the payroll rules on the same facts", f"{runs[0]['wage_lines']:,} lines, "
                     f"{runs[0]['wage_fen']:,} fen", f"{expected[0]:,} lines, {expected[1]:,} fen", "-", "equal",
                     "ok" if same else "DIFFERENT"))
    return rows


def api_rows(r: dict) -> list[tuple]:
    """Batch ingestion and balance reads, alone and while ingesting."""
    rows = []
    api = r.get("api")
    if api:
        rate = median([x["rate"] for x in api["ingest"]])
        rows.append(("API batch POST /events (1000/request)", _fmt(rate, " ev/s"), "-", "-", ">=5,000 ev/s",
                     "ok" if rate >= TARGETS["api_rate"] else f"MISSED x{TARGETS['api_rate'] / rate:.1f}"))
        alone = api.get("reads_alone")
        if alone:
            rows.append(("balance reads alone, closed loop (8 conns)", f"{alone['achieved_rps']:,.0f} req/s",
                         f"p50 {_fmt(alone.get('latency_p50_ms'), ' ms', 1)}, p99 "
                         f"{_fmt(alone.get('latency_p99_ms'), ' ms', 1)}", "-", ">=300 req/s",
                         "ok" if alone["achieved_rps"] >= 300 else f"MISSED x{300 / alone['achieved_rps']:.1f}"))
        reads, ingest = api["reads"], api["ingest_during_reads"]
        ok = reads.get("latency_p99_ms", 1e9) < 50 and reads["achieved_rps"] >= 0.98 * TARGETS["balance_rps"]
        rows.append((f"balance p50/p99 (open loop) at {reads['achieved_rps']:.0f} rps, "
                     f"ingesting {ingest['rate']:.0f} ev/s",
                     f"{_fmt(reads.get('latency_p50_ms'), ' ms', 1)} / {_fmt(reads.get('latency_p99_ms'), ' ms', 1)}",
                     f"service {_fmt(reads.get('service_p50_ms'), '', 1)}/"
                     f"{_fmt(reads.get('service_p99_ms'), ' ms', 1)}",
                     "-", "p99<50 ms at 300 rps", "ok" if ok else "MISSED"))
        if len(api.get("mixed_runs", ())) > 1:
            p99s = ", ".join(_fmt(run["reads"].get("latency_p99_ms"), "", 1) for run in api["mixed_runs"])
            rows.append(("  p99 of each run (the median run above)", f"{p99s} ms", "-", "-", "-", "-"))
        server = reads.get("server_side")
        if server:
            rows.append(("  of them over 50 ms inside the server (its histogram)", f"{server['over_50ms']:,}",
                         f"of {server['requests']:,}", "-", "-", "-"))
    return rows


def close_rows(r: dict) -> list[tuple]:
    """Each month-close path, its second run and its memory."""
    rows = []
    close = r.get("close")
    if close:
        base = close["baseline_set_based"]
        for key, run in close["runs"].items():
            first, second = run["first"], run["second"]
            sites = first["sites"]
            name = f"month close {close['workers']:,} workers, {sites:,} sites, {close['wage_lines']:,} lines ({key})"
            if first["path"] == "bulk":  # set-based: grows with the lines, as the floor does
                projected = first["work_seconds"] * 1_000_000 / close["workers"]
            else:  # one site at a time (quadratic without the index)
                projected = first["work_seconds"] / max(1, sites) * 80_000 * (
                    1 if "_as_is" not in key else 1_000_000 / close["workers"])
            rows.append((name, f"{first['work_seconds']:,.1f} s", f"set-based {base['seconds']:.2f} s",
                         f"x{first['work_seconds'] / max(base['seconds'], 1e-6):,.1f}",
                         "1M workers < 30 s", f"1M ~{projected:,.0f} s projected"))
            rows.append((f"  second run ({key}): changes nothing", f"{second['work_seconds']:,.1f} s",
                         "-", "-", "unchanged", "ok" if second["unchanged"] and first["consistent"] else "CHANGED"))
            rows.append((f"  peak RSS per process ({key})",
                         " / ".join(f"{m:,.0f} MiB" for m in first["peak_rss_mib"]), "-", "-", "< 1 GiB",
                         "ok" if max(first["peak_rss_mib"]) < 1024 else "MISSED"))
    return rows


def summary(r: dict) -> str:
    rows = [("benchmark", "measured", "baseline (same run)", "ratio", "target", "verdict")]
    rows += kafka_rows(r)
    rows += api_rows(r)
    rows += close_rows(r)
    emb = r.get("embedded")
    if emb:
        rate = median([x["rate"] for x in emb["runs"]])
        floor_rate = median([x["read_floor"]["rate"] for x in emb["runs"]])
        rows.append(("embedded (SQLite + event log), 1 consumer", _fmt(rate, " ev/s"), _fmt(floor_rate, " rows/s read"),
                     _fmt(rate / floor_rate * 100 if rate and floor_rate else None, "%", 2), ">=2,000 ev/s",
                     "ok" if rate and rate >= TARGETS["embedded_rate"] else
                     f"MISSED x{TARGETS['embedded_rate'] / rate:.1f}" if rate else "-"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    m = r["machine"]
    head = (f"\nStablework benchmarks, {r['started']}, size {r['size']} {r['params']}\n"
            f"machine: {m['nproc']} cores, {m['memory_gib']} GiB, {m['cpu']}, load average at start "
            f"{', '.join(f'{x:.2f}' for x in m['load_avg'])}, at the end "
            f"{', '.join(f'{x:.2f}' for x in r.get('load_avg_end') or ())}\n")
    return head + "\n".join(lines)


if __name__ == "__main__":
    main()
