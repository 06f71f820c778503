"""The bench's summary puts every measured process's peak resident set against the per-process limit."""
from __future__ import annotations

from bench.summary import api_rows, kafka_rows


def _pipeline_run(peaks: dict[str, float]) -> dict:
    return {"rate": 10_000.0, "complete": True, "peak_rss_mib": peaks, "wage_lines": 1, "wage_fen": 1}


def test_each_wage_consumer_is_held_against_256_mib():
    rows = kafka_rows({"pipeline": {"2": [_pipeline_run({"wages-1": 140.0, "wages-2": 300.0})]}})
    [memory] = [row for row in rows if "peak RSS" in row[0]]
    assert memory[1] == "140 / 300 MiB"
    assert memory[4] == "< 256 MiB"
    assert memory[5] == "MISSED x1.2"


def test_the_api_and_its_helpers_are_held_against_256_mib():
    reads = {"achieved_rps": 300.0, "latency_p50_ms": 2.0, "latency_p99_ms": 10.0}
    api = {"ingest": [{"rate": 20_000.0}], "reads": reads, "ingest_during_reads": {"rate": 1_000.0},
           "gunicorn_peak_rss_mib": {"1": 60.0, "2": 150.0, "3": 151.0},
           "helpers_peak_rss_mib": {"api-relay": 90.0, "api-consumer": 130.0, "api-alerts": 100.0}}
    rows = {row[0]: row for row in api_rows({"api": api})}
    assert rows["  peak RSS of gunicorn's master and each worker"][1:] == (
        "60 / 150 / 151 MiB", "-", "-", "< 256 MiB", "ok")
    assert rows["  peak RSS of api-relay / api-consumer / api-alerts"][5] == "ok"
