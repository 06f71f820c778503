"""The summary table of a bench run: each benchmark's figures beside its baseline and its target."""
from __future__ import annotations

import os
import statistics

TARGETS = {"pipeline_rate": 10_000, "pipeline_share": 0.30, "api_rate": 5_000, "balance_p99_ms": 50,
           "balance_rps": 300, "ingest_rate": 1_000, "close_1m_s": 30, "embedded_rate": 2_000,
           "alerts_first_s": 10, "alerts_second_s": 2, "alerts_1m_s": 60, "alerts_rss_mib": 256, "process_rss_mib": 256,
           "page_p95_ms": 100, "first_load_kb": 150, "interaction_kb": 20, "match_vacancy_p99_ms": 200,
           "match_labourer_p99_ms": 50, "returns_ms": 500, "import_s": 60,
           "history_ratio": 1.10}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


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


def rss_row(name: str, peaks: list[float | None]) -> tuple:
    """Peak resident sets (VmHWM) of processes, each against the per-process target."""
    peaks = [mib for mib in peaks if mib is not None]
    if not peaks:
        return (name, "-", "-", "-", f"< {TARGETS['process_rss_mib']} MiB", "-")
    return (name, " / ".join(f"{mib:,.0f}" for mib in peaks) + " MiB", "-", "-",
            f"< {TARGETS['process_rss_mib']} MiB", _verdict(max(peaks), TARGETS["process_rss_mib"]))


def summary(r: dict) -> str:
    rows = [("benchmark", "measured", "baseline (same run)", "ratio", "target", "verdict")]
    for part in (kafka_rows, api_rows, close_rows, embedded_rows, alert_rows, upkeep_rows, page_rows, matching_rows,
                 returns_rows, import_rows, fraud_rows, rebuild_rows, bytes_rows, history_rows):
        rows.extend(part(r))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    m = r["machine"]
    head = (f"\nStablework benchmarks, {r['started']}, size {r['size']} {r['params']}\n"
            f"machine: {m['nproc']} cores, {m['memory_gib']} GiB, {m['cpu']}, load average at start "
            f"{', '.join(f'{x:.2f}' for x in m['load_avg'])}, at the end "
            f"{', '.join(f'{x:.2f}' for x in r.get('load_avg_end') or ())}\n")
    return head + "\n".join(lines)



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
        scanned = runs[0].get("rows_read_by_table_scans")
        if scanned is not None:
            rows.append(("  rows read by whole-table scans, a run", ", ".join(
                f"{name} {count:,}" for name, count in scanned.items()) or "none", "-", "-", "-", "-"))
        rows.append(rss_row(f"  peak RSS of each wage consumer ({processes})",
                            [mib for x in runs for mib in (x.get("peak_rss_mib") or {}).values()]))
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
        rows.append(rss_row("  peak RSS of gunicorn's master and each worker",
                            list((api.get("gunicorn_peak_rss_mib") or {}).values())))
        if api.get("helpers_peak_rss_mib"):
            rows.append(rss_row(f"  peak RSS of {' / '.join(api['helpers_peak_rss_mib'])}",
                                list(api["helpers_peak_rss_mib"].values())))
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


def embedded_rows(r: dict) -> list[tuple]:
    rows = []
    emb = r.get("embedded")
    if emb:
        rate = median([x["rate"] for x in emb["runs"]])
        floor_rate = median([x["read_floor"]["rate"] for x in emb["runs"]])
        rows.append(("embedded (SQLite + event log), 1 consumer", _fmt(rate, " ev/s"), _fmt(floor_rate, " rows/s read"),
                     _fmt(rate / floor_rate * 100 if rate and floor_rate else None, "%", 2), ">=2,000 ev/s",
                     "ok" if rate and rate >= TARGETS["embedded_rate"] else
                     f"MISSED x{TARGETS['embedded_rate'] / rate:.1f}" if rate else "-"))
    return rows


