"""A real single-node Apache Kafka broker (KRaft, broker+controller) for tests.

The broker jars come from Maven Central through ``infra/kafka/pom.xml``
(``mvn dependency:copy-dependencies``) and are cached under
``.cache/kafka/<version>/libs`` in the checkout, so only the first run on a
machine calls Maven. Only Java (17+) and Maven are needed.

Main classes (both in ``kafka_2.13-<version>.jar``):

* ``kafka.tools.StorageTool``  ``format --standalone`` (what kafka-storage.sh runs)
* ``kafka.Kafka``              the server (what kafka-server-start.sh runs)

Usage::

    broker = KafkaBroker()
    broker.start()            # formats storage on the first start only
    broker.bootstrap          # "127.0.0.1:<port>"
    broker.stop(); broker.start()   # same data dir, same ports
    broker.cleanup()          # stop and delete the temp dir

Several brokers in one KRaft quorum: ``infra.kafka_cluster.KafkaCluster``.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from . import REPO_ROOT, ServiceError, exec_prefix, free_port, port_is_free, tail

__all__ = [
    "KafkaBroker",
    "KafkaStartError",
    "KAFKA_POM",
    "CLUSTER_NODE_JVM_OPTS",
    "kafka_version",
    "fetch_kafka_libs",
]

log = logging.getLogger(__name__)

KAFKA_POM = REPO_ROOT / "infra" / "kafka" / "pom.xml"
#: Override with STABLEWORK_CACHE_DIR (e.g. to share jars between checkouts).
CACHE_ROOT = Path(os.environ.get("STABLEWORK_CACHE_DIR") or REPO_ROOT / ".cache")

SERVER_MAIN = "kafka.Kafka"
STORAGE_TOOL_MAIN = "kafka.tools.StorageTool"
#: A consumer group id only ever used to probe the group coordinator.
_READINESS_GROUP = "stablework-readiness-probe"

#: JVM flags for a small, short-lived single node on 2 cores: a fixed small
#: heap, the serial GC (no GC threads to compete with), C1 only (the JIT
#: warm-up of C2 costs more CPU than a test run ever gains back), no perf data
#: file in /tmp.
BROKER_JVM_OPTS = (
    "-Xms256m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
)
#: The same for each node of a cluster: three JVMs share the machine.
CLUSTER_NODE_JVM_OPTS = ("-Xms128m", "-Xmx256m", *BROKER_JVM_OPTS[2:])
TOOL_JVM_OPTS = (
    "-Xms64m",
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-Djava.awt.headless=true",
)

_LOG4J2_PROPERTIES = """\
# log4j2 configuration of the test broker: everything to stdout, which the
# harness sends to the broker log file.
status = warn
name = stablework-test-kafka
# Kafka's own shutdown hook logs the shutdown; log4j's hook would stop the
# appenders halfway through it and the end of the shutdown would be lost.
shutdownHook = disable
appender.out.type = Console
appender.out.name = STDOUT
appender.out.target = SYSTEM_OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
"""


class KafkaStartError(ServiceError):
    """The broker could not be fetched, formatted, started or stopped."""


# --------------------------------------------------------------------- jars


def kafka_version(pom: Path = KAFKA_POM) -> str:
    """``kafka.version`` from infra/kafka/pom.xml (the single place it is pinned)."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    try:
        root = ET.parse(pom).getroot()
    except (OSError, ET.ParseError) as exc:
        raise KafkaStartError(f"cannot read {pom}: {exc}") from exc
    node = root.find("m:properties/m:kafka.version", ns)
    if node is None or not (node.text or "").strip():
        raise KafkaStartError(f"{pom} has no <properties><kafka.version>")
    return node.text.strip()


