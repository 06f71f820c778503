"""The check of the whole run's log output (tests/support/log_watch.py) sees what it must."""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import structlog
from support.log_watch import LogWatch

from app.access.tokens import TOKEN_PREFIX

TOKEN = TOKEN_PREFIX + "Zx81_-" * 8


def test_a_token_a_recorded_personal_number_and_a_national_id_shape_are_found_masked():
    with tempfile.TemporaryDirectory() as folder:  # outside the run's folder: these are planted on purpose
        watch = LogWatch(Path(folder))
        watch.personal.add("6217003600701234567")
        (Path(folder) / "consumer.log").write_text(
            '{"event": "ok", "request_id": "3f2a"}\n'
            f'{{"event": "bad", "auth": "Bearer {TOKEN}"}}\n'
            '{"account": "6217003600701234567", "worker": "w-36070220000129002X"}\n')
        leaks = watch.leaks()
        watch.close()

    assert [leak.split(": ", 1)[1] for leak in leaks] == [
        f"a bearer token {TOKEN[:4]}{'*' * (len(TOKEN) - 8)}{TOKEN[-4:]}",
        "a personal number 6217***********4567",
        "a national id number 3607**********002X",
    ]
    assert [leak.split(": ", 1)[0].rsplit("/", 1)[1] for leak in leaks] == ["consumer.log:2", "consumer.log:3",
                                                                           "consumer.log:3"]


def test_timestamps_ids_and_amounts_are_not_taken_for_secrets():
    watch = LogWatch(Path(tempfile.mkdtemp()))
    line = ('{"timestamp": "2026-11-28T12:04:38.018810Z", "request_id": "0f5c2b7e9d3a4c1b8e6f2a0d9c7b5e3a", '
            '"event_id": "00000000-0000-4000-8000-000000000012", "amount_fen": 1234567890, "seq": 20260101}')
    assert watch.secrets_in(line) == []
    watch.close()


def test_this_processs_logs_are_copied_below_the_configured_level(log_watch):
    structlog.get_logger("test").debug("a debug line for the log watch")
    logging.getLogger("test").info("an info record for the log watch")

    copied = log_watch.path.read_text()
    assert "a debug line for the log watch" in copied and "an info record for the log watch" in copied