def alert_rows(r: dict) -> list[tuple]:
    """The alert evaluation, first and again, its memory and its findings against the planted ones."""
    from bench.alerts import KINDS, check_findings

    a = r.get("alerts")
    if not a:
        return []
    runs, floor = a["runs"], median([run["floor"]["seconds"] for run in a["runs"]])
    first, second = (median([run[key]["seconds"] for run in runs]) for key in ("first", "second"))
    limit = TARGETS["alerts_first_s"] if a["workers"] <= 100_000 else TARGETS["alerts_1m_s"]
    rss = max(run[key]["peak_rss_mib"] for run in runs for key in ("first", "second"))
    again = all(run["second"]["raised"] == 0 and run["found_after_second"] == run["found"] for run in runs)
    problems = [p for run in runs for p in check_findings(run["found"], a["expected"])]
    found = runs[0]["found"]
    return [
        (f"alerts, first evaluation: {a['workers']:,} workers, {a['households']:,} households, {a['sites']:,} "
         f"sites, 13 months", _fmt(first, " s", 1), f"bare scans {floor:.1f} s", f"x{first / floor:.1f}",
         f"< {limit} s", _verdict(first, limit)),
        ("  second evaluation: raises nothing", _fmt(second, " s", 1), f"bare scans {floor:.1f} s",
         f"x{second / floor:.1f}", f"< {TARGETS['alerts_second_s']} s" if a["workers"] <= 100_000 else "-",
         ("" if again else "RAISED AGAIN; ") + (_verdict(second, TARGETS["alerts_second_s"])
                                                 if a["workers"] <= 100_000 else "-")),
        ("  evaluator peak RSS (a child process)", _fmt(rss, " MiB"), "-", "-", f"< {TARGETS['alerts_rss_mib']} MiB",
         _verdict(rss, TARGETS["alerts_rss_mib"])),
        ("  raised: " + " / ".join(KINDS), " / ".join(f"{found[k]:,}" for k in KINDS),
         " / ".join(f"{a['expected'][k]:,}" if k != "no_work" else "{:,}-{:,}".format(*a["expected"][k])
                    for k in KINDS), "-", "as planted", "ok" if not problems else "; ".join(problems)[:120]),
    ]


def matching_rows(r: dict) -> list[tuple]:
    """Ranking one vacancy and one labourer, p99 of the requests, each against its bare filter."""
    m = r.get("matching")
    if not m:
        return []
    rows = []
    for key, what in (("vacancy", f"match one vacancy against {m['labourers']:,} labourers"),
                      ("labourer", f"match one labourer against {m['province']['rows']['open_vacancies']:,} "
                                   "open vacancies")):
        p99, floor = (median([run[name]["p99_ms"] for run in m["runs"]]) for name in (key, f"{key}_floor"))
        limit = TARGETS[f"match_{key}_p99_ms"]
        rows.append((what, _fmt(p99, " ms p99", 1), f"bare filter {floor:.1f} ms p99", f"x{p99 / floor:.1f}",
                     f"< {limit} ms", _verdict(p99, limit)))
    return rows


def fraud_rows(r: dict) -> list[tuple]:
    """Review flags against injected frauds: recall per kind, honest workers flagged, and the review's time."""
    f = r.get("fraud")
    if not f:
        return []
    rows = []
    for kind, counts in f["recall"].items():
        recall = counts["found"] / counts["injected"] if counts["injected"] else None
        rows.append((f"fraud recall, {kind} ({counts['injected']} injected)",
                     "-" if recall is None else f"{recall:.0%}", "-", "-", ">= 95%",
                     "-" if recall is None else "ok" if recall >= 0.95 else "MISSED"))
    honest = f["honest_flagged"] / f["honest_workers"]
    rows.append((f"honest workers flagged (of {f['honest_workers']:,})", f"{honest:.2%}", "-", "-", "<= 1%",
                 "ok" if honest <= 0.01 else "MISSED"))
    review, floor = (median([run[key] for run in f["runs"]]) for key in ("review_seconds", "floor_seconds"))
    rows.append((f"review of a county's month ({f['workers']:,} workers, {f['sites']} sites)", f"{review:.1f} s",
                 f"bare scan of the month's attendance {floor:.2f} s", f"x{review / floor:.1f}", "-", ""))
    return rows


