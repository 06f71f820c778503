"""(a) the raw floor: kafka-python producing and consuming the messages with no processing, and
PostgreSQL COPY of the rows the pipeline ends with; (b) the pipeline: the project's own
`python -m consumers` processes from the topic to committed wage lines in PostgreSQL."""
from __future__ import annotations

import os
import struct
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

import psycopg
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError

from bench.country import Country
from bench.load import libpq, prepare_postgres
from bench.progress import Progress
from bench.services import VAR, CpuUse, Services, consumers, settings_env
from events.envelope import hash_encoded, hash_headers

PARTITIONS = 6  # KAFKA_PARTITIONS' default


# -- the messages, generated once to a file so that producing is not limited by generating -----------

def message_file(country: Country, days: int) -> tuple[Path, int]:
    """var/bench/messages-<workers>-<days>.bin: (key, value) records, length-prefixed; (path, count)."""
    path = VAR / f"messages-{country.workers}w-{days}d-{country.seed}.bin"
    count_path = path.with_suffix(".count")
    if path.exists() and count_path.exists():
        return path, int(count_path.read_text())
    VAR.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(path.with_suffix(".tmp"), "wb") as out, Progress("generate events", unit="events") as bar:
        for key, value in country.messages(days):
            write_message(out, key.encode(), value)
            count += 1
            if count % 1000 == 0:
                bar.update(1000)
        bar.update(count % 1000)
    path.with_suffix(".tmp").rename(path)
    count_path.write_text(str(count))
    return path, count


def write_message(out: BinaryIO, key: bytes, value: bytes) -> None:
    """One record of a message file, as `read_messages` reads it back."""
    out.write(struct.pack(">HI", len(key), len(value)) + key + value)


def read_messages(path: Path) -> Iterator[tuple[bytes, bytes]]:
    with open(path, "rb", buffering=1 << 20) as f:
        while header := f.read(6):
            klen, vlen = struct.unpack(">HI", header)
            yield f.read(klen), f.read(vlen)


# -- raw floor -------------------------------------------------------------------------------------

def create_topic(bootstrap: str, topic: str, partitions: int = PARTITIONS) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench")
    try:
        if topic not in set(admin.list_topics()):
            admin.create_topics([NewTopic(topic, partitions, 1, topic_configs={"retention.ms": "-1"})])
    finally:
        admin.close()


# kafka-python 3.0's producer has no buffer limit: sending faster than its I/O thread drains builds a backlog
# without bound, and batches older than delivery_timeout_ms are dropped, lost. The relay waits for each batch of
# 1,000; the bench keeps at most this many thousands unacknowledged, which keeps the broker busy without the
# relay's pause between batches.
IN_FLIGHT_THOUSANDS = 20


def produce(bootstrap: str, topic: str, path: Path, total: int) -> dict:
    """Produce every message as the relay does (acks=all, idempotent, linger 5 ms), keyed by worker, with the
    content hash header the API stages with each event (the values are canonical, as the API's are). Like the
    relay, it fails unless the broker acknowledged every message: a send only queues it."""
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), client_id="bench-producer", acks="all",
                             enable_idempotence=True, linger_ms=5, compression_type=None)
    failures: Counter[str] = Counter()

    def failed(error: Exception) -> None:
        failures[repr(error)[:200]] += 1

    in_flight: deque = deque()
    started = time.perf_counter()
    with Progress(f"produce -> {topic[-24:]}", total, "msgs") as bar:
        for n, (key, value) in enumerate(read_messages(path), 1):
            sent = producer.send(topic, key=key, value=value,
                                 headers=[(name, text.encode())
                                          for name, text in hash_headers(hash_encoded(value)).items()])
            sent.add_errback(failed)
            if n % 1000 == 0:
                bar.update(1000)
                in_flight.append(sent)
                if len(in_flight) > IN_FLIGHT_THOUSANDS:
                    with suppress(KafkaError):  # a failure is counted by its errback, and fails the run below
                        in_flight.popleft().get(timeout=300)
        producer.flush(timeout=300)
        bar.update(total % 1000)
    seconds = time.perf_counter() - started
    producer.close(timeout=10)
    on_topic = messages_on(bootstrap, topic)
    if failures or on_topic != total:
        raise RuntimeError(f"produced {total:,} messages, the topic holds {on_topic:,}; "
                           f"failed sends: {dict(failures.most_common(3)) or 'none reported'}")
    return {"messages": total, "seconds": seconds, "rate": total / seconds}