def _pom_digest(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def fetch_kafka_libs(
    pom: Path = KAFKA_POM,
    cache_root: Path = CACHE_ROOT,
    *,
    timeout: float = 900.0,
) -> Path:
    """The directory holding the broker jars; runs Maven only if it is not cached.

    The cache is ``<cache_root>/kafka/<version>/libs`` plus a ``.complete`` stamp
    holding the pom's sha256: a pom edited without a version bump refetches,
    and an interrupted download is never mistaken for a complete one (jars are
    copied to a scratch dir and renamed into place). A file lock makes
    concurrent test processes wait for one download.
    """
    version = kafka_version(pom)
    vdir = Path(cache_root) / "kafka" / version
    libs = vdir / "libs"
    stamp = vdir / ".complete"
    digest = _pom_digest(pom)

    def cached() -> bool:
        try:
            return stamp.read_text().strip() == digest and any(libs.glob("kafka_2.13-*.jar"))
        except OSError:
            return False

    if cached():
        return libs

    vdir.mkdir(parents=True, exist_ok=True)
    with open(vdir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cached():
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KafkaStartError(
                "Kafka jars are not cached in %s and Maven (mvn) is not on PATH; "
                "install Maven (apt-get install -y maven) so they can be fetched" % libs
            )
        scratch = Path(tempfile.mkdtemp(prefix="libs.", dir=vdir))
        cmd = [
            mvn, "-q", "-B", "-f", str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={scratch}",
            "-DincludeScope=runtime",
        ]
        log.info("fetching Kafka %s jars: %s", version, " ".join(cmd))
        started = time.monotonic()
        try:
            proc = subprocess.run(
                cmd, cwd=pom.parent, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(scratch, ignore_errors=True)
            raise KafkaStartError(f"Maven did not fetch the Kafka jars within {timeout:.0f}s") from exc
        if proc.returncode != 0 or not any(scratch.glob("kafka_2.13-*.jar")):
            shutil.rmtree(scratch, ignore_errors=True)
            out = "\n".join((proc.stdout or "").splitlines()[-40:])
            raise KafkaStartError(
                f"Maven failed to fetch the Kafka {version} jars (exit {proc.returncode}):\n"
                f"$ {' '.join(cmd)}\n{out}"
            )
        if libs.exists():
            shutil.rmtree(libs)
        scratch.rename(libs)
        libs.chmod(0o755)  # mkdtemp made it 0700
        stamp.write_text(digest + "\n")
        log.info("fetched Kafka %s jars in %.1fs", version, time.monotonic() - started)
        return libs


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    java = shutil.which("java")
    if java is None:
        raise KafkaStartError("java is not on PATH (and JAVA_HOME is not set); Kafka needs Java 17+")
    return java


def _new_cluster_id() -> str:
    """A random id in the format of org.apache.kafka.common.Uuid (16 bytes,
    base64url, no padding). Like Uuid.randomUuid(), never one starting with "-":
    the storage tool's argument parser would take it for an option (1 in 64)."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not cid.startswith("-"):
            return cid


# ------------------------------------------------------------------- broker


class KafkaBroker:
    """One ``kafka.Kafka`` JVM acting as both KRaft controller and broker.

    The temp dir (``base_dir``) holds ``server.properties``, ``log4j2.properties``,
    ``data/`` (log.dirs, also the KRaft metadata log) and ``logs/broker.log``.
    Ports and the data dir are chosen on the first ``start()`` and kept, so a
    broker can be stopped (or killed) and started again with its topics and
    committed offsets intact.
    """

    def __init__(
        self,
        base_dir: Path | str | None = None,
        *,
        startup_timeout: float = 90.0,
        jvm_opts: tuple[str, ...] | list[str] = BROKER_JVM_OPTS,
        extra_config: dict[str, str] | None = None,
        node_id: int = 1,
    ) -> None:
        self._owns_dir = base_dir is None
        self.base_dir = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="stablework-kafka-"))
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.startup_timeout = startup_timeout
        self.jvm_opts = list(jvm_opts)
        self.extra_config = dict(extra_config or {})
        self.port: int | None = None
        self.controller_port: int | None = None
        self.cluster_id: str | None = None
        self.node_id = node_id
        #: "id@host:port,..." of a static KRaft quorum (a KafkaCluster sets it, with the ports and
        #: cluster id, before the first start); None: a quorum of this node alone.
        self.quorum_voters: str | None = None
        self.libs: Path | None = None
        self._proc: subprocess.Popen | None = None
        self._log_file = None

    # -- paths and properties ---------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.base_dir / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        """The broker's log (log4j output plus JVM stdout/stderr), appended across restarts."""
        return self.base_dir / "logs" / "broker.log"

    @property
    def bootstrap(self) -> str:
        if self.port is None:
            raise KafkaStartError("the broker has not been started yet")
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        return tail(self.log_path, lines)

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"<KafkaBroker {self.port and self.bootstrap} {state} dir={self.base_dir}>"

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> "KafkaBroker":
        """Start (or restart) the broker and wait until it serves metadata and its
        group coordinator has loaded the committed offsets."""
        if self.is_running():
            return self
        self.launch()
        self.wait_ready()
        return self

    def launch(self) -> None:
        """Format the storage on the first start, then start the JVM without waiting for it:
        a node of a cluster cannot be ready before a majority of the quorum is up."""
        self.libs = fetch_kafka_libs()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if not (self.data_dir / "meta.properties").exists():
            self._configure()
            self._format()
        else:
            for port in (self.port, self.controller_port):
                if port is not None and not self._wait_port_free(port, 10.0):
                    raise KafkaStartError(
                        f"cannot restart the broker: port {port} on 127.0.0.1 is taken by another process"
                    )
        self._launch()

    def wait_ready(self) -> None:
        """Wait until the broker serves metadata and offsets; SIGKILL it if it never does."""
        try:
            self._wait_ready()
        except BaseException:
            self.kill()
            raise

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful shutdown (SIGTERM, like kafka-server-stop.sh), SIGKILL after ``timeout``."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("Kafka broker pid %s ignored SIGTERM for %.0fs; killing it", proc.pid, timeout)
                proc.kill()
                proc.wait(30)
        if proc.returncode not in (0, -signal.SIGKILL, 128 + signal.SIGTERM, -signal.SIGTERM):
            log.warning("Kafka broker pid %s exited with %s; log %s", proc.pid, proc.returncode, self.log_path)
        self._reap()

    def kill(self) -> None:
        """SIGKILL the broker (a crash: the next start() recovers the logs)."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        self._reap()

    def cleanup(self, *, remove_files: bool = True) -> None:
        """Stop the broker and delete its temp dir (if this object created it and
        ``remove_files``; keep it to read the log of a failed start)."""
        try:
            self.stop()
        finally:
            if self._owns_dir and remove_files:
                shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> "KafkaBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    # -- internals ----------------------------------------------------------

    def _reap(self) -> None:
        self._proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _configure(self) -> None:
        if self.port is None:
            self.port = free_port()
            self.controller_port = free_port()
            while self.controller_port == self.port:
                self.controller_port = free_port()
        self.cluster_id = self.cluster_id or _new_cluster_id()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # KRaft, combined nodes: a dynamic quorum of this node alone (formatted with --standalone),
        # or the static quorum of a cluster.
        quorum = ({"controller.quorum.voters": self.quorum_voters} if self.quorum_voters else
                  {"controller.quorum.bootstrap.servers": f"127.0.0.1:{self.controller_port}"})
        config = {
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            **quorum,
            "controller.listener.names": "CONTROLLER",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            # Topics: explicit creation only, 4 partitions unless asked otherwise.
            "num.partitions": "4",
            "auto.create.topics.enable": "false",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            # Internal topics on a single node, one partition each: quick to
            # create and load, and start() can tell when the (single) group
            # coordinator partition is loaded (see _wait_ready).
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "share.coordinator.state.topic.num.partitions": "1",
            # Consumer groups rebalance at once.
            "group.initial.rebalance.delay.ms": "0",
            # After kill() the restarted broker cannot register until the old
            # session expires (default 9 s): heartbeat often, expire after 4 s.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "4000",
            # Small and quick on 2 cores: few threads, and no 128 MiB cleaner
            # buffer allocated at startup.
            "num.network.threads": "2",
            "num.io.threads": "4",
            "background.threads": "4",
            "num.recovery.threads.per.data.dir": "1",
            "num.replica.fetchers": "1",
            "log.cleaner.threads": "1",
            "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),
            "log.segment.bytes": str(64 * 1024 * 1024),
        }
        config.update(self.extra_config)
        lines = ["# written by tests/infra/kafka.py"] + [f"{k}={v}" for k, v in config.items()]
        self.config_path.write_text("\n".join(lines) + "\n")
        (self.base_dir / "log4j2.properties").write_text(_LOG4J2_PROPERTIES)

    def _java_cmd(self, opts, main: str, *args: str) -> list[str]:
        return [
            _java(),
            *opts,
            f"-Dlog4j2.configurationFile={self.base_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.log_path.parent}",
            "-cp", f"{self.libs}/*",
            main,
            *args,
        ]

    def _format(self) -> None:
        cmd = self._java_cmd(
            TOOL_JVM_OPTS, STORAGE_TOOL_MAIN, "format",
            "--config", str(self.config_path),
            "--cluster-id", self.cluster_id,
            *(() if self.quorum_voters else ("--standalone",)),
        )
        with open(self.log_path, "ab") as out:
            out.write(("$ " + " ".join(cmd) + "\n").encode())
            out.flush()
            try:
                proc = subprocess.run(
                    exec_prefix() + cmd, cwd=self.base_dir, stdin=subprocess.DEVNULL,
                    stdout=out, stderr=subprocess.STDOUT, timeout=120,
                )
            except subprocess.TimeoutExpired as exc:
                raise KafkaStartError(
                    f"formatting Kafka storage timed out; log {self.log_path}:\n{self.log_tail()}"
                ) from exc
        if proc.returncode != 0:
            raise KafkaStartError(
                f"formatting Kafka storage failed (exit {proc.returncode}); "
                f"log {self.log_path}:\n{self.log_tail()}"
            )

    def _launch(self) -> None:
        cmd = self._java_cmd(self.jvm_opts, SERVER_MAIN, str(self.config_path))
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(("\n$ " + " ".join(cmd) + "\n").encode())
        self._log_file.flush()
        self._proc = subprocess.Popen(
            exec_prefix() + cmd,
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # ^C in the terminal reaches pytest, not the broker
        )

    @staticmethod
    def _wait_port_free(port: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not port_is_free(port):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def _wait_ready(self) -> None:
        # Imported here so that fetching jars and the module itself do not need kafka-python.
        from kafka import KafkaAdminClient

        deadline = time.monotonic() + self.startup_timeout
        last_error: BaseException | None = None
        while True:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                raise KafkaStartError(
                    f"the Kafka broker exited during startup (exit {code}); "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KafkaStartError(
                    f"the Kafka broker at {self.bootstrap} was not ready within "
                    f"{self.startup_timeout:.0f}s (last error: {last_error!r}); "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            if self._port_open():
                admin = None
                try:
                    timeout_ms = int(max(1.0, min(10.0, remaining)) * 1000)
                    admin = KafkaAdminClient(
                        bootstrap_servers=self.bootstrap,
                        client_id="stablework-test-readiness",
                        bootstrap_timeout_ms=timeout_ms,
                        request_timeout_ms=timeout_ms,
                    )
                    admin.list_topics()
                    # The group coordinator becomes ready later than the listener:
                    # after a restart it loads __consumer_offsets in the background
                    # (NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS meanwhile),
                    # and on the first start that topic is created on first use.
                    # __consumer_offsets has a single partition here, so one
                    # successful OffsetFetch means every group's committed
                    # offsets are readable once start() returns.
                    admin.list_group_offsets(_READINESS_GROUP)
                    return
                except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
                    log.debug("Kafka broker at %s not ready yet: %r", self.bootstrap, exc)
                    last_error = exc
                finally:
                    if admin is not None:
                        admin.close()
            time.sleep(0.25)

    def _port_open(self) -> bool:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0):
                return True
        except OSError:
            return False
