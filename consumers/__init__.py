"""Processes that read the bus: the wage consumer (and, with Kafka, the outbox relay)."""
