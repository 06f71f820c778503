"""A real single-node Apache Kafka broker (KRaft, broker+controller) on loopback.

Main classes (both in ``kafka_2.13-<version>.jar``, fetched by ``infra.kafka.jars``):

* ``kafka.tools.StorageTool``  ``format --standalone`` (what kafka-storage.sh runs)
* ``kafka.Kafka``              the server (what kafka-server-start.sh runs)

Usage::

    broker = KafkaBroker()
    broker.start()            # formats storage on the first start only
    broker.bootstrap          # "127.0.0.1:<port>"
    broker.stop(); broker.start()   # same data dir, same ports
    broker.cleanup()          # stop and delete the temp dir

Several brokers in one KRaft quorum: ``infra.kafka.KafkaCluster``.
"""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from infra import exec_prefix, free_port, port_is_open, tail, wait_port_free
from infra.kafka.config import BROKER_JVM_OPTS, LOG4J2_PROPERTIES, TOOL_JVM_OPTS, new_cluster_id, server_config
from infra.kafka.jars import KafkaStartError, fetch_kafka_libs, java

__all__ = ["KafkaBroker"]

log = logging.getLogger(__name__)

SERVER_MAIN = "kafka.Kafka"
STORAGE_TOOL_MAIN = "kafka.tools.StorageTool"
#: A consumer group id only ever used to probe the group coordinator.
_READINESS_GROUP = "stablework-readiness-probe"


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
                if port is not None and not wait_port_free(port, 10.0):
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
        self.cluster_id = self.cluster_id or new_cluster_id()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = server_config(node_id=self.node_id, port=self.port, controller_port=self.controller_port,
                               data_dir=self.data_dir, quorum_voters=self.quorum_voters)
        config.update(self.extra_config)
        lines = ["# written by infra/kafka/broker.py"] + [f"{k}={v}" for k, v in config.items()]
        self.config_path.write_text("\n".join(lines) + "\n")
        (self.base_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)

    def _java_cmd(self, opts, main: str, *args: str) -> list[str]:
        return [
            java(),
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

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        last_error: BaseException | None = None
        while True:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                raise KafkaStartError(
                    f"the Kafka broker exited during startup (exit {code}); log {self.log_path}:\n{self.log_tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KafkaStartError(
                    f"the Kafka broker at {self.bootstrap} was not ready within {self.startup_timeout:.0f}s "
                    f"(last error: {last_error!r}); log {self.log_path}:\n{self.log_tail()}"
                )
            if port_is_open(self.port):
                try:
                    _serve_offsets(self.bootstrap, max(1.0, min(10.0, remaining)))
                    return
                except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
                    log.debug("Kafka broker at %s not ready yet: %r", self.bootstrap, exc)
                    last_error = exc
            time.sleep(0.25)


def _serve_offsets(bootstrap: str, timeout_s: float) -> None:
    """Ask the broker for its topics and for a group's committed offsets; raises if it cannot answer yet.

    The group coordinator becomes ready later than the listener: after a restart it loads
    __consumer_offsets in the background (NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS meanwhile),
    and on the first start that topic is created on first use. __consumer_offsets has a single
    partition here, so one successful OffsetFetch means every group's committed offsets are readable.
    """
    # Imported here so that fetching jars and the module itself do not need kafka-python.
    from kafka import KafkaAdminClient

    timeout_ms = int(timeout_s * 1000)
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stablework-test-readiness",
                             bootstrap_timeout_ms=timeout_ms, request_timeout_ms=timeout_ms)
    try:
        admin.list_topics()
        admin.list_group_offsets(_READINESS_GROUP)
    finally:
        admin.close()
