"""A real Apache Kafka cluster on loopback: several combined broker+controller nodes in one
static KRaft quorum, from the same Maven jars as the single ``KafkaBroker``.

Every node is formatted with the same cluster id and knows every controller
(``controller.quorum.voters``); internal topics are replicated to every node, and
topics created without a replication factor get one of ``replication`` with
``min.insync.replicas`` one less, so a cluster of three keeps taking ``acks=all``
writes with any one node down.

Usage::

    cluster = KafkaCluster(3)
    cluster.start()                    # all nodes; returns once each serves metadata
    cluster.bootstrap                  # "127.0.0.1:<p1>,127.0.0.1:<p2>,127.0.0.1:<p3>"
    node = cluster.leader(topic, 0)    # the node id leading partition 0
    cluster.kill(node)                 # SIGKILL that node's JVM
    cluster.start_node(node)           # same data, same ports; back in the cluster
    cluster.cleanup()
"""

from __future__ import annotations

import gc
import logging
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from infra import free_port
from infra.kafka.broker import KafkaBroker
from infra.kafka.config import CLUSTER_NODE_JVM_OPTS, new_cluster_id
from infra.kafka.jars import KafkaStartError

__all__ = ["KafkaCluster"]


def _cluster_config(size: int) -> dict[str, str]:
    replicas, in_sync = str(size), str(max(1, size - 1))
    return {
        "default.replication.factor": replicas,
        "min.insync.replicas": in_sync,
        "offsets.topic.replication.factor": replicas,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": in_sync,
        "share.coordinator.state.topic.replication.factor": replicas,
        "share.coordinator.state.topic.min.isr": in_sync,
        # A follower that is back and caught up rejoins the in-sync replicas quickly.
        "replica.lag.time.max.ms": "5000",
    }


class KafkaCluster:
    """``size`` ``KafkaBroker`` nodes (ids 1..size) under one temp dir, one KRaft quorum."""

    def __init__(self, size: int = 3, base_dir: Path | str | None = None, *, startup_timeout: float = 120.0):
        self._owns_dir = base_dir is None
        self.base_dir = Path(base_dir) if base_dir else Path(tempfile.mkdtemp(prefix="stablework-kafka-cluster-"))
        self.cluster_id = new_cluster_id()
        self.nodes = {
            node_id: KafkaBroker(self.base_dir / f"node-{node_id}", node_id=node_id, startup_timeout=startup_timeout,
                                 jvm_opts=CLUSTER_NODE_JVM_OPTS, extra_config=_cluster_config(size))
            for node_id in range(1, size + 1)
        }
        self._assign_ports()

    @property
    def bootstrap(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes.values())

    def node(self, node_id: int) -> KafkaBroker:
        return self.nodes[node_id]

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(f"--- node {node_id} ({node.log_path})\n{node.log_tail(lines)}"
                         for node_id, node in self.nodes.items())

    def __repr__(self) -> str:
        running = [node_id for node_id, node in self.nodes.items() if node.is_running()]
        return f"<KafkaCluster {self.bootstrap} running={running} dir={self.base_dir}>"

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> "KafkaCluster":
        """Start every node at once (none is ready before a majority of the quorum is up)."""
        try:
            for node in self.nodes.values():
                node.launch()
            for node in self.nodes.values():
                node.wait_ready()
            self.wait_for_brokers(set(self.nodes))
        except BaseException:
            self.kill_all()
            raise
        return self

    def kill(self, node_id: int) -> None:
        """SIGKILL one node, as a crash or a pulled plug would stop it."""
        self.nodes[node_id].kill()

    def stop_node(self, node_id: int) -> None:
        self.nodes[node_id].stop()

    def start_node(self, node_id: int) -> None:
        """Start a stopped or killed node again and wait until the cluster counts it as a broker."""
        node = self.nodes[node_id]
        node.launch()
        node.wait_ready()
        self.wait_for_brokers(set(self.nodes))

    def kill_all(self) -> None:
        for node in self.nodes.values():
            node.kill()

    def cleanup(self, *, remove_files: bool = True) -> None:
        """Kill every node (the last ones up would wait for their lost peers to shut down
        gracefully) and delete the temp dir."""
        self.kill_all()
        if self._owns_dir and remove_files:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    # -- what the cluster says ----------------------------------------------

    def partitions(self, topic: str) -> dict[int, dict]:
        """{partition: {"leader": node id (-1: none), "replicas": [ids], "isr": [ids]}} as the cluster tells now."""
        [described] = self._ask(lambda admin: admin.describe_topics([topic]))
        return {p["partition_index"]: {"leader": p["leader_id"], "replicas": sorted(p["replica_nodes"]),
                                       "isr": sorted(p["isr_nodes"])}
                for p in described["partitions"]}

    def leader(self, topic: str, partition: int) -> int:
        return self.partitions(topic)[partition]["leader"]

    def brokers(self) -> set[int]:
        """The node ids of the brokers the cluster's metadata lists (registered and not fenced)."""
        return {broker["broker_id"] for broker in self._ask(lambda admin: admin.describe_cluster())["brokers"]}

    def wait_for_brokers(self, wanted: set[int], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        seen: set[int] | str = "nothing yet"
        while time.monotonic() < deadline:
            try:
                seen = self.brokers()
            except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
                seen = repr(exc)
            if seen == wanted:
                return
            time.sleep(0.25)
        raise KafkaStartError(f"the cluster did not list brokers {sorted(wanted)} within {timeout:.0f}s "
                              f"(last: {seen}):\n{self.log_tail()}")

    # -- internals ----------------------------------------------------------

    def _assign_ports(self) -> None:
        taken: set[int] = set()
        for node in self.nodes.values():
            node.port, node.controller_port = self._free_port(taken), self._free_port(taken)
            node.cluster_id = self.cluster_id
        voters = ",".join(f"{node_id}@127.0.0.1:{node.controller_port}" for node_id, node in self.nodes.items())
        for node in self.nodes.values():
            node.quorum_voters = voters

    @staticmethod
    def _free_port(taken: set[int]) -> int:
        port = free_port()
        while port in taken:
            port = free_port()
        taken.add(port)
        return port

    def _ask(self, question, timeout: float = 20.0):
        """question(admin client), asked again while the client still tries a node that just died."""
        from kafka.errors import KafkaError

        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = self._ask_once(question)
            except KafkaError:
                if time.monotonic() > deadline:
                    raise
                answer = None
            _collect_refused_sockets()  # the client and its last error are gone by now
            if answer is not None:
                return answer
            time.sleep(0.25)

    def _ask_once(self, question):
        # Unlogged: a record of a refused connection carries the error, and through it the socket
        # kafka-python did not close; pytest keeps a test's records to the end of the run.
        kafka_logs = logging.getLogger("kafka")
        level = kafka_logs.level
        kafka_logs.setLevel(logging.CRITICAL + 1)
        try:
            admin = self._admin()
            try:
                return question(admin)
            finally:
                admin.close()
        finally:
            kafka_logs.setLevel(level)

    def _admin(self):
        from kafka import KafkaAdminClient

        # Only the running nodes: the admin client gives up on a refused bootstrap server.
        running = [node.bootstrap for node in self.nodes.values() if node.is_running()]
        return KafkaAdminClient(bootstrap_servers=running, client_id="stablework-test-cluster",
                                request_timeout_ms=5000)


def _collect_refused_sockets() -> None:
    """kafka-python 3.0 leaves the socket of a refused connection (to a node just killed or not yet
    up) to the garbage collector: collect it here, where its ResourceWarning is expected, rather
    than at a random later moment of the test run, which treats warnings as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
