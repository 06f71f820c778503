"""Kafka and PostgreSQL for the benchmarks: the tests' own (the infra package), started once per run,
and the project's processes (consumers, relay, gunicorn) as child processes with settings."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from infra import install_warning_filters
from infra.kafka import KafkaBroker
from infra.postgres import PostgresServer

# kafka-python warns on import under Python 3.11, and the bench modules import it.
install_warning_filters()

ROOT = Path(__file__).resolve().parents[1]
# Where the project's child processes run (their code): this checkout, or another copy of the project
# for an A/B comparison (BENCH_PROJECT_ROOT=/path/to/other/checkout); `bench` itself always comes from here.
PROJECT = Path(os.environ.get("BENCH_PROJECT_ROOT") or ROOT)

VAR = ROOT / "var" / "bench"
# A fixed Fernet key for the throwaway databases (personal data is encrypted at rest; PostgreSQL needs a key).
DATA_KEY = "YmVuY2gtb25seS1rZXktbm90LWZvci1wcm9kdWN0aW8="
PYTHON = sys.executable

# The throwaway cluster of infra.postgres (fsync and synchronous_commit off), with memory for bigger sets.
PG_SETTINGS = {"shared_buffers": "1GB", "work_mem": "64MB", "maintenance_work_mem": "512MB",
               "max_wal_size": "4GB"}


class Services:
    """One Kafka broker and one PostgreSQL cluster for the whole run."""

    def __init__(self, kafka: bool = True, postgres: bool = True):
        self.kafka = KafkaBroker() if kafka else None
        self.postgres = PostgresServer(use_env=False, settings=PG_SETTINGS) if postgres else None

    def start(self) -> "Services":
        use_bench_data_key()
        started = time.monotonic()
        if self.postgres:
            self.postgres.start()
        if self.kafka:
            self.kafka.start()
        print(f"  services up in {time.monotonic() - started:.1f}s"
              f"{' kafka ' + self.kafka.bootstrap if self.kafka else ''}"
              f"{' postgres :' + str(self.postgres.port) if self.postgres else ''}", file=sys.stderr)
        return self

    def stop(self) -> None:
        try:
            if self.kafka:
                self.kafka.cleanup()
        finally:
            if self.postgres:
                self.postgres.cleanup()


def use_bench_data_key() -> None:
    """Give what the bench process itself opens the throwaway databases' key, unless one is set."""
    os.environ.setdefault("STABLEWORK_DATA_KEYS", DATA_KEY)


def settings_env(**values: str) -> dict[str, str]:
    """The environment of a project process: ours, minus anything that would point it elsewhere."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "STABLEWORK_BUS", "KAFKA_BOOTSTRAP_SERVERS", "PROMETHEUS_MULTIPROC_DIR")}
    env.update({"LOG_LEVEL": "WARNING", "ALERT_CHECK_INTERVAL_S": "0", "PYTHONUNBUFFERED": "1",
                # capacity is measured, not the per-caller limits (600 reads, 120 writes a minute per token)
                "RATE_LIMIT_READS": "10000000/minute", "RATE_LIMIT_WRITES": "10000000/minute",
                "STABLEWORK_DATA_KEYS": DATA_KEY})
    env.update(values)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([str(PROJECT), str(ROOT)]))
    return env


class Process:
    """A child process of the project (`python -m consumers ...`, gunicorn), its log in var/bench/logs."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]):
        logs = VAR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.log_path = logs / f"{name}.log"
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def peak_rss_mib(self) -> float | None:
        """VmHWM (peak resident set) of the process, read while it lives."""
        return peak_rss_mib(self.pid)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 30) -> int | None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                return self.popen.wait(10)
        return self.popen.returncode


def peak_rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its descendants, live or already reaped by it (their time is then in
    its own cutime and cstime): how PostgreSQL's backends are counted with the postmaster."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # ended: whatever it spent is now its parent's
        return 0.0
    utime_to_cstime = stat.rsplit(")", 1)[1].split()[11:15]  # fields 14 to 17 of proc(5)
    return sum(int(ticks) for ticks in utime_to_cstime) / _TICKS + sum(cpu_seconds(c) for c in children(pid))


def machine_busy_seconds() -> float:
    """CPU time the whole machine's cores have spent working (since boot): not idle, not waiting for I/O, and
    not stolen by the virtual machine's host."""
    user, nice, system, _idle, _iowait, irq, softirq = (
        int(ticks) for ticks in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8])
    return (user + nice + system + irq + softirq) / _TICKS


class CpuUse:
    """Where the machine's CPU goes over an interval: per named group of process trees, and in all.

    `start()` and `stop()` bracket the interval; `seconds` then holds each group's CPU time, `busy` the
    machine's (the groups', and anything else's, such as the bench's own watcher)."""

    def __init__(self, groups: dict[str, list[int]]):
        self.groups = groups
        self.seconds: dict[str, float] = {}
        self.busy = 0.0
        self._started: tuple[dict[str, float], float] | None = None

    def _read(self) -> tuple[dict[str, float], float]:
        return {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in self.groups.items()}, \
            machine_busy_seconds()

    def start(self) -> None:
        self._started = self._read()

    def stop(self) -> None:
        (before, busy_before), (after, busy_after) = self._started, self._read()
        self.seconds = {name: after[name] - before[name] for name in self.groups}
        self.busy = busy_after - busy_before


def consumers(count: int, env: dict[str, str], tag: str, module: str = "consumers") -> list[Process]:
    """`count` wage consumer processes: `python -m consumers`, or a bench launcher of it (`module`)."""
    return [Process(f"{tag}-consumer-{n}", [PYTHON, "-m", module], env) for n in range(count)]


def gunicorn(env: dict[str, str], tag: str, *options: str) -> Process:
    """gunicorn as production runs it (gunicorn.conf.py), with any further command-line `options`."""
    metrics = tempfile.mkdtemp(prefix="bench-prom-")
    return Process(f"{tag}-gunicorn", [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py", *options,
                                       "app:create_app()"], {**env, "PROMETHEUS_MULTIPROC_DIR": metrics})


def wait_http(url: str, timeout: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "memory_gib": round(mem_kib / 1024 / 1024, 1), "cpu": model,
            "load_avg": os.getloadavg()}


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def peak_rss_tree_mib(pid: int) -> dict[int, float | None]:
    """VmHWM of a process and each of its children (gunicorn's master and workers)."""
    return {p: peak_rss_mib(p) for p in [pid, *children(pid)]}