def _verdict(value: float | None, limit: float) -> str:
    if value is None:
        return "-"
    return "ok" if value < limit else f"MISSED x{value / limit:.1f}"


def upkeep_rows(r: dict) -> list[tuple]:
    """The wage pipeline with the income aggregate kept and with its upkeep a no-op, runs taken in turn."""
    upkeep = r.get("upkeep")
    if not upkeep:
        return []
    arms = [(f"pipeline keeping the income aggregate, {p} consumer(s)", runs)
            for p, runs in (upkeep.get("kafka") or {}).items()]
    if upkeep.get("embedded"):
        arms.append(("embedded keeping the income aggregate, 1 consumer", upkeep["embedded"]))
    rows = []
    for name, runs in arms:
        kept, skipped = ([x["rate"] for x in runs[arm]] for arm in ("with", "without"))
        rate, base = median(kept), median(skipped)
        rows.append((name, _fmt(rate, " ev/s"), f"upkeep a no-op {_fmt(base, ' ev/s')}",
                     _fmt(rate / base * 100 if rate and base else None, "%", 1), "unchanged within noise",
                     _within_noise(skipped, kept)))
        if all(x.get("cpu") for arm in ("with", "without") for x in runs[arm]):
            kept, skipped = ([x["cpu"]["us_per_event"]["consumers"] + x["cpu"]["us_per_event"]["postgres"]
                              for x in runs[arm]] for arm in ("with", "without"))
            rows.append(("  CPU an event, consumers + PostgreSQL", _fmt(median(kept), " µs"),
                         f"upkeep a no-op {_fmt(median(skipped), ' µs')}",
                         _fmt(median(kept) / median(skipped) * 100, "%", 1), "unchanged within noise",
                         _within_noise(kept, skipped)))
    return rows


def _within_noise(better: list[float], worse: list[float]) -> str:
    """ok when the medians differ by no more than the wider spread of the two arms' runs."""
    noise = max((max(v) - min(v)) / median(v) for v in (better, worse))
    cost = median(better) / median(worse) - 1
    return "ok" if cost <= noise else f"COSTS {cost * 100:.1f}% (noise {noise * 100:.1f}%)"


def page_rows(r: dict) -> list[tuple]:
    """Each page's server time p95 under ingestion beside the same server's baselines, and the register's bytes."""
    p = r.get("pages")
    if not p:
        return []
    baselines = [x for x in p["pages"] if x["baseline"]]
    base = " / ".join(f"{x['name']} {_fmt(x.get('server_p95_ms'), ' ms', 1)}" for x in baselines)
    floor = baselines[-1].get("server_p95_ms") if baselines else None
    ingest = p.get("ingest") or {}
    rows = [(f"pages, county of {p['workers']:,} workers, ingesting: accepted / applied",
             f"{_fmt(ingest.get('accepted_rate'), '')} / {_fmt(ingest.get('applied_rate'), ' ev/s')}", "-", "-",
             f">= {p['ingest_rate']:,.0f} ev/s", "" if ingest.get("throughout") else "LOAD ENDED EARLY")]
    for x in p["pages"]:
        p95 = x.get("server_p95_ms")
        missing = set(x["statuses"]) == {404}
        if x["baseline"]:
            rows.append((f"  baseline: {x['name']} ({x['requests']} requests)", _fmt(p95, " ms", 1), "-", "-", "-", ""))
            continue
        who = f"{x['role'] or 'signed out'}, {x['requests']} requests"
        rows.append((f"  {x['name']} ({who})", _fmt(p95, " ms", 1), base,
                     f"x{p95 / floor:.1f}" if floor and p95 is not None else "-",
                     f"p95 < {TARGETS['page_p95_ms']} ms",
                     "not on main (404)" if missing else _verdict(p95, TARGETS["page_p95_ms"])))
    sizes = p.get("bytes")
    for key, name, limit in (("first_load", "register: first load, empty cache", "first_load_kb"),
                             ("interaction", "register: one mark sent", "interaction_kb")):
        if sizes and "missing" in sizes:
            rows.append((f"  {name}", "-", "-", "-", f"< {TARGETS[limit]} KB", "not on main"))
        elif sizes:
            kb, gz = sizes[key]["bytes"] / 1000, sizes[key]["gzip_bytes"] / 1000
            rows.append((f"  {name} ({sizes[key]['responses']} responses)", f"{kb:,.1f} KB",
                         f"gzipped {gz:,.1f} KB", "-", f"< {TARGETS[limit]} KB", _verdict(kb, TARGETS[limit])))
    return rows


