"""On Kafka and PostgreSQL: a rebuild (`flask rebuild`, then the wage consumer again) after a messy history gives
the live ledger again row for row."""
from __future__ import annotations

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from support.ledger import differences, ledger, messy_ledger
from support.pipeline import unpublished
from support.processes import wait_until

from app import create_app


def caught_up(runtime) -> bool:
    """The outbox published and the wage consumers' group committed up to the end of the work-events topic."""
    if unpublished(runtime):
        return False
    settings = runtime.settings
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    reader = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        partitions = [TopicPartition(settings.topic_work_events, p)
                      for p in reader.partitions_for_topic(settings.topic_work_events) or ()]
        ends = reader.end_offsets(partitions)
        committed = admin.list_group_offsets(settings.consumer_group).get(settings.consumer_group, {})
        return all(committed.get(tp) is not None and committed[tp].offset >= end for tp, end in ends.items())
    finally:
        reader.close()
        admin.close()


def test_a_rebuild_after_a_messy_history_gives_the_live_ledger_again_row_for_row(api, checker, runtime, fleet):
    fleet.start("relay", "relay")
    fleet.start("wages-1")

    def settle():
        wait_until(lambda: caught_up(runtime), 180, "every event applied")

    messy_ledger(api, checker, runtime, settle)
    live = ledger(runtime)
    assert live["adjustments"] and live["dead_letters"] and live["pending_voids"]
    assert fleet.stop("wages-1") == 0
    result = create_app(runtime=runtime).test_cli_runner().invoke(args=["rebuild"])
    assert result.exit_code == 0, result.output
    assert not ledger(runtime)["processed_events"]
    fleet.start("wages-1")
    settle()
    assert differences(live, ledger(runtime)) == {}
