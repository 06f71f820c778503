"""Optional accelerators the project depends on being installed (pyproject.toml's extras)."""
from __future__ import annotations


def test_kafka_record_checksums_are_computed_in_c():
    # Without the crc32c package kafka-python falls back to pure Python checksums, slow enough to cap a consumer.
    from kafka.record import util
    from kafka.record._crc32c import crc as pure_python

    assert util.calc_crc32c.__defaults__ != (pure_python,)
    assert util.calc_crc32c(memoryview(b"123456789")) == 0xE3069283  # the CRC-32C check value
