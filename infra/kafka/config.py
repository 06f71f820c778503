"""How a local Kafka node is configured: its JVM flags, its server.properties and its logging."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

__all__ = ["BROKER_JVM_OPTS", "CLUSTER_NODE_JVM_OPTS", "TOOL_JVM_OPTS", "LOG4J2_PROPERTIES",
           "new_cluster_id", "server_config"]

#: JVM flags for a small, short-lived single node on a small machine: a fixed small heap, the
#: serial GC (no GC threads to compete with), C1 only (C2's warm-up costs more CPU than a test
#: run ever gains back), no perf data file in /tmp.
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

LOG4J2_PROPERTIES = """\
# log4j2 configuration of the local broker: everything to stdout, which the
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


def new_cluster_id() -> str:
    """A random id in the format of org.apache.kafka.common.Uuid (16 bytes,
    base64url, no padding). Like Uuid.randomUuid(), never one starting with "-":
    the storage tool's argument parser would take it for an option."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        if not cid.startswith("-"):
            return cid


def server_config(*, node_id: int, port: int, controller_port: int, data_dir: Path,
                  quorum_voters: str | None) -> dict[str, str]:
    """server.properties of a combined broker+controller node listening on 127.0.0.1 only."""
    # KRaft, combined nodes: a dynamic quorum of this node alone (formatted with --standalone),
    # or the static quorum of a cluster.
    quorum = ({"controller.quorum.voters": quorum_voters} if quorum_voters else
              {"controller.quorum.bootstrap.servers": f"127.0.0.1:{controller_port}"})
    listeners = f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}"
    return {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        **quorum,
        "controller.listener.names": "CONTROLLER",
        "listeners": listeners,
        "advertised.listeners": listeners,
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(data_dir),
        # Topics: explicit creation only, 4 partitions unless asked otherwise.
        "num.partitions": "4",
        "auto.create.topics.enable": "false",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        # Internal topics on a single node, one partition each: quick to
        # create and load, and start() can tell when the (single) group
        # coordinator partition is loaded (see KafkaBroker._wait_ready).
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
        # session expires: heartbeat often and expire soon.
        "broker.heartbeat.interval.ms": "500",
        "broker.session.timeout.ms": "4000",
        # Small and quick on a small machine: few threads, and a small log cleaner
        # buffer instead of the large one Kafka allocates at startup by default.
        "num.network.threads": "2",
        "num.io.threads": "4",
        "background.threads": "4",
        "num.recovery.threads.per.data.dir": "1",
        "num.replica.fetchers": "1",
        "log.cleaner.threads": "1",
        "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),
        "log.segment.bytes": str(64 * 1024 * 1024),
    }