def returns_rows(r: dict) -> list[tuple]:
    """A province's return-to-work statistics as of a day, against the bare read of its status history."""
    runs = r.get("returns")
    if not runs:
        return []
    target = TARGETS["returns_ms"]
    verdict = "ok" if runs["p99_ms"] < target else f"MISSED x{runs['p99_ms'] / target:.1f}"
    return [(f"return to work, a province of {runs['labourers']:,} as of a day, p50 / p99",
             f"{_fmt(runs['p50_ms'], ' ms')} / {_fmt(runs['p99_ms'], ' ms')}",
             _fmt(runs["floor_p50_ms"], " ms floor"), _fmt(runs["p99_ms"] / runs["floor_p50_ms"], "x", 1),
             "<500 ms", verdict)]


def import_rows(r: dict) -> list[tuple]:
    """A registry sheet imported (read, checked, encrypted, written), and again, against the same rows written bare."""
    runs = r.get("import")
    if not runs:
        return []
    target = TARGETS["import_s"]
    rows = []
    for name, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        first, again, floor = runs[name]["first"]["seconds"], runs[name]["again"]["seconds"], runs[name]["floor_s"]
        verdict = "ok" if max(first, again) < target else f"MISSED x{max(first, again) / target:.1f}"
        rows.append((f"registry import, {runs['rows']:,} rows, {label}: first / again", f"{first:,.1f} s / "
                     f"{again:,.1f} s", f"{floor:,.1f} s bare write", _fmt(first / floor, "x", 1), f"< {target} s",
                     verdict))
    return rows


def rebuild_rows(r: dict) -> list[tuple]:
    """The rebuild of the ledger from the topic: its time and rate beside raw consume and the live pipeline on the
    same events, the CPU an event of both (from /proc, which holds under load where rates do not), and the
    comparison."""
    rebuild = r.get("rebuild")
    if not rebuild:
        return []
    runs, events = rebuild["runs"], rebuild["events"]
    seconds = median([run["rebuild"]["total_seconds"] for run in runs])
    emptied = median([run["rebuild"]["emptying_seconds"] for run in runs])
    rate = median([run["rebuild"]["total_rate"] for run in runs])
    live = median([run["live"]["rate"] for run in runs])
    raw = median([run["floor"]["rate"] for run in runs])
    own = {arm: median([_own_cpu(run[arm]["cpu"]) for run in runs]) for arm in ("live", "rebuild")}
    ceiling = median([(run["rebuild"]["cpu"] or {}).get("ceiling_rate") for run in runs])
    quiet = 2 * 1e6 / own["rebuild"] if own["rebuild"] else None  # both cores on this work alone
    unequal = {table: counts for run in runs for table, counts in run["compared"].items()
               if counts["missing"] or counts["extra"]}
    return [
        (f"rebuild, {events:,} events, {runs[0]['processes']} c. (emptying {emptied:.1f} s)",
         f"{_fmt(seconds, ' s', 1)}, {_fmt(rate, ' ev/s')}",
         f"live {_fmt(live, ' ev/s')}; raw consume {_fmt(raw, ' msg/s')}", _fmt(rate / live if live else None, "x", 2),
         "", ""),
        ("rebuild CPU an event (consumers + PostgreSQL + Kafka)", _fmt(own["rebuild"], " µs"),
         f"live {_fmt(own['live'], ' µs')}; rebuild's ceiling with the host's load {_fmt(ceiling, ' ev/s')}",
         _fmt(own["rebuild"] / own["live"] if own["live"] else None, "x", 2), "", ""),
        ("10,000,000 events rebuilt: at the measured rate / at this CPU on two idle cores",
         f"{_fmt(10_000_000 / rate / 60, ' min', 1)} / {_fmt(10_000_000 / quiet / 60 if quiet else None, ' min', 1)}",
         "projected, not measured", "", "< 15 min", _verdict(10_000_000 / rate / 60, 15)),
        ("rebuild equal to the live ledger, row for row", "equal" if not unequal else f"UNEQUAL {unequal}",
         f"{len(runs[0]['compared'])} tables, {sum(c['live'] for c in runs[0]['compared'].values()):,} rows", "",
         "equal", "met" if not unequal else "MISSED"),
    ]


