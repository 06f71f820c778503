"""Rebuild: the live ledger made by the wage consumers from a topic, snapshotted; `flask rebuild`, and the consumers
again until they have read the whole topic; then every derived table compared with its snapshot row for row
(EXCEPT ALL both ways, without the columns of app.ledger.rebuild.DERIVED_TABLES that say when a row was written).
Floors in the same run: raw consume of the same topic, and the live pipeline's own rate on the same events."""
from __future__ import annotations

import subprocess
import time
import uuid

import psycopg
from kafka import KafkaAdminClient

from app.ledger.rebuild import DERIVED_TABLES
from bench.country import Country
from bench.kafka_pipeline import PARTITIONS, committed, cpu_per_event, verify_pipeline
from bench.load import libpq, prepare_postgres
from bench.progress import Progress
from bench.services import PYTHON, CpuUse, Services, consumers, settings_env


def run_rebuild(services: Services, country: Country, topic: str, total: int, processes: int,
                batch_size: int | None = None, rebuild_batch_size: int | None = None) -> dict:
    """The live ledger, its snapshot, the rebuild timed from `flask rebuild` to the last offset committed, and the
    comparison; the database is dropped afterwards."""
    dbname = "bench_rebuild"
    url = prepare_postgres(services.postgres, dbname, country, quiet=True)
    group = f"bench-rebuild-{uuid.uuid4().hex[:6]}"
    env = settings_env(DATABASE_URL=url, STABLEWORK_BUS="kafka", KAFKA_BOOTSTRAP_SERVERS=services.kafka.bootstrap,
                       TOPIC_WORK_EVENTS=topic, TOPIC_DEAD_LETTERS=f"{topic}.dlt", TOPIC_ALERTS=f"{topic}.alerts",
                       CONSUMER_GROUP=group, KAFKA_PARTITIONS=str(PARTITIONS), LOG_LEVEL="WARNING")
    try:
        live = consume_all(services, {**env, **_batch(batch_size)}, group, total, processes, "live")
        live.update(verify_pipeline(url, country, total))
        snapshot_seconds = snapshot(url)
        started = time.perf_counter()
        command = subprocess.run([PYTHON, "-m", "flask", "--app", "app", "rebuild"], env=env, capture_output=True,
                                 text=True, check=False)
        if command.returncode != 0:
            raise RuntimeError(f"flask rebuild failed: {command.stderr[-2000:]}")
        emptied = time.perf_counter() - started
        rebuilt = consume_all(services, {**env, **_batch(rebuild_batch_size or batch_size)}, group, total,
                              processes, "rebuild")
        rebuilt["emptying_seconds"] = emptied
        rebuilt["total_seconds"] = emptied + rebuilt["wall_seconds"]
        rebuilt["total_rate"] = total / rebuilt["total_seconds"]
        compared = compare(url)
    finally:
        services.postgres.drop_database(dbname)
    return {"processes": processes, "events": total, "batch_size": batch_size or 2000,
            "rebuild_batch_size": rebuild_batch_size or batch_size or 2000, "live": live, "rebuild": rebuilt,
            "snapshot_seconds": snapshot_seconds, "compared": compared,
            "equal": all(not t["missing"] and not t["extra"] for t in compared.values())}


def _batch(size: int | None) -> dict[str, str]:
    return {"CONSUMER_BATCH_SIZE": str(size)} if size else {}


def consume_all(services: Services, env: dict[str, str], group: str, total: int, processes: int, tag: str) -> dict:
    """`processes` wage consumers in `group` until it has committed `total` messages: the time from their start
    (wall) and from the first commit (steady), with the CPU an event of the steady part."""
    admin = KafkaAdminClient(bootstrap_servers=services.kafka.bootstrap, client_id="bench-rebuild-watch")
    procs = consumers(processes, env, f"rebuild-{tag}")
    cpu = CpuUse({"consumers": [p.pid for p in procs], "postgres": [services.postgres.pid],
                  "kafka": [services.kafka.pid]})
    started = time.perf_counter()
    first = first_count = None
    done = 0
    try:
        with Progress(f"{tag} x{processes}", total, "events") as bar:
            while done < total:
                time.sleep(0.25)
                now_done = committed(admin, group)
                if now_done and first is None:
                    first, first_count = time.perf_counter(), now_done
                    cpu.start()
                bar.update(max(0, now_done - done))
                done = now_done
                if not all(p.alive() for p in procs):
                    raise RuntimeError(f"a consumer died; see {procs[0].log_path}")
                if time.perf_counter() - started > max(600.0, total / 100):
                    raise RuntimeError(f"{tag}: {done} of {total} committed")
        ended = time.perf_counter()
        cpu.stop()
    finally:
        for p in procs:
            p.stop()
        admin.close()
    steady = ended - first
    return {"wall_seconds": ended - started, "rate": total / (ended - started), "steady_seconds": steady,
            "steady_rate": (total - first_count) / steady if steady > 0 and total > first_count else None,
            "cpu": cpu_per_event(cpu, total - (first_count or 0), steady)}


def snapshot(url: str) -> float:
    """Copy every derived table, its compared columns, to snap_<table>; the seconds it took."""
    started = time.perf_counter()
    with psycopg.connect(libpq(url)) as conn:
        for table in DERIVED_TABLES:
            conn.execute(f"DROP TABLE IF EXISTS snap_{table}")
            conn.execute(f"CREATE TABLE snap_{table} AS SELECT {_columns(conn, table)} FROM {table}")
    return time.perf_counter() - started


def compare(url: str) -> dict[str, dict]:
    """Each derived table against its snapshot: rows before and after, rows of the snapshot missing after the
    rebuild and rows the rebuild made that the snapshot lacks (EXCEPT ALL: a duplicated row counts)."""
    out = {}
    with psycopg.connect(libpq(url)) as conn:
        for table in DERIVED_TABLES:
            columns = _columns(conn, table)
            live, = conn.execute(f"SELECT count(*) FROM snap_{table}").fetchone()
            rebuilt, = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            missing, = conn.execute(f"SELECT count(*) FROM (SELECT {columns} FROM snap_{table} EXCEPT ALL "
                                    f"SELECT {columns} FROM {table}) AS d").fetchone()
            extra, = conn.execute(f"SELECT count(*) FROM (SELECT {columns} FROM {table} EXCEPT ALL "
                                  f"SELECT {columns} FROM snap_{table}) AS d").fetchone()
            out[table] = {"live": live, "rebuilt": rebuilt, "missing": missing, "extra": extra}
    return out


def _columns(conn: psycopg.Connection, table: str) -> str:
    """The compared columns; JSON as text (json has no equality), in the table's own order."""
    rows = conn.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
                        "AND table_schema = current_schema() ORDER BY ordinal_position", (table,)).fetchall()
    return ", ".join(f"{name}::text AS {name}" if kind == "json" else name
                     for name, kind in rows if name not in DERIVED_TABLES[table])
