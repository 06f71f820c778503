"""(e) the embedded default: SQLite, the event_log table as the bus, one `python -m consumers` process."""
from __future__ import annotations

import json
import sqlite3
import time
from datetime import UTC, datetime

from bench.country import Country
from bench.load import prepare_sqlite
from bench.progress import Progress
from bench.services import VAR, Process, settings_env
from events.envelope import hash_encoded, hash_headers

TOPIC = "stablework.work-events"


def fresh_sqlite(country: Country, tag: str) -> str:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / f"embedded-{tag}.db"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return prepare_sqlite(path, country, quiet=True)


def _path(url: str) -> str:
    return url.split("///", 1)[1]


def fill_event_log(url: str, country: Country, days: int) -> int:
    """Stage the events as the API does (rows of event_log in commit order, with their content hash header),
    in bulk."""
    conn = sqlite3.connect(_path(url))
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    count = 0
    with Progress("event_log rows", unit="events") as bar:
        batch = []
        for key, value in country.messages(days):
            batch.append((TOPIC, key, value, json.dumps(hash_headers(hash_encoded(value))), now))
            if len(batch) == 5000:
                conn.executemany("INSERT INTO event_log (topic, key, value, headers, created_at) VALUES (?,?,?,?,?)",
                                 batch)
                count += len(batch)
                bar.update(len(batch))
                batch.clear()
        conn.executemany("INSERT INTO event_log (topic, key, value, headers, created_at) VALUES (?,?,?,?,?)", batch)
        count += len(batch)
        bar.update(len(batch))
    conn.commit()
    conn.close()
    return count


def read_floor(url: str, total: int, batch: int = 500) -> dict:
    """The embedded bus's raw floor: read the log in `seq` order, `batch` rows a query, no processing."""
    conn = sqlite3.connect(_path(url))
    started = time.perf_counter()
    position = seen = 0
    while True:
        rows = conn.execute("SELECT seq, key, value, headers FROM event_log WHERE topic = ? AND seq >= ? "
                            "ORDER BY seq LIMIT ?", (TOPIC, position, batch)).fetchall()
        if not rows:
            break
        seen += len(rows)
        position = rows[-1][0] + 1
    seconds = time.perf_counter() - started
    conn.close()
    return {"messages": seen, "seconds": seconds, "rate": seen / seconds}


def committed(url: str) -> int:
    conn = sqlite3.connect(_path(url), timeout=30)
    try:
        row = conn.execute("SELECT next_offset FROM bus_offsets WHERE topic = ?", (TOPIC,)).fetchone()
        if row is None:
            return 0
        # offsets are seqs (from 1); count what is behind the committed offset
        return conn.execute("SELECT count(*) FROM event_log WHERE topic = ? AND seq < ?", (TOPIC, row[0])).fetchone()[0]
    finally:
        conn.close()


def run_embedded(country: Country, days: int, tag: str = "embedded", module: str = "consumers") -> dict:
    url = fresh_sqlite(country, tag)
    total = fill_event_log(url, country, days)
    floor = read_floor(url, total)
    env = settings_env(DATABASE_URL=url, STABLEWORK_BUS="embedded")
    process = Process(f"{tag}-consumer", [__import__("sys").executable, "-m", module], env)
    started = time.perf_counter()
    first = first_count = None
    done = 0
    peak = None
    try:
        with Progress("embedded pipeline x1", total, "events") as bar:
            while done < total:
                time.sleep(0.25)
                now_done = committed(url)
                now = time.perf_counter()
                if now_done and first is None:
                    first, first_count = now, now_done
                bar.update(now_done - done)
                done = now_done
                peak = process.peak_rss_mib() or peak
                if not process.alive():
                    raise RuntimeError(f"the embedded consumer died; see {process.log_path}")
                if now - started > max(300, total / 100):
                    raise RuntimeError(f"embedded pipeline applied {done} of {total}")
        ended = time.perf_counter()
    finally:
        process.stop()
    conn = sqlite3.connect(_path(url))
    processed = conn.execute("SELECT count(*) FROM processed_events").fetchone()[0]
    lines, fen = conn.execute("SELECT count(*), coalesce(sum(amount_fen), 0) FROM wage_lines").fetchone()
    parked = conn.execute("SELECT count(*) FROM dead_letters").fetchone()[0]
    conn.close()
    return {"events": total, "wall_seconds": ended - started, "wall_rate": total / (ended - started),
            "rate": (total - first_count) / (ended - first) if ended > first and total > first_count else None,
            "read_floor": floor, "peak_rss_mib": peak, "processed_events": processed, "wage_lines": lines,
            "wage_fen": int(fen), "dead_letters": parked, "complete": processed == total and parked == 0}