def _own_cpu(cpu: dict) -> float | None:
    per_event = (cpu or {}).get("us_per_event")
    return sum(per_event[name] for name in ("consumers", "postgres", "kafka")) if per_event else None


def bytes_rows(r: dict) -> list[tuple]:
    """Bytes an event on disk (PostgreSQL, indexes and TOAST included) in the intake, outbox and dedupe stores,
    kept for ever and as the retention rule leaves them; the ledger's and the audit log's beside them."""
    b = r.get("bytes")
    if not b:
        return []
    floor, kept = b["floor"], b["kept"]["pipeline_b"]
    held = b["after_hold"]["pipeline_b"]
    rows = [(f"bytes an event, intake+outbox+dedupe, all kept ({b['events']:,} events)", f"{kept:,.0f} B",
             f"raw event {floor['raw_b']:,.0f} B; bare COPY {floor['copy_b']:,.0f} B",
             f"x{kept / floor['copy_b']:.1f}", "-", ""),
            ("  with retention, inside the window (outbox's hold passed)", f"{held:,.0f} B", f"all kept {kept:,.0f} B",
             f"{held / kept:.0%}", "<= 50%", "ok" if held <= kept / 2 else f"MISSED x{held / (kept / 2):.1f}"),
            ("  with retention, after the window", f"{b['after_window']['pipeline_b']:,.0f} B", "-", "-", "-", "")]
    for store in ("ledger", "audit"):
        rows.append((f"  {store} an event (not retained)", f"{b['kept']['stores'].get(store, 0):,.0f} B", "-", "-",
                     "-", ""))
    return rows


def history_rows(r: dict) -> list[tuple]:
    """Month 13 with 12 months of the ledger stored, beside the same month on an empty database (same run)."""
    h = r.get("history")
    if not h:
        return []
    from bench.history import figures

    stored = h["databases"]["history"]["history"]["rows"]
    rows = [(f"history ({h['schema']}): {h['workers']:,} workers, {stored['attendance_records']:,} work records and "
             f"{stored['wage_lines']:,} wage lines stored", "-", "-", "-", "-", "-")]
    for name, (empty, full) in figures(h).items():
        worse = empty / full if name.startswith("ingest") else full / empty
        verdict = "ok" if worse <= TARGETS["history_ratio"] else f"MISSED x{worse:.2f}"
        rows.append((f"  {name}, with history", _fmt(full, "", 1), f"empty database {_fmt(empty, '', 1)}",
                     _fmt(worse, "x", 2), "<= x1.10", verdict))
    if all("review" in db for db in h["databases"].values()):  # where the close's time goes
        empty, full = h["databases"]["empty"]["review"], h["databases"]["history"]["review"]
        rows.append(("  the close's review again: facts read (work records) / with the rules, s",
                     f"{full['read_seconds']:.1f} / {full['review_seconds']:.1f} ({full['attendance_read']:,})",
                     f"empty database {empty['read_seconds']:.1f} / {empty['review_seconds']:.1f} "
                     f"({empty['attendance_read']:,})", "-", "-", "-"))
    return rows