def messages_on(bootstrap: str, topic: str) -> int:
    """Messages on `topic` by its partitions' offsets (the bench's topics are fresh, never compacted)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), client_id="bench-count")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends, starts = consumer.end_offsets(partitions), consumer.beginning_offsets(partitions)
        return sum(ends[p] - starts[p] for p in partitions)
    finally:
        consumer.close()


def consume_floor(bootstrap: str, topic: str, total: int, timeout_s: float = 600) -> dict:
    """kafka-python alone: read every partition of the topic from the beginning (the wage consumer's fetch
    settings), decode nothing. By assignment, not in a group: the floor commits nothing, and a group's
    coordinator round trip on every poll is the pipeline's cost, not the raw read's (docs/benchmarks.md)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), client_id="bench-floor",
                             enable_auto_commit=False, auto_offset_reset="earliest")
    consumer.assign([TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())])
    started = time.perf_counter()
    first = None
    seen = 0
    try:
        with Progress("raw consume (kafka-python)", total, "msgs") as bar:
            while seen < total:
                batches = consumer.poll(timeout_ms=200, max_records=500)
                got = sum(len(records) for records in batches.values())
                if got and first is None:
                    first = time.perf_counter()
                seen += got
                bar.update(got)
                if time.perf_counter() - started > timeout_s:
                    raise RuntimeError(f"raw consume read {seen:,} of {total:,} in {timeout_s:.0f} s; "
                                       f"the topic holds {messages_on(bootstrap, topic):,}")
        done = time.perf_counter()
    finally:
        consumer.close()
    return {"messages": seen, "seconds": done - first, "wall_seconds": done - started,
            "rate": seen / (done - first)}


