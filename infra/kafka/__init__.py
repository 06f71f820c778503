"""Apache Kafka on loopback, from the jars ``pom.xml`` (beside this file) pins: one broker or a cluster.

``jars``     fetch the broker's jars with Maven once, into ``.cache/kafka/<version>/libs``.
``config``   a node's JVM flags and server.properties.
``broker``   ``KafkaBroker``: one KRaft broker+controller node.
``cluster``  ``KafkaCluster``: several such nodes in one KRaft quorum.
"""

from infra.kafka.broker import KafkaBroker
from infra.kafka.cluster import KafkaCluster
from infra.kafka.jars import KAFKA_POM, KafkaStartError, fetch_kafka_libs, kafka_version

__all__ = ["KAFKA_POM", "KafkaBroker", "KafkaCluster", "KafkaStartError", "fetch_kafka_libs", "kafka_version"]