def copy_floor(url: str, path: Path, total: int) -> dict:
    """PostgreSQL COPY of the rows the pipeline stores per event: processed_events and the work record
    (attendance or output). Wage lines are excluded (one per record here, so about one more row per event)."""
    import json

    started = time.perf_counter()
    with psycopg.connect(libpq(url)) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE floor_processed (LIKE processed_events INCLUDING ALL)")
        cur.execute("CREATE TABLE floor_attendance (LIKE attendance_records INCLUDING ALL)")
        cur.execute("CREATE TABLE floor_output (LIKE output_records INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        rows = 0
        with Progress("COPY floor (2 rows/event)", total, "events") as bar, \
                cur.copy("COPY floor_processed (event_id, content_hash, processed_at) FROM STDIN") as processed:
            attendance, output = [], []
            for n, (_key, value) in enumerate(read_messages(path), 1):
                event = json.loads(value)
                data = event["data"]
                processed.write_row((event["id"], hash_encoded(value), event["time"]))
                if event["type"] == "output.recorded":
                    output.append((event["id"], data["worker_id"], data["site_id"], data["date"], data["product"],
                                   data["grade"], data["quantity"], None))
                else:
                    attendance.append((data["worker_id"], data["site_id"], data["date"], event["id"], event["time"],
                                       data["status"], data["minutes"], data["check_in"], data["check_out"]))
                if n % 1000 == 0:
                    bar.update(1000)
            rows += n
            bar.update(n % 1000)
        with cur.copy("COPY floor_attendance (worker_id, site_id, work_date, event_id, recorded_at, status, minutes,"
                      " check_in, check_out) FROM STDIN") as copy:
            for row in attendance:
                copy.write_row(row)
        with cur.copy("COPY floor_output (event_id, worker_id, site_id, work_date, product, grade, quantity,"
                      " voided_by) FROM STDIN") as copy:
            for row in output:
                copy.write_row(row)
        conn.commit()
        rows += len(attendance) + len(output)
    seconds = time.perf_counter() - started
    return {"rows": rows, "events": total, "seconds": seconds, "rows_rate": rows / seconds,
            "events_rate": total / seconds}


# -- the pipeline -----------------------------------------------------------------------------------

def committed(admin: KafkaAdminClient, group: str) -> int:
    offsets = admin.list_group_offsets(group).get(group, {})
    return sum(max(0, meta.offset) for meta in offsets.values())


def run_pipeline(services: Services, country: Country, topic: str, total: int, processes: int, tag: str,
                 batch_size: int | None = None, timeout: float | None = None, quiet_setup: bool = True,
                 module: str = "consumers", url: str | None = None) -> dict:
    """Fresh database with the registry (or the database `url`, kept), `processes` wage consumers in a new group
    on `topic`; time until the group has committed every message (offsets are committed after the batch's
    transaction)."""
    dbname = f"bench_{tag}".replace("-", "_")[:60]
    given = url is not None
    url = url or prepare_postgres(services.postgres, dbname, country, quiet=quiet_setup)
    group = f"bench-{tag}-{uuid.uuid4().hex[:6]}"
    env = settings_env(DATABASE_URL=url, STABLEWORK_BUS="kafka", KAFKA_BOOTSTRAP_SERVERS=services.kafka.bootstrap,
                       TOPIC_WORK_EVENTS=topic, TOPIC_DEAD_LETTERS=f"{topic}.dlt", TOPIC_ALERTS=f"{topic}.alerts",
                       CONSUMER_GROUP=group, KAFKA_PARTITIONS=str(PARTITIONS), LOG_LEVEL="WARNING")
    if batch_size:
        env["CONSUMER_BATCH_SIZE"] = str(batch_size)
    admin = KafkaAdminClient(bootstrap_servers=services.kafka.bootstrap, client_id="bench-watch")
    procs = consumers(processes, env, tag, module)
    cpu = CpuUse({"consumers": [p.pid for p in procs], "postgres": [services.postgres.pid],
                  "kafka": [services.kafka.pid]})
    started = time.perf_counter()
    first = first_count = None
    done = 0
    samples = []
    peak = {}
    timeout = timeout or max(300.0, total / 200)
    try:
        with Progress(f"pipeline x{processes}", total, "events") as bar:
            while done < total:
                time.sleep(0.25)
                now_done = committed(admin, group)
                now = time.perf_counter()
                if now_done and first is None:
                    first, first_count = now, now_done
                    cpu.start()
                bar.update(now_done - done)
                done = now_done
                samples.append((round(now - started, 2), done))
                for p in procs:
                    peak[p.name] = p.peak_rss_mib() or peak.get(p.name)
                if not all(p.alive() for p in procs):
                    raise RuntimeError(f"a consumer died; see {procs[0].log_path}")
                if now - started > timeout:
                    raise RuntimeError(f"pipeline applied {done} of {total} in {timeout:.0f}s")
        ended = time.perf_counter()
        cpu.stop()
    finally:
        for p in procs:
            p.stop()
        admin.close()
    result = {"processes": processes, "events": total, "wall_seconds": ended - started,
              "wall_rate": total / (ended - started),
              "steady_seconds": ended - first,
              "rate": (total - first_count) / (ended - first) if ended > first and total > first_count else None,
              "peak_rss_mib": peak, "samples": samples[:: max(1, len(samples) // 40)],
              "cpu": cpu_per_event(cpu, total - (first_count or 0), ended - first)}
    result.update(verify_pipeline(url, country, total))
    if not given:
        services.postgres.drop_database(dbname)
    return result


def cpu_per_event(cpu: CpuUse, events: int, seconds: float) -> dict:
    """The steady part's CPU: µs an event per group of processes ("other" is the rest of the machine), the
    cores kept busy, and the ceiling: the rate if every core went to this work at the same CPU an event."""
    if events <= 0 or seconds <= 0:
        return {}
    per_event = {name: spent * 1e6 / events for name, spent in cpu.seconds.items()}
    # in 10 ms ticks, read process by process: the groups' sum can pass the machine's by a tick or two
    per_event["other"] = max(0.0, cpu.busy - sum(cpu.seconds.values())) * 1e6 / events
    return {"us_per_event": per_event, "cores_busy": cpu.busy / seconds,
            "ceiling_rate": (os.cpu_count() or 1) * 1e6 / sum(per_event.values())}


def verify_pipeline(url: str, country: Country, total: int) -> dict:
    with psycopg.connect(libpq(url)) as conn:
        processed, = conn.execute("SELECT count(*) FROM processed_events").fetchone()
        lines, fen = conn.execute("SELECT count(*), coalesce(sum(amount_fen), 0) FROM wage_lines").fetchone()
        parked, = conn.execute("SELECT count(*) FROM dead_letters").fetchone()
        # rows PostgreSQL read by whole-table scans (the consumers have exited, so their counts are in)
        scanned = {name: rows for name, rows in conn.execute(
            "SELECT relname, seq_tup_read FROM pg_stat_user_tables WHERE seq_tup_read > 0 "
            "ORDER BY seq_tup_read DESC LIMIT 4")}
    return {"processed_events": processed, "wage_lines": lines, "wage_fen": int(fen), "dead_letters": parked,
            "complete": processed == total and parked == 0, "rows_read_by_table_scans": scanned}


def expected_wages(country: Country, days: int) -> tuple[int, int]:
    """(lines, fen) the pipeline must end with, from the same facts through the pure payroll rules."""
    lines = fen = 0
    for line in country.wage_lines(days):
        lines += 1
        fen += line["amount_fen"]
    return lines, fen
